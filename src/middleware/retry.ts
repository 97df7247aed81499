import type { ExponentialBackoff } from 'cockatiel';
import { toJsonRpcError } from '../errors.js';
import { loadCockatiel } from '../lazy-modules.js';
import {
  errorResponse,
  isErrorResponse,
  isRequest,
  isResponse,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '../protocol/messages.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';
import type { TransportMiddleware } from './pipe.js';
import {
  IDEMPOTENT_METHODS,
  cancelledRequestId,
  isBackendFailureError,
  isBackendFailureResponse,
  isUnsentError,
} from './request-outcome.js';
import { paramOf } from '../framing/frame-message.js';
import { TransportDecorator } from './transport-decorator.js';

/** Facts about one retry, for metrics and logs. */
export interface RetryEvent {
  method: string;
  id: RequestId;
  /** 1 for the first retry. */
  attempt: number;
  /** The backoff before this retry, in ms. */
  delayMs: number;
}

/** Options of {@link retry}. */
export interface RetryOptions {
  /** Retries after the first attempt (default 2). */
  maxRetries?: number | undefined;
  /** First backoff, in ms (default 100). */
  initialDelayMs?: number | undefined;
  /** Longest backoff, in ms (default 5,000). */
  maxDelayMs?: number | undefined;
  /**
   * Requests re-sent after a backend failure even though they reached the backend: idempotent ones only
   * (default {@link IDEMPOTENT_METHODS}; `tools/call` is never in it unless you add it).
   */
  methods?: readonly string[] | undefined;
  /** Tools whose `tools/call` may be re-sent too (known to be idempotent; default none). */
  tools?: readonly string[] | undefined;
  /** Called before each retry's backoff. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

interface Failure {
  error?: unknown;
  response?: JSONRPCErrorResponse;
}
/** A failed attempt that may be tried again. */
class Retryable extends Error {
  constructor(readonly failure: Failure) {
    super('retryable');
  }
}
/** A failed attempt that must not be tried again. */
class Final extends Error {
  constructor(readonly failure: Failure) {
    super('final');
  }
}
/** The request was cancelled or the connection closed: stop quietly. */
class Abandoned extends Error {}

type Outcome = { retry: JSONRPCErrorResponse } | undefined;
interface Awaiting {
  message: JSONRPCRequest;
  options: TransportSendOptions | undefined;
  answered: (outcome: Outcome) => void;
}

interface Settings {
  maxRetries: number;
  /** cockatiel's backoff, built at the first retry (most requests never retry). */
  backoff: () => ExponentialBackoff<unknown>;
  methods: ReadonlySet<string>;
  tools: ReadonlySet<string>;
  onRetry: ((event: RetryEvent) => void) | undefined;
}

/**
 * Re-sends requests that failed in a way that makes a second try safe, with exponential backoff and
 * decorrelated jitter (cockatiel):
 *
 * - any request whose `send()` failed before it left (transport not started or closed, connection
 *   refused, send queue full, HTTP 429);
 * - idempotent requests ({@link RetryOptions.methods}) that failed after they left: the backend died with
 *   them in flight (the proxy's supervisor answers those with `BACKEND_UNAVAILABLE` and restarts the
 *   backend), a transport error, HTTP 5xx.
 *
 * `tools/call` is never re-sent after it left unless configured (`methods` or `tools`). A client's
 * `notifications/cancelled` (or the proxy's timeout) stops the retries of that request. The last
 * failure is passed on unchanged.
 *
 * Place it *outside* a {@link import('./circuit-breaker.js').CircuitBreaker}: each attempt then counts
 * for the breaker, and an open breaker (`CIRCUIT_OPEN`) is not retried.
 *
 * @param options - attempts, delays, which methods
 * @example
 * ```ts
 * const backend = pipe(connect('ws://127.0.0.1:8080/mcp'), circuitBreaker(), retry({ maxRetries: 3 }));
 * ```
 */
export function retry(options: RetryOptions = {}): TransportMiddleware {
  let backoff: ExponentialBackoff<unknown> | undefined;
  const settings: Settings = {
    maxRetries: options.maxRetries ?? 2,
    backoff: () =>
      (backoff ??= new (loadCockatiel().ExponentialBackoff)({
        initialDelay: options.initialDelayMs ?? 100,
        maxDelay: options.maxDelayMs ?? 5_000,
      })),
    methods: new Set(options.methods ?? IDEMPOTENT_METHODS),
    tools: new Set(options.tools ?? []),
    onRetry: options.onRetry,
  };
  return (inner) => new RetryTransport(inner, settings);
}

class RetryTransport extends TransportDecorator {
  readonly #settings: Settings;
  /** Idempotent requests sent and waiting for their answer. */
  readonly #awaiting = new Map<RequestId, Awaiting>();
  /** Retry loops running, by request id. */
  readonly #loops = new Map<RequestId, AbortController>();
  #closed = false;

  constructor(inner: Transport, settings: Settings) {
    super(inner);
    this.#settings = settings;
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (!isRequest(message)) {
      const cancelled = cancelledRequestId(message);
      if (cancelled !== undefined) this.#abandon(cancelled);
      return this.inner.send(message, options);
    }
    const tracked = this.#idempotent(message);
    if (tracked) {
      this.#awaiting.set(message.id, {
        message,
        options,
        answered: (outcome) => {
          if (outcome)
            this.#retry(message, options, { response: outcome.retry }, true, true).catch(() => undefined);
        },
      });
    }
    return this.inner.send(message, options).catch((error: unknown) => {
      if (tracked) this.#awaiting.delete(message.id);
      if (this.#closed || !(isUnsentError(error) || (tracked && isBackendFailureError(error)))) throw error;
      return this.#retry(message, options, { error }, tracked, false);
    });
  }

  override close(): Promise<void> {
    this.#stopAll();
    return super.close();
  }

  protected override receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (this.#awaiting.size > 0 && isResponse(message) && message.id !== undefined) {
      const awaiting = this.#awaiting.get(message.id);
      if (awaiting !== undefined) {
        this.#awaiting.delete(message.id);
        if (!this.#closed && isErrorResponse(message) && isBackendFailureResponse(message.error)) {
          awaiting.answered({ retry: message });
          return;
        }
        awaiting.answered(undefined);
      }
    }
    this.deliver(message, extra);
  }

  protected override handleClose(): void {
    this.#stopAll();
    super.handleClose();
  }

  #idempotent(message: JSONRPCRequest): boolean {
    if (this.#settings.methods.has(message.method)) return true;
    if (message.method !== 'tools/call' || this.#settings.tools.size === 0) return false;
    const name = paramOf(message, 'name');
    return typeof name === 'string' && this.#settings.tools.has(name);
  }

  /**
   * Runs the retries of one request after its first attempt failed with `first`. Resolves once an
   * attempt left (or at once when the first attempt had left); a final failure before anything left
   * rejects, a later one is delivered as the request's error response.
   */
  #retry(
    message: JSONRPCRequest,
    options: TransportSendOptions | undefined,
    first: Failure,
    tracked: boolean,
    alreadySent: boolean,
  ): Promise<void> {
    const id = message.id;
    this.#loops.get(id)?.abort();
    const controller = new AbortController();
    this.#loops.set(id, controller);
    let sent = alreadySent;
    let resolveSent!: () => void;
    let rejectSent!: (error: unknown) => void;
    const sentPromise = new Promise<void>((resolve, reject) => {
      resolveSent = resolve;
      rejectSent = reject;
    });
    if (sent) resolveSent();
    const markSent = (): void => {
      if (!sent) {
        sent = true;
        resolveSent();
      }
    };

    const { handleWhen, retry: retryPolicy } = loadCockatiel();
    const policy = retryPolicy(
      handleWhen((e) => e instanceof Retryable),
      { maxAttempts: this.#settings.maxRetries, backoff: this.#settings.backoff() },
    );
    const onRetry = this.#settings.onRetry;
    if (onRetry) {
      policy.onRetry(({ delay, attempt }) =>
        onRetry({ method: message.method, id, attempt, delayMs: delay }),
      );
    }
    let skip: Failure | undefined = first;
    policy
      .execute(async ({ signal }) => {
        if (skip !== undefined) {
          const failure = skip;
          skip = undefined;
          throw new Retryable(failure);
        }
        if (signal.aborted || this.#closed) throw new Abandoned();
        const answer = tracked
          ? new Promise<Outcome>((answered) => this.#awaiting.set(id, { message, options, answered }))
          : undefined;
        try {
          await this.inner.send(message, options);
        } catch (error) {
          this.#awaiting.delete(id);
          if (isUnsentError(error) || (tracked && isBackendFailureError(error)))
            throw new Retryable({ error });
          throw new Final({ error });
        }
        markSent();
        const outcome = answer ? await answer : undefined;
        if (outcome) throw new Retryable({ response: outcome.retry });
      }, controller.signal)
      .catch((error: unknown) => {
        const failure = error instanceof Retryable || error instanceof Final ? error.failure : undefined;
        if (failure?.response !== undefined) {
          if (!this.#closed) this.deliver(failure.response);
          markSent();
        } else if (failure !== undefined) {
          if (!sent) rejectSent(failure.error);
          else if (!this.#closed) this.deliver(errorResponse(id, toJsonRpcError(failure.error)));
        } else markSent();
      })
      .finally(() => {
        if (this.#loops.get(id) === controller) this.#loops.delete(id);
      })
      .catch(() => undefined);
    return sentPromise;
  }

  #abandon(id: RequestId): void {
    const awaiting = this.#awaiting.get(id);
    this.#awaiting.delete(id);
    awaiting?.answered(undefined);
    const loop = this.#loops.get(id);
    if (loop === undefined) return;
    this.#loops.delete(id);
    loop.abort();
  }

  #stopAll(): void {
    this.#closed = true;
    const awaiting = [...this.#awaiting.values()];
    this.#awaiting.clear();
    for (const a of awaiting) a.answered(undefined);
    for (const loop of this.#loops.values()) loop.abort();
    this.#loops.clear();
  }
}
