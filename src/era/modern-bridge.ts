import { SwitchboardError, toJsonRpcError } from '../errors.js';
import type { JSONRPCNotification, JSONRPCRequest } from '../protocol/messages.js';
import type { Transport } from '../transport.js';
import type { LegacySession } from './legacy-session.js';
import { LegacySessionPool, type LegacySessionPoolOptions } from './legacy-session-pool.js';
import { ModernCall, type CallContext } from './modern-call.js';
import { ModernListens } from './modern-listens.js';
import type { RequestStateSealer } from './request-state.js';

/** Options of {@link ModernBridge}. */
export interface ModernBridgeOptions extends Omit<LegacySessionPoolOptions, 'connect'> {
  /** A fresh, unstarted connection to the 2025-era backend, for a pool scope. */
  connect: (scope: string) => Transport;
  sealer: RequestStateSealer;
  /** How long a parked call (and a server request no call claims) waits for the client, in ms (default 60,000). */
  inputTimeoutMs?: number | undefined;
  /** Most calls in flight or parked at once (default 10,000). */
  maxCalls?: number | undefined;
}

/** Most server→client requests waiting, per session, for a call to carry them. */
const MAX_ORPHANS = 64;

/**
 * The modern-facing half of the era bridge, shared by every client session of one backend: the pool of
 * proxy-owned 2025 sessions, the calls in flight or parked, the listens, and the sealer of request
 * states. Server→client requests are attributed to the call holding their session's call slot; one
 * raised while no call runs (e.g. a `roots/list` right after `initialize`) waits for the session's next
 * call, and is answered with an error if none comes within the input timeout.
 */
export class ModernBridge implements CallContext {
  readonly pool: LegacySessionPool;
  readonly listens = new ModernListens();
  readonly sealer: RequestStateSealer;
  readonly inputTimeoutMs: number;
  readonly #calls = new Map<string, ModernCall>();
  readonly #maxCalls: number;
  readonly #orphans = new Map<LegacySession, { request: JSONRPCRequest; timer: NodeJS.Timeout }[]>();

  /** @param options - backend connection, bounds, sealer */
  constructor(options: ModernBridgeOptions) {
    this.sealer = options.sealer;
    this.inputTimeoutMs = options.inputTimeoutMs ?? 60_000;
    this.#maxCalls = options.maxCalls ?? 10_000;
    this.pool = new LegacySessionPool(options, {
      serverRequest: (session, request) => this.#serverRequest(session, request),
      notification: (session, notification) => this.#notification(session, notification),
      closed: (session) => this.#sessionLost(session),
    });
  }

  /** Calls in flight or parked. */
  get callCount(): number {
    return this.#calls.size;
  }

  /**
   * A new call for `origin`.
   *
   * @throws SwitchboardError `BACKEND_UNAVAILABLE` beyond `maxCalls`
   */
  createCall(origin: { principal: string; method: string; target: string | undefined }): ModernCall {
    if (this.#calls.size >= this.#maxCalls) {
      throw new SwitchboardError('BACKEND_UNAVAILABLE', `Too many calls in flight (${this.#maxCalls})`);
    }
    const call = new ModernCall(this, origin);
    this.#calls.set(call.id, call);
    return call;
  }

  /** The call a sealed state names, if it still exists. */
  call(id: string): ModernCall | undefined {
    return this.#calls.get(id);
  }

  /** A call took its session's slot: it carries the server requests that were waiting for one. */
  adoptOrphans(call: ModernCall, session: LegacySession): void {
    const waiting = this.#orphans.get(session);
    if (waiting === undefined) return;
    this.#orphans.delete(session);
    for (const { request, timer } of waiting) {
      clearTimeout(timer);
      call.addInput(request);
    }
  }

  ended(call: ModernCall): void {
    this.#calls.delete(call.id);
    if (call.session !== undefined && call.session.callSlot === call) this.pool.release(call.session);
  }

  /** Shuts down: every session closed, waiting calls refused. */
  async close(): Promise<void> {
    for (const list of this.#orphans.values()) for (const o of list) clearTimeout(o.timer);
    this.#orphans.clear();
    await this.pool.close();
  }

  #serverRequest(session: LegacySession, request: JSONRPCRequest): void {
    const call = session.callSlot;
    if (call instanceof ModernCall) {
      call.addInput(request);
      return;
    }
    let list = this.#orphans.get(session);
    if (list === undefined) this.#orphans.set(session, (list = []));
    if (list.length >= MAX_ORPHANS) {
      session.answer(request.id, {
        error: new SwitchboardError('BACKEND_UNAVAILABLE', 'Too many requests wait for a 2026-07-28 client'),
      });
      return;
    }
    const entry = {
      request,
      timer: setTimeout(() => {
        const left = this.#orphans.get(session);
        const i = left?.indexOf(entry) ?? -1;
        if (left === undefined || i < 0) return;
        left.splice(i, 1);
        if (left.length === 0) this.#orphans.delete(session);
        session.answer(request.id, {
          error: new SwitchboardError(
            'UPSTREAM_TIMEOUT',
            `No 2026-07-28 request came to carry "${request.method}" to the client (it can only travel as input_required of a call)`,
          ),
        });
      }, this.inputTimeoutMs),
    };
    entry.timer.unref();
    list.push(entry);
  }

  #notification(session: LegacySession, notification: JSONRPCNotification): void {
    const call = session.callSlot instanceof ModernCall ? session.callSlot : undefined;
    switch (notification.method) {
      case 'notifications/message':
        call?.log(notification.params);
        return;
      case 'notifications/cancelled': {
        const id = notification.params?.requestId;
        call?.withdrawInput(id);
        const waiting = this.#orphans.get(session);
        const i = waiting?.findIndex((o) => o.request.id === id) ?? -1;
        if (waiting !== undefined && i >= 0) clearTimeout(waiting.splice(i, 1)[0]?.timer);
        return;
      }
      default:
        // list_changed and resources/updated go to listens; the rest has no 2026-07-28 stream to go on.
        this.listens.dispatch(session.key, notification);
    }
  }

  #sessionLost(session: LegacySession): void {
    const waiting = this.#orphans.get(session);
    for (const o of waiting ?? []) clearTimeout(o.timer);
    this.#orphans.delete(session);
    this.listens.sessionLost(session);
    const call = session.callSlot;
    if (call instanceof ModernCall) {
      call.fail(
        toJsonRpcError(new SwitchboardError('TRANSPORT_CLOSED', 'The backend session ended during the call')),
      );
    }
  }
}
