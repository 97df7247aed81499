import { randomUUID } from 'node:crypto';
import { SwitchboardError } from '../errors.js';
import type {
  JSONRPCErrorObject,
  JSONRPCMessage,
  JSONRPCRequest,
  MessageParams,
  RequestId,
} from '../protocol/messages.js';
import { logLevelPasses, toLegacyResult, toModernResult } from './era-meta.js';
import type { LegacySession } from './legacy-session.js';
import type { RequestStateSealer } from './request-state.js';

/** Where a 2026-07-28 client's answers go: its stage. */
export interface ClientSink {
  /** Delivers a message to the client; `related` names the client request it belongs to. */
  deliver(message: JSONRPCMessage, related?: RequestId): void;
}

/** The 2026-07-28 request currently attached to a call (the original, then each retry). */
export interface LiveRequest {
  sink: ClientSink;
  requestId: RequestId;
  progressToken: string | number | undefined;
  logLevel: string | undefined;
}

/** What a call needs from the bridge around it. */
export interface CallContext {
  sealer: RequestStateSealer;
  /** How long a call waits for its client's retry after `input_required`, in ms. */
  inputTimeoutMs: number;
  /** The call ended: forget it, free the session's call slot. */
  ended(call: ModernCall): void;
}

type Outcome = { result?: Record<string, unknown>; error?: JSONRPCErrorObject };

/** Most notifications a parked call keeps for its client's retry; past it the oldest go. */
const MAX_HELD = 64;

/** A progress or log notification of the 2025 request that came while the call was parked. */
type Held = { progress: MessageParams } | { log: MessageParams | undefined };

/**
 * One 2026-07-28 call (tools/call, prompts/get, resources/read) running on a proxy-owned 2025 session.
 *
 * While the 2025 server works on it, every server→client request it raises (elicitation, sampling,
 * roots) is collected; the client's current request is then answered with `input_required` carrying
 * those requests and a sealed `requestState`, and the call *parks* with the 2025 request still open.
 * The client's retry (a new request with `inputResponses` and that state) attaches to the call: its
 * answers go to the waiting 2025 requests, and whatever the server does next — more input, progress,
 * log messages, the final result — goes to the retry. A call whose client does not come back within
 * `inputTimeoutMs` answers the waiting 2025 requests with an error and cancels its 2025 request, so the
 * server is never left waiting forever.
 */
export class ModernCall {
  readonly id = randomUUID();
  readonly principal: string;
  readonly method: string;
  readonly target: string | undefined;
  /** The session and its request id, once the call runs. */
  session: LegacySession | undefined;
  backendId = 0;
  /** Input rounds issued so far (a sealed state is good for the current round only). */
  round = 0;
  live: LiveRequest | undefined;
  readonly #ctx: CallContext;
  /** Server→client requests not answered yet, by input key. */
  readonly #pending = new Map<string, JSONRPCRequest>();
  /** Keys asked for in the last `input_required`. */
  #asked: string[] = [];
  #final: Outcome | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Progress and log messages that came while parked, for the retry (the server works on meanwhile). */
  #held: Held[] = [];
  #flushQueued = false;
  #ended = false;

  /**
   * @param ctx - sealer, timeout, end hook
   * @param origin - the caller and the originating request (bound into every state)
   */
  constructor(ctx: CallContext, origin: { principal: string; method: string; target: string | undefined }) {
    this.#ctx = ctx;
    this.principal = origin.principal;
    this.method = origin.method;
    this.target = origin.target;
  }

  /** `true` while no client request is attached (waiting for the retry). */
  get parked(): boolean {
    return this.live === undefined && !this.#ended;
  }

  /** The 2025 server raised a request while working on this call. */
  addInput(request: JSONRPCRequest): void {
    if (this.#ended) {
      this.session?.answer(request.id, { error: gone() });
      return;
    }
    this.#pending.set(`input-${String(request.id)}`, request);
    if (this.live !== undefined && !this.#flushQueued) {
      // Requests the server sends back to back go out in one input_required.
      this.#flushQueued = true;
      setImmediate(() => {
        this.#flushQueued = false;
        this.#flush();
      });
    }
  }

