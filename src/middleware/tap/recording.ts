import { SwitchboardError } from '../../errors.js';
import { invalidMessageReason, type JSONRPCMessage } from '../../protocol/messages.js';

/** Direction of a recorded frame: `in` = from the client to the switchboard, `out` = to the client. */
export type FrameDirection = 'in' | 'out';

/** One line of a recording (JSONL). */
export interface RecordedFrame {
  /** When the frame passed, ISO 8601 with milliseconds. */
  time: string;
  /** The client session it belongs to. */
  session: string;
  direction: FrameDirection;
  message: JSONRPCMessage;
}

/** The first line of a recording. */
export interface RecordingHeader {
  recording: 'mcp-switchboard';
  version: 1;
  started: string;
}

/** Builds the header line of a new recording. */
export function recordingHeader(now = new Date()): RecordingHeader {
  return { recording: 'mcp-switchboard', version: 1, started: now.toISOString() };
}

/**
 * Parses a recording (JSONL written by the tap middleware): the header line is optional, blank lines are
 * skipped.
 *
 * @throws SwitchboardError `INVALID_OPTIONS` naming the first malformed line
 */
export function parseRecording(text: string): RecordedFrame[] {
  const frames: RecordedFrame[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? '';
    if (line === '') continue;
    const bad = (why: string): SwitchboardError =>
      new SwitchboardError('INVALID_OPTIONS', `recording line ${i + 1}: ${why}`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw bad('not JSON');
    }
    if (typeof value !== 'object' || value === null) throw bad('not an object');
    const v = value as Record<string, unknown>;
    if (v.recording === 'mcp-switchboard') {
      if (v.version !== 1) throw bad(`unsupported recording version ${String(v.version)}`);
      continue;
    }
    if (v.direction !== 'in' && v.direction !== 'out') throw bad('"direction" must be "in" or "out"');
    if (typeof v.session !== 'string') throw bad('"session" must be a string');
    const reason = invalidMessageReason(v.message);
    if (reason !== undefined) throw bad(reason);
    frames.push({
      time: typeof v.time === 'string' ? v.time : '',
      session: v.session,
      direction: v.direction,
      message: v.message as JSONRPCMessage,
    });
  }
  return frames;
}
