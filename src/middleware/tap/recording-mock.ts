import { isRequest, type JSONRPCMessage, type JSONRPCRequest } from '../../protocol/messages.js';
import type { Transport } from '../../transport.js';
import {
  callDistance,
  describeCall,
  matchKey,
  recordedCalls,
  type MatchMode,
  type RecordedCall,
} from './recorded-calls.js';
import type { RecordedFrame } from './recording.js';

/** JSON-RPC code of a request no recorded call matches (`Invalid params`: the call is what differs). */
export const UNMATCHED_CODE = -32602;

/** Options of {@link RecordingMock}. */
export interface RecordingMockOptions {
  /**
   * What must equal for a request to get a recorded answer: `exact` (default: method, name or URI, and
   * every argument), `name` (method and name or URI) or `method`. `initialize`, `ping` and
   * `server/discover` always match on the method.
   */
  match?: MatchMode | undefined;
  /**
   * Timing: `1` (default) answers as long after the request as the recording did, with its
   * notifications at their recorded offsets; `2` twice as fast; `0` at once.
   */
  speed?: number | undefined;
  /** Nearest recorded calls named in an unmatched call's error (default 3). */
  nearest?: number | undefined;
  /** Told about each request: matched (with the recorded call) or not. */
  onRequest?: ((request: JSONRPCRequest, matched: RecordedCall | undefined) => void) | undefined;
}

/**
 * Serves a recording (`serve --record`) as an MCP server: each request is matched to a recorded one
 * and answered with the recorded answer (its id replaced), after the recorded delay scaled by `speed`,
 * preceded by the notifications the recording shows while it was in flight (progress tokens replaced).
 * Several recorded calls with the same key are answered in turn. A request no recorded call matches
 * gets a JSON-RPC error naming the nearest recorded calls. Client notifications are accepted and
 * ignored.
 *
 * @example
 * ```ts
 * const mock = new RecordingMock(parseRecording(text), { match: 'exact', speed: 0 });
 * await listen('http://127.0.0.1:8080/mcp', { onConnection: (t) => void mock.serve(t) });
 * ```
 */
export class RecordingMock {
  readonly #calls: RecordedCall[];
  readonly #byKey = new Map<string, RecordedCall[]>();
  readonly #turn = new Map<string, number>();
  readonly #mode: MatchMode;
  readonly #speed: number;
  readonly #nearest: number;
  readonly #onRequest: RecordingMockOptions['onRequest'];

  /** @param frames - from `parseRecording` */
  constructor(frames: readonly RecordedFrame[], options: RecordingMockOptions = {}) {
    this.#mode = options.match ?? 'exact';
    this.#speed = options.speed ?? 1;
    this.#nearest = options.nearest ?? 3;
    this.#onRequest = options.onRequest;
    this.#calls = recordedCalls(frames);
    for (const call of this.#calls) {
      const key = matchKey(call.request, this.#mode);
      const list = this.#byKey.get(key) ?? [];
      list.push(call);
      this.#byKey.set(key, list);
    }
  }

  /** Recorded calls that can be answered. */
  get size(): number {
    return this.#calls.length;
  }

  /** The recorded call that answers `request` (each of several equal ones in turn), if any. */
  match(request: { method: string; params?: unknown }): RecordedCall | undefined {
    const key = matchKey(request, this.#mode);
    const list = this.#byKey.get(key);
    if (list === undefined || list.length === 0) return undefined;
    const turn = this.#turn.get(key) ?? 0;
    this.#turn.set(key, turn + 1);
    // After the last one, the last answer is repeated (a client polling again gets the latest state).
    return list[Math.min(turn, list.length - 1)];
  }

  /** The recorded calls nearest to `request`, nearest first. */
  nearest(request: { method: string; params?: unknown }): RecordedCall[] {
    const seen = new Set<string>();
    return this.#calls
      .map((call) => ({ call, d: callDistance(request, call.request) }))
      .sort((a, b) => a.d - b.d)
      .filter(({ call }) => {
        const text = describeCall(call.request);
        if (seen.has(text)) return false;
        seen.add(text);
        return true;
      })
      .slice(0, this.#nearest)
      .map(({ call }) => call);
  }

  /** Serves one client connection (starts the transport; resolves once started). */
  async serve(transport: Transport): Promise<void> {
    const timers = new Set<NodeJS.Timeout>();
    let closed = false;
    transport.onclose = () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    };
    transport.onerror = () => undefined;
    const send = (message: JSONRPCMessage): void => {
      if (!closed) transport.send(message).catch(() => undefined);
    };
    const later = (ms: number, action: () => void): void => {
      if (ms <= 0) {
        action();
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        action();
      }, ms);
      timers.add(timer);
    };
    transport.onmessage = (message) => {
      if (!isRequest(message)) return;
      const call = this.match(message);
      this.#onRequest?.(message, call);
      if (call === undefined) {
        send(this.#unmatched(message));
        return;
      }
      const scale = (ms: number): number => (this.#speed <= 0 ? 0 : ms / this.#speed);
      const token = message.params?._meta?.progressToken;
      // Notifications first, in their recorded order; then the answer (never before them).
      let last = 0;
      for (const n of call.notifications) {
        const progress = n.message.method === 'notifications/progress';
        if (progress && token === undefined) continue;
        const out: JSONRPCMessage = progress
          ? { ...n.message, params: { ...(n.message.params as object), progressToken: token } }
          : n.message;
        last = Math.max(last, scale(n.afterMs));
        later(last, () => send(out));
      }
      later(Math.max(last, scale(call.answerAfterMs)), () => send({ ...call.answer, id: message.id }));
    };
    await transport.start();
  }

  #unmatched(request: JSONRPCRequest): JSONRPCMessage {
    const nearest = this.nearest(request).map((c) => describeCall(c.request));
    const text =
      nearest.length === 0 ? 'the recording has no calls' : `nearest recorded: ${nearest.join('; ')}`;
    return {
      jsonrpc: '2.0',
      id: request.id,
      error: {
        code: UNMATCHED_CODE,
        message: `No recorded call matches ${describeCall(request)} (matching: ${this.#mode}); ${text}`,
        data: { match: this.#mode, nearest },
      },
    };
  }
}
