import { SwitchboardError, toJsonRpcError } from '../errors.js';
import {
  errorResponse,
  isRequest,
  isRequestId,
  isResponse,
  type JSONRPCErrorObject,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type MessageParams,
  type RequestId,
} from '../protocol/messages.js';
import { MODERN_PROTOCOL_VERSION } from '../protocol/versions.js';
import type { AuthInfo, MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';
import { callerOf } from '../security/policy.js';
import {
  MRTR_METHODS,
  capabilitiesKey,
  modernEnvelopeOf,
  stripEnvelope,
  toLegacyClientCapabilities,
  toModernResult,
  toModernServerCapabilities,
  type ModernEnvelope,
} from './era-meta.js';
import type { LegacySession, SessionIdentity } from './legacy-session.js';
import type { ModernBridge } from './modern-bridge.js';
import { ModernCall, type ClientSink, type LiveRequest } from './modern-call.js';
import type { ListenFilter } from './modern-listens.js';

/** Options of {@link ModernFacingStage}. */
export interface ModernFacingOptions {
  /** Pool scope: the client session id (per-session mode) or a shared scope (shared mode). */
  scope: string;
  /** The session's caller when messages carry no `authInfo` (WebSocket upgrade auth, mTLS). */
  sessionAuth?: AuthInfo | undefined;
  /** Principal of unauthenticated callers (default `anonymous`). */
  fallbackPrincipal?: string | undefined;
  /** Close the scope's sessions when this stage closes (per-session mode). */
  ownsScope?: boolean | undefined;
}

const UNKNOWN_CLIENT = { name: 'unknown-2026-client', version: '0' };

/** `params.name` or `params.uri`: what a sealed state binds besides the method. */
function targetOf(params: MessageParams | undefined): string | undefined {
  const t = params?.name ?? params?.uri;
  return typeof t === 'string' ? t : undefined;
}

function withoutRetryMembers(params: MessageParams | undefined): MessageParams | undefined {
  if (params === undefined || (!('inputResponses' in params) && !('requestState' in params))) return params;
  const out = { ...params };
  delete out.inputResponses;
  delete out.requestState;
  return out;
}

/**
 * The modern-facing stage: serves one 2026-07-28 client session from a backend that speaks only the
 * 2025 era, through the {@link ModernBridge}'s proxy-owned 2025 sessions (it sits where the relay expects
 * the backend). `server/discover` is answered from the session's `initialize`; calls run on a session of
 * their own (so server→client requests map to `input_required` exactly); other requests run on the
 * caller's primary session; `subscriptions/listen` maps to `resources/subscribe` and the 2025 server's
 * unsolicited notifications; `notifications/cancelled` cancels the 2025 request or closes the listen.
 * Results get `resultType`, cache hints and the server's identity.
 */
export class ModernFacingStage implements Transport, ClientSink {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;

  readonly #bridge: ModernBridge;
  readonly #options: ModernFacingOptions;
  /** This client's requests in flight: calls, or plain requests on a session. */
  readonly #live = new Map<RequestId, ModernCall | { session: LegacySession; id: number }>();
  readonly #listens = new Set<RequestId>();
  #closed = false;

  /**
   * @param bridge - the backend's modern-facing half (pool, calls, listens, sealer)
   * @param options - scope and caller
   */
  constructor(bridge: ModernBridge, options: ModernFacingOptions) {
    this.#bridge = bridge;
    this.#options = options;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#closed) return Promise.reject(new SwitchboardError('TRANSPORT_CLOSED', 'Session closed'));
    if (isResponse(message)) return Promise.resolve(); // 2026-07-28 clients send no responses
    if (!isRequest(message)) {
      if (message.method === 'notifications/cancelled') this.#cancelled(message.params?.requestId);
      // Other client notifications (initialized, roots/list_changed) have nothing to say to a 2025
      // session the proxy owns.
      return Promise.resolve();
    }
    const env = modernEnvelopeOf(message);
    const principal = callerOf(
      options?.callerAuth ?? this.#options.sessionAuth,
      this.#options.fallbackPrincipal,
    ).principal;
    const caps = toLegacyClientCapabilities(env?.clientCapabilities ?? {});
    const identity: SessionIdentity = { capabilities: caps, clientInfo: env?.clientInfo ?? UNKNOWN_CLIENT };
    const key = `${this.#options.scope}\u0000${principal}\u0000${capabilitiesKey(caps)}`;
    const run = (): Promise<void> => {
      switch (message.method) {
        case 'server/discover':
          return this.#discover(message, key, identity);
        case 'subscriptions/listen':
          return this.#listen(message, key, identity);
        case 'ping':
          this.deliver({ jsonrpc: '2.0', id: message.id, result: {} });
          return Promise.resolve();
        default:
          return MRTR_METHODS.has(message.method)
            ? this.#call(message, env, { key, identity, principal })
            : this.#plain(message, env, key, identity);
      }
    };
    return run().catch((error: unknown) => this.#fail(message.id, error));
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const entry of this.#live.values()) {
      if (entry instanceof ModernCall) {
        // A parked call may still be resumed by the same caller from another session; a live one ends.
        if (entry.live?.sink === this) entry.cancel('client session closed');
      } else {
        entry.session.cancel(entry.id, 'client session closed');
      }
    }
    this.#live.clear();
    this.#bridge.listens.closeAll(this);
    if (this.#options.ownsScope === true) this.#bridge.pool.closeScope(`${this.#options.scope}\u0000`);
    try {
      this.onclose?.();
    } catch {
      // onclose is the last word.
    }
    return Promise.resolve();
  }

  /** @internal {@link ClientSink}: a message to this stage's client. */
  deliver(message: JSONRPCMessage, related?: RequestId): void {
    if (this.#closed) return;
    if ('id' in message && message.id !== undefined && !('method' in message)) {
      const entry = this.#live.get(message.id);
      if (entry !== undefined) this.#live.delete(message.id);
    }
    try {
      this.onmessage?.(message, related === undefined ? undefined : { relatedRequestId: related });
    } catch (error) {
      try {
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      } catch {
        // A throwing error handler must not break the stage.
      }
    }
  }

  async #discover(message: JSONRPCRequest, key: string, identity: SessionIdentity): Promise<void> {
    const session = await this.#bridge.pool.primary(key, identity);
    const init = session.initResult ?? {};
    const result: Record<string, unknown> = {
      supportedVersions: [MODERN_PROTOCOL_VERSION],
      capabilities: toModernServerCapabilities(init.capabilities),
    };
    if (typeof init.instructions === 'string') result.instructions = init.instructions;
    this.deliver({
      jsonrpc: '2.0',
      id: message.id,
      result: toModernResult(
        'server/discover',
        result,
        init.serverInfo as Record<string, unknown> | undefined,
      ),
    });
  }

  async #listen(message: JSONRPCRequest, key: string, identity: SessionIdentity): Promise<void> {
    const session = await this.#bridge.pool.primary(key, identity);
    const filter = (message.params?.notifications ?? {}) as ListenFilter;
    this.#listens.add(message.id);
    if (!(await this.#bridge.listens.open(this, message.id, session, filter))) {
      this.#listens.delete(message.id);
      throw new SwitchboardError('BACKEND_UNAVAILABLE', 'Too many open subscriptions');
    }
  }

  async #plain(
    message: JSONRPCRequest,
    env: ModernEnvelope | undefined,
    key: string,
    identity: SessionIdentity,
  ): Promise<void> {
    const session = await this.#bridge.pool.primary(key, identity);
    if (env?.logLevel !== undefined) session.ensureLogLevel(env.logLevel);
    const token = message.params?._meta?.progressToken;
    const progressToken = typeof token === 'string' || typeof token === 'number' ? token : undefined;
    const id = session.request(
      message.method,
      stripEnvelope(message.params),
      {
        settle: (outcome) => this.#settlePlain(message, session, outcome),
        progress: (params) => {
          if (progressToken === undefined) return;
          this.deliver(
            { jsonrpc: '2.0', method: 'notifications/progress', params: { ...params, progressToken } },
            message.id,
          );
        },
      },
      progressToken !== undefined,
    );
    this.#live.set(message.id, { session, id });
  }

  #settlePlain(
    message: JSONRPCRequest,
    session: LegacySession,
    outcome: { result?: Record<string, unknown>; error?: JSONRPCErrorObject },
  ): void {
    if (!this.#live.has(message.id)) return; // cancelled meanwhile
    const info = session.initResult?.serverInfo as Record<string, unknown> | undefined;
    this.deliver(
      outcome.result !== undefined
        ? { jsonrpc: '2.0', id: message.id, result: toModernResult(message.method, outcome.result, info) }
        : errorResponse(message.id, outcome.error ?? { code: -32603, message: 'No result' }),
    );
  }

  async #call(
    message: JSONRPCRequest,
    env: ModernEnvelope | undefined,
    who: { key: string; identity: SessionIdentity; principal: string },
  ): Promise<void> {
    const params = message.params;
    const token = params?._meta?.progressToken;
    const live: LiveRequest = {
      sink: this,
      requestId: message.id,
      progressToken: typeof token === 'string' || typeof token === 'number' ? token : undefined,
      logLevel: env?.logLevel,
    };
    if (params?.requestState !== undefined) {
      this.#resume(message, live, who.principal);
      return;
    }
    const call = this.#bridge.createCall({
      principal: who.principal,
      method: message.method,
      target: targetOf(params),
    });
    this.#live.set(message.id, call);
    let session: LegacySession;
    try {
      session = await this.#bridge.pool.acquire(who.key, who.identity, call);
    } catch (error) {
      this.#bridge.ended(call);
      throw error;
    }
    if (this.#live.get(message.id) !== call) {
      // Cancelled while waiting for a session.
      this.#bridge.ended(call);
      this.#bridge.pool.release(session);
      return;
    }
    call.session = session;
    call.live = live;
    if (live.logLevel !== undefined) session.ensureLogLevel(live.logLevel);
    call.backendId = session.request(
      message.method,
      withoutRetryMembers(stripEnvelope(params)),
      { settle: (outcome) => call.finish(outcome), progress: (p) => call.progress(p) },
      live.progressToken !== undefined,
    );
    this.#bridge.adoptOrphans(call, session);
  }

  #resume(message: JSONRPCRequest, live: LiveRequest, principal: string): void {
    const params = message.params;
    const claims = this.#bridge.sealer.open(params?.requestState, principal);
    const call = this.#bridge.call(claims.call);
    if (call === undefined) {
      throw new SwitchboardError(
        'INVALID_REQUEST_STATE',
        'Refused: the call this requestState belongs to has ended',
        {
          details: { reason: 'ended' },
        },
      );
    }
    if (
      claims.method !== message.method ||
      claims.target !== targetOf(params) ||
      call.principal !== principal
    ) {
      throw new SwitchboardError(
        'INVALID_REQUEST_STATE',
        'Refused: the requestState was issued for another request',
        {
          details: { reason: 'mismatch' },
        },
      );
    }
    if (!call.parked || claims.round !== call.round) {
      throw new SwitchboardError('INVALID_REQUEST_STATE', 'Refused: the requestState was already used', {
        details: { reason: 'replayed' },
      });
    }
    this.#live.set(message.id, call);
    call.resume(live, params?.inputResponses);
  }

  #cancelled(requestId: unknown): void {
    if (!isRequestId(requestId)) return;
    if (this.#listens.delete(requestId)) {
      this.#bridge.listens.close(this, requestId);
      return;
    }
    const entry = this.#live.get(requestId);
    if (entry === undefined) return;
    this.#live.delete(requestId);
    if (entry instanceof ModernCall) {
      if (entry.live?.requestId === requestId && entry.live.sink === this)
        entry.cancel('cancelled by the client');
    } else {
      entry.session.cancel(entry.id, 'cancelled by the client');
    }
  }

  #fail(id: RequestId, error: unknown): void {
    this.deliver(errorResponse(id, toJsonRpcError(error)));
  }
}
