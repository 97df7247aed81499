import { SwitchboardError, toJsonRpcError } from '../errors.js';
import { TransportDecorator } from '../middleware/transport-decorator.js';
import type { TransportMiddleware } from '../middleware/pipe.js';
import {
  errorResponse,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type JSONRPCResultResponse,
  type RequestId,
} from '../protocol/messages.js';
import type { AuthInfo, MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';
import type { AccessControl } from './access-control.js';
import { callerOf, type Caller } from './policy.js';

/** Options of {@link accessGuard}. */
export interface AccessGuardOptions {
  access: AccessControl;
  /** The session's caller when messages carry no `authInfo` (WebSocket upgrade auth, mTLS). */
  sessionAuth?: AuthInfo | undefined;
  /** Principal of unauthenticated callers: `cert:<fingerprint>`, `ip:<address>`… (default `anonymous`). */
  fallbackPrincipal?: string | undefined;
  /** Take rate-limit tokens here (default true; off where the HTTP edge already did). */
  rateLimit?: boolean | undefined;
  /**
   * Filter list results for the caller (default true). Off for the REST/GraphQL adapters: their one
   * session lists the whole catalog and they filter what each caller sees themselves.
   */
  filterLists?: boolean | undefined;
  /** Most list requests awaiting their (filtered) result at once (default 10 000). */
  maxPendingLists?: number | undefined;
}

const keyOf = (id: string | number): string => `${typeof id}:${id}`;

/**
 * Frontend-side decorator enforcing the {@link AccessControl} on one client session: a refused request
 * is answered on the spot with a JSON-RPC error (`-32003` policy, `-32004` rate limit, with
 * `data.retryAfterMs`) and never reaches the backend; list results (`tools/list`, `resources/list`,
 * `resources/templates/list`, `prompts/list`) are filtered on their way back to the client.
 */
export class AccessGuardTransport extends TransportDecorator {
  readonly #o: AccessGuardOptions;
  readonly #pending = new Map<string, { method: string; caller: Caller }>();
  readonly #maxPending: number;

  /** @param inner - the frontend transport (unstarted) */
  constructor(inner: Transport, options: AccessGuardOptions) {
    super(inner);
    this.#o = options;
    this.#maxPending = options.maxPendingLists ?? 10_000;
  }

  protected override receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (isRequest(message)) {
      const caller = callerOf(extra?.authInfo ?? this.#o.sessionAuth, this.#o.fallbackPrincipal);
      const refusal = this.#o.access.check(message.method, message.params, caller, {
        rateLimit: this.#o.rateLimit,
      });
      if (refusal !== undefined) {
        this.#answer(message.id, refusal);
        return;
      }
      if (this.#o.filterLists !== false && this.#o.access.filters(message.method)) {
        // Bounded: beyond the bound a list request is refused (never relayed, whose result would then
        // have to go back unfiltered).
        if (this.#pending.size >= this.#maxPending) {
          this.#answer(
            message.id,
            new SwitchboardError('RATE_LIMITED', 'Too many list requests in flight', {
              details: { retryAfterMs: 1000 },
            }),
          );
          return;
        }
        this.#pending.set(keyOf(message.id), { method: message.method, caller });
      }
    }
    this.deliver(message, extra);
  }

  #answer(id: RequestId, error: SwitchboardError): void {
    this.inner
      .send(errorResponse(id, toJsonRpcError(error)), { relatedRequestId: id })
      .catch((e: unknown) => this.reportError(e instanceof Error ? e : new Error(String(e))));
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isResponse(message) && message.id !== undefined && this.#pending.size > 0) {
      const key = keyOf(message.id);
      const pending = this.#pending.get(key);
      this.#pending.delete(key);
      if (pending !== undefined && !('error' in message)) {
        const result = this.#o.access.filterResult(pending.method, message.result, pending.caller);
        return super.send({ ...message, result: result as JSONRPCResultResponse['result'] }, options);
      }
    }
    return super.send(message, options);
  }
}

/**
 * The {@link AccessGuardTransport} as middleware.
 *
 * @example
 * ```ts
 * const guarded = pipe(frontend, accessGuard({ access, fallbackPrincipal: `ip:${info.remoteAddress}` }));
 * ```
 */
export function accessGuard(options: AccessGuardOptions): TransportMiddleware {
  return (inner) => new AccessGuardTransport(inner, options);
}