  /** The 2025 server withdrew one of its requests (`notifications/cancelled`). */
  withdrawInput(requestId: unknown): void {
    for (const [key, request] of this.#pending) if (request.id === requestId) this.#pending.delete(key);
  }

  /**
   * Progress of the 2025 request: to the attached client request, under its own token; while parked,
   * held for the retry.
   */
  progress(params: MessageParams): void {
    const live = this.live;
    if (live === undefined) return this.#hold({ progress: params });
    if (live.progressToken === undefined) return;
    live.sink.deliver(
      {
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { ...params, progressToken: live.progressToken },
      },
      live.requestId,
    );
  }

  /**
   * A log message of the session: to the attached request, if it asked for logs at that level; while
   * parked, held for the retry (whose level decides).
   */
  log(params: MessageParams | undefined): void {
    const live = this.live;
    if (live === undefined) return this.#hold({ log: params });
    if (live.logLevel === undefined || !logLevelPasses(params?.level, live.logLevel)) return;
    const message: JSONRPCMessage = { jsonrpc: '2.0', method: 'notifications/message' };
    if (params !== undefined) message.params = params;
    live.sink.deliver(message, live.requestId);
  }

  /** The 2025 request finished. */
  finish(outcome: Outcome): void {
    if (this.#ended) return;
    if (this.live === undefined) {
      // Parked: the result waits for the client's retry (which still has to answer, or not, the inputs).
      this.#final = outcome;
      return;
    }
    this.#answer(this.live, outcome);
    this.#end();
  }

  /**
   * A retry of this call's round arrived: attach it, answer the waiting 2025 requests with its
   * `inputResponses`, then continue (the final result if it came meanwhile, else what the server does next).
   */
  resume(live: LiveRequest, inputResponses: unknown): void {
    clearTimeout(this.#timer);
    this.live = live;
    const responses =
      typeof inputResponses === 'object' && inputResponses !== null
        ? (inputResponses as Record<string, unknown>)
        : {};
    for (const key of this.#asked) {
      const request = this.#pending.get(key);
      const response = responses[key];
      if (request === undefined || typeof response !== 'object' || response === null) continue;
      this.#pending.delete(key);
      this.session?.answer(request.id, { result: toLegacyResult(response as Record<string, unknown>) });
    }
    this.#asked = [];
    // What the server reported while the client was away comes first, under the retry's token.
    const held = this.#held;
    this.#held = [];
    for (const h of held) {
      if ('progress' in h) this.progress(h.progress);
      else this.log(h.log);
    }
    if (this.#final !== undefined) {
      this.#answer(live, this.#final);
      this.#end();
      return;
    }
    // Unanswered (or new) requests are asked again, as the spec advises.
    if (this.#pending.size > 0) this.#flush();
  }

  /** The client cancelled the attached request. */
  cancel(reason: string): void {
    if (this.#ended) return;
    if (this.#final === undefined) this.session?.cancel(this.backendId, reason);
    this.#end();
  }

  /** The session was lost: the attached request gets the error; a parked call just ends. */
  fail(error: JSONRPCErrorObject): void {
    if (this.#ended) return;
    if (this.live !== undefined) this.#answer(this.live, { error });
    this.#end();
  }

  #flush(): void {
    const live = this.live;
    if (live === undefined || this.#ended || this.#pending.size === 0) return;
    this.round++;
    const inputRequests: Record<string, unknown> = {};
    for (const [key, request] of this.#pending) {
      inputRequests[key] =
        request.params === undefined
          ? { method: request.method }
          : { method: request.method, params: request.params };
    }
    this.#asked = [...this.#pending.keys()];
    const requestState = this.#ctx.sealer.seal({
      call: this.id,
      round: this.round,
      principal: this.principal,
      method: this.method,
      target: this.target,
    });
    this.live = undefined;
    live.sink.deliver(
      {
        jsonrpc: '2.0',
        id: live.requestId,
        result: { resultType: 'input_required', inputRequests, requestState },
      },
      live.requestId,
    );
    this.#timer = setTimeout(() => this.#expire(), this.#ctx.inputTimeoutMs);
    this.#timer.unref();
  }

  #hold(notification: Held): void {
    if (this.#ended) return;
    if (this.#held.length >= MAX_HELD) this.#held.shift();
    this.#held.push(notification);
  }

  #expire(): void {
    if (!this.parked) return;
    this.cancel('the client did not answer the input request in time');
  }

  #answer(live: LiveRequest, outcome: Outcome): void {
    const message: JSONRPCMessage =
      outcome.result !== undefined
        ? {
            jsonrpc: '2.0',
            id: live.requestId,
            result: toModernResult(this.method, outcome.result, this.#serverInfo()),
          }
        : {
            jsonrpc: '2.0',
            id: live.requestId,
            error: outcome.error ?? { code: -32603, message: 'No result' },
          };
    live.sink.deliver(message, live.requestId);
  }

  #serverInfo(): Record<string, unknown> | undefined {
    const info = this.session?.initResult?.serverInfo;
    return typeof info === 'object' && info !== null ? (info as Record<string, unknown>) : undefined;
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    this.live = undefined;
    this.#held = [];
    for (const request of this.#pending.values()) this.session?.answer(request.id, { error: gone() });
    this.#pending.clear();
    this.#ctx.ended(this);
  }
}

function gone(): SwitchboardError {
  return new SwitchboardError(
    'UPSTREAM_TIMEOUT',
    'The 2026-07-28 client did not answer this request (no retry with inputResponses, or it cancelled)',
  );
}
