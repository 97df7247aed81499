import diff from 'microdiff';
import { SwitchboardError, toSwitchboardError } from '../../errors.js';
import {
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '../../protocol/messages.js';
import type { Transport } from '../../transport.js';
import type { RecordedFrame } from './recording.js';

/** One difference inside a response, at a dotted path (`result.content.0.text`). */
export interface ValueChange {
  path: string;
  kind: 'changed' | 'added' | 'removed';
  recorded?: unknown;
  replayed?: unknown;
}

/** A request whose replayed answer differs from the recorded one. */
export interface ReplayDifference {
  session: string;
  id: RequestId;
  method: string;
  /** `tools/call` tool name, `prompts/get` prompt name, `resources/read` URI. */
  target?: string | undefined;
  /** What differs; `[]` with `error` set when no answer came back. */
  changes: ValueChange[];
  /** Set when the replayed request got no answer (timeout, closed). */
  error?: string | undefined;
}

/** The outcome of a replay. */
export interface ReplayReport {
  sessions: number;
  /** Requests compared (requests whose recorded answer is in the recording). */
  compared: number;
  identical: number;
  differences: ReplayDifference[];
}

/** Options of {@link replayRecording}. */
export interface ReplayOptions {
  /** How long to wait for each answer, in ms (default 30,000). */
  timeoutMs?: number | undefined;
  /**
   * Paths to leave out of the comparison: dotted, `*` matches one segment, a path also covers what is
   * under it (e.g. `result._meta`, `result.content.*.annotations`).
   */
  ignore?: readonly string[] | undefined;
  /** Only these sessions (default all, in the order they first appear). */
  sessions?: readonly string[] | undefined;
}

const targetOf = (request: JSONRPCRequest): string | undefined => {
  const p = request.params;
  const t = p?.name ?? p?.uri;
  return typeof t === 'string' ? t : undefined;
};

const answerOf = (message: JSONRPCMessage): { result?: unknown; error?: unknown } =>
  'error' in message ? { error: message.error } : { result: message.result };

function ignored(path: readonly (string | number)[], patterns: readonly string[][]): boolean {
  return patterns.some(
    (p) => p.length <= path.length && p.every((segment, i) => segment === '*' || segment === String(path[i])),
  );
}

/** The differences between two answers, without the ignored paths. */
export function compareAnswers(
  recorded: JSONRPCMessage,
  replayed: JSONRPCMessage,
  ignore: readonly string[] = [],
): ValueChange[] {
  const patterns = ignore.map((p) => p.split('.'));
  const changes: ValueChange[] = [];
  for (const d of diff(answerOf(recorded), answerOf(replayed))) {
    if (ignored(d.path, patterns)) continue;
    const path = d.path.join('.');
    if (d.type === 'CHANGE') changes.push({ path, kind: 'changed', recorded: d.oldValue, replayed: d.value });
    else if (d.type === 'CREATE') changes.push({ path, kind: 'added', replayed: d.value });
    else changes.push({ path, kind: 'removed', recorded: d.oldValue });
  }
  return changes;
}

/**
 * Replays the client side of recorded sessions against a backend and compares each answer with the
 * recorded one. Each session gets a fresh connection from `connect`; the client's requests and
 * notifications are sent in their recorded order, one request at a time (each waits for its answer).
 * Requests the backend makes of the client (sampling, elicitation, roots) are answered with what the
 * client answered in the recording, matched by method in order.
 *
 * @param frames - from `parseRecording`
 * @param connect - a fresh, unstarted transport to the backend (e.g. `openBackend(target)`)
 * @param options - timeout, ignored paths, sessions
 * @throws SwitchboardError `INVALID_OPTIONS` when a requested session is not in the recording
 */
export async function replayRecording(
  frames: readonly RecordedFrame[],
  connect: () => Transport,
  options: ReplayOptions = {},
): Promise<ReplayReport> {
  const order: string[] = [];
  const bySession = new Map<string, RecordedFrame[]>();
  for (const f of frames) {
    let list = bySession.get(f.session);
    if (list === undefined) {
      list = [];
      bySession.set(f.session, list);
      order.push(f.session);
    }
    list.push(f);
  }
  const wanted = options.sessions ?? order;
  for (const s of wanted) {
    if (!bySession.has(s))
      throw new SwitchboardError('INVALID_OPTIONS', `session "${s}" is not in the recording`);
  }
  const report: ReplayReport = { sessions: wanted.length, compared: 0, identical: 0, differences: [] };
  for (const session of wanted) {
    await replaySession(session, bySession.get(session) ?? [], connect, options, report);
  }
  return report;
}

async function replaySession(
  session: string,
  frames: readonly RecordedFrame[],
  connect: () => Transport,
  options: ReplayOptions,
  report: ReplayReport,
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  // Recorded answers: the server's answers to the client's requests, the client's to the server's.
  const serverAnswers = new Map<RequestId, JSONRPCMessage>();
  const serverRequests = new Map<RequestId, string>();
  const clientAnswers = new Map<string, JSONRPCMessage[]>();
  for (const f of frames) {
    const m = f.message;
    if (f.direction === 'out' && isResponse(m) && m.id !== undefined && !serverAnswers.has(m.id))
      serverAnswers.set(m.id, m);
    if (f.direction === 'out' && isRequest(m)) serverRequests.set(m.id, m.method);
  }
  for (const f of frames) {
    const m = f.message;
    if (f.direction !== 'in' || !isResponse(m) || m.id === undefined) continue;
    const method = serverRequests.get(m.id);
    if (method === undefined) continue;
    const list = clientAnswers.get(method) ?? [];
    list.push(m);
    clientAnswers.set(method, list);
  }

  const transport = connect();
  const waiting = new Map<RequestId, (answer: JSONRPCMessage | string) => void>();
  let closed = false;
  transport.onclose = () => {
    closed = true;
    for (const resolve of waiting.values()) resolve('the backend closed the connection');
    waiting.clear();
  };
  transport.onmessage = (message) => {
    if (isResponse(message) && message.id !== undefined) {
      waiting.get(message.id)?.(message);
      waiting.delete(message.id);
    } else if (isRequest(message)) {
      const recorded = clientAnswers.get(message.method)?.shift();
      const answer: JSONRPCMessage = recorded
        ? { ...recorded, id: message.id }
        : { jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'not in the recording' } };
      transport.send(answer).catch(() => undefined);
    }
  };
  await transport.start();
  try {
    for (const f of frames) {
      if (f.direction !== 'in') continue;
      const m = f.message;
      if (isResponse(m)) continue; // answers to the server's requests are sent when it asks
      if (!isRequest(m)) {
        if (!closed) await transport.send(m).catch(() => undefined);
        continue;
      }
      const recorded = serverAnswers.get(m.id);
      if (closed) {
        if (recorded === undefined) continue;
        report.compared++;
        report.differences.push({
          session,
          id: m.id,
          method: m.method,
          target: targetOf(m),
          changes: [],
          error: 'the backend closed the connection',
        });
        continue;
      }
      let timer: NodeJS.Timeout | undefined;
      const answered = new Promise<JSONRPCMessage | string>((resolve) => {
        waiting.set(m.id, resolve);
        timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
      });
      let outcome: JSONRPCMessage | string;
      try {
        await transport.send(m);
        outcome = await answered;
      } catch (error) {
        outcome = toSwitchboardError(error).message;
      } finally {
        clearTimeout(timer);
        waiting.delete(m.id);
      }
      if (recorded === undefined) continue; // the recording ended before this request was answered
      report.compared++;
      const base = { session, id: m.id, method: m.method, target: targetOf(m) };
      if (typeof outcome === 'string') {
        report.differences.push({ ...base, changes: [], error: outcome });
        continue;
      }
      const changes = compareAnswers(recorded, outcome, options.ignore);
      if (changes.length === 0) report.identical++;
      else report.differences.push({ ...base, changes });
    }
  } finally {
    await transport.close().catch(() => undefined);
  }
}
