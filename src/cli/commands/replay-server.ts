import { listen } from '../../endpoint/registry.js';
import { SwitchboardError } from '../../errors.js';
import type { Listener } from '../../listener.js';
import type { MatchMode } from '../../middleware/tap/recorded-calls.js';
import { RecordingMock } from '../../middleware/tap/recording-mock.js';
import type { RecordedFrame } from '../../middleware/tap/recording.js';
import { describeCall } from '../../middleware/tap/recorded-calls.js';

/** The flags of `switchboard replay FILE --as-server`. */
export interface ReplayServerFlags {
  listen?: string[];
  match?: string;
  speed?: string;
  quiet?: boolean;
}

const MODES: readonly MatchMode[] = ['exact', 'name', 'method'];

/** Parses `--match` and `--speed`. @throws SwitchboardError `INVALID_OPTIONS` */
export function replayServerOptions(flags: ReplayServerFlags): {
  match: MatchMode;
  speed: number;
  listen: string[];
} {
  const match = (flags.match ?? 'exact') as MatchMode;
  if (!MODES.includes(match))
    throw new SwitchboardError('INVALID_OPTIONS', `--match "${flags.match}": expected ${MODES.join(', ')}`);
  const speed = flags.speed === undefined ? 1 : Number(flags.speed);
  if (!Number.isFinite(speed) || speed < 0)
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `--speed "${flags.speed}": expected a number ≥ 0 (0: no delay)`,
    );
  return { match, speed, listen: flags.listen ?? ['stdio:'] };
}

/**
 * Serves a recording as an MCP server on every `--listen` URI (default `stdio:`) until a signal, or until
 * the stdio client leaves. Progress goes to stderr (stdout may be the MCP transport).
 */
export async function serveRecording(
  frames: readonly RecordedFrame[],
  flags: ReplayServerFlags,
): Promise<void> {
  const o = replayServerOptions(flags);
  const say = (text: string): void => {
    if (!flags.quiet) process.stderr.write(`switchboard replay: ${text}\n`);
  };
  const mock = new RecordingMock(frames, {
    match: o.match,
    speed: o.speed,
    onRequest: (request, matched) => {
      if (matched === undefined) say(`no recorded call matches ${describeCall(request)}`);
    },
  });
  const listeners: Listener[] = [];
  try {
    for (const uri of o.listen) {
      const listener = await listen(uri, { onConnection: (transport) => void mock.serve(transport) });
      listeners.push(listener);
      say(`serving ${mock.size} recorded calls on ${listener.url} (match ${o.match}, speed ${o.speed})`);
    }
  } catch (error) {
    await Promise.allSettled(listeners.map((l) => l.close({ graceMs: 0 })));
    throw error;
  }
  const ended = listeners.flatMap((l) =>
    'closed' in l && l.closed instanceof Promise ? [l.closed as Promise<unknown>] : [],
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    if (ended.length > 0) void Promise.race(ended).then(() => resolve());
  });
  await Promise.allSettled(listeners.map((l) => l.close({ graceMs: 0 })));
}
