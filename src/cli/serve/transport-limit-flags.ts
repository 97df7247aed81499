import type { Command } from 'commander';
import { SwitchboardError } from '../../errors.js';

/** The flags {@link addTransportLimitOptions} declares, as commander hands them over. */
export interface TransportLimitFlags {
  maxBufferedBytes?: string;
  firstFrameTimeout?: string;
  frameTimeout?: string;
}

/** Declares the transport-limit flags of `serve`. */
export function addTransportLimitOptions(command: Command): void {
  command
    .option(
      '--max-buffered-bytes <n>',
      'bound on incomplete messages buffered by all frontend connections together (default 268435456)',
    )
    .option(
      '--first-frame-timeout <duration>',
      'close a socket/WebSocket client that sends no complete message this long after connecting (default 30s; 0 = never)',
    )
    .option(
      '--frame-timeout <duration>',
      'close a socket/WebSocket client whose message takes longer than this to arrive (default 60s; 0 = never)',
    );
}

/** Copies the transport-limit flags into the raw config (flags win over the file). */
export function applyTransportLimitFlags(merged: Record<string, unknown>, flags: TransportLimitFlags): void {
  if (flags.maxBufferedBytes !== undefined) {
    if (!/^\d+$/.test(flags.maxBufferedBytes)) {
      throw new SwitchboardError(
        'INVALID_OPTIONS',
        `--max-buffered-bytes "${flags.maxBufferedBytes}": expected a whole number`,
      );
    }
    merged.maxBufferedBytes = Number(flags.maxBufferedBytes);
  }
  if (flags.firstFrameTimeout !== undefined) merged.firstFrameTimeout = flags.firstFrameTimeout;
  if (flags.frameTimeout !== undefined) merged.frameTimeout = flags.frameTimeout;
}
