import { z } from 'zod';
import { DEFAULT_MAX_BUFFERED_BYTES } from '../framing/buffer-budget.js';
import { DEFAULT_FIRST_FRAME_TIMEOUT_MS, DEFAULT_FRAME_TIMEOUT_MS } from '../transports/frame-deadlines.js';
import { Duration } from './duration.js';

/**
 * The transport limits of `switchboard serve` that bound what one client can hold: memory for
 * incomplete messages (shared by all frontends) and the deadlines that reclaim silent or dribbling
 * socket and WebSocket connections. Spread into the serve schema.
 */
export const transportLimitsConfigShape = {
  /**
   * Bound on the bytes of incomplete messages buffered by all frontend connections together (partial
   * lines, WebSocket messages, HTTP bodies); a connection that would exceed it is refused.
   */
  maxBufferedBytes: z.number().int().min(1024).default(DEFAULT_MAX_BUFFERED_BYTES),
  /** Close a socket or WebSocket connection that sends no complete message this long after connecting (0 = never). */
  firstFrameTimeout: Duration.default(DEFAULT_FIRST_FRAME_TIMEOUT_MS),
  /** Close a socket or WebSocket connection whose message takes longer than this from first to last byte (0 = never). */
  frameTimeout: Duration.default(DEFAULT_FRAME_TIMEOUT_MS),
};
