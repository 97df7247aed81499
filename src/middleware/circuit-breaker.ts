import type { SamplingBreaker } from 'cockatiel';
import { SwitchboardError } from '../errors.js';
import { loadCockatiel } from '../lazy-modules.js';
import {
  isErrorResponse,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type RequestId,
} from '../protocol/messages.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';
import type { TransportMiddleware } from './pipe.js';
import { cancelledRequestId, isBackendFailureError, isBackendFailureResponse } from './request-outcome.js';
import { TransportDecorator } from './transport-decorator.js';

/** State of a breaker. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Failure ratio over the window that opens the breaker, in (0, 1) (default 0.5). */
  threshold?: number | undefined;
  /** Sampling window, in ms (default 30,000). */
  windowMs?: number | undefined;
  /** Fewest requests in the window before the ratio counts (default 10): quiet backends never trip. */
  minimumRequests?: number | undefined;
  /** How long the breaker stays open before one probe request may pass, in ms (default 10,000). */
  halfOpenAfterMs?: number | undefined;
  /**
   * A request cancelled after running this long counts as a failure (a timeout), in ms (default 60,000,
   * the proxy's request timeout; 0 = cancellations never count).
   */
  timeoutMs?: number | undefined;
  /** Called on every state change. */
  onStateChange?: ((state: BreakerState) => void) | undefined;
}

/** How a request ended, for the breaker. */
type Outcome = 'success' | 'failure' | 'neutral';

/**
 * One circuit breaker for one backend, shared by every connection to it. The failure-rate window is
 * cockatiel's `SamplingBreaker` (rolling buckets over `windowMs`, a minimum volume); the state machine
 * around it is kept here, without cockatiel's promise-per-call `execute()`, because every request of
 * the proxy passes through it and the breaker must cost next to nothing while closed:
 *
 * - **closed**: requests pass; each answer is a sample. When the failure *rate* over the window exceeds
 *   `threshold` (with at least `minimumRequests` samples), the breaker opens.
 * - **open**: requests are refused at once with `CIRCUIT_OPEN` (no queueing). After `halfOpenAfterMs`
 *   the next request passes as a probe.
 * - **half-open**: the probe is out; other requests are refused. Its success closes the breaker (and
 *   clears the window), its failure opens it again.
 *
 * Failures are transport failures, HTTP 5xx/429 from HTTP backends and timeouts — never a tool result
 * with `isError`, nor a JSON-RPC error the backend chose to send.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ threshold: 0.5, windowMs: 30_000 });
 * const backend = pipe(connect('http://10.0.0.5/mcp'), breaker.middleware);
 * breaker.state; // 'closed'
 * ```
 */
export class CircuitBreaker {
  readonly #samplerOptions: ConstructorParameters<typeof SamplingBreaker>[0];
  /** Built at the first sample: cockatiel loads when the backend first answers, not at startup. */
  #sampler: SamplingBreaker | undefined;
  readonly #halfOpenAfterMs: number;
  readonly #timeoutMs: number;
  readonly #onStateChange: ((state: BreakerState) => void) | undefined;
  #state: BreakerState = 'closed';
  #openedAt = 0;

  /**
   * @param options - thresholds, window, probe delay
   * @throws RangeError for a threshold outside (0, 1)
   */
  constructor(options: CircuitBreakerOptions = {}) {
    const windowMs = options.windowMs ?? 30_000;
    const minimumRequests = options.minimumRequests ?? 10;
    this.#halfOpenAfterMs = options.halfOpenAfterMs ?? 10_000;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#onStateChange = options.onStateChange;
    const threshold = options.threshold ?? 0.5;
    // cockatiel checks this when the sampler is built; that is now later, so check it here too.
    if (!(threshold > 0 && threshold < 1)) {
      throw new RangeError(`Circuit breaker threshold should be between (0, 1), got ${threshold}`);
    }
    this.#samplerOptions = {
      threshold,
      duration: windowMs,
      minimumRps: Math.max(minimumRequests, 1) / (windowMs / 1000),
    };
  }

  /** Current state. */
  get state(): BreakerState {
    return this.#state;
  }

  /**
   * `true` while requests are being refused outright: open and the probe delay has not passed yet, or
   * half-open (a probe is out). Readiness checks use it.
   */
  get rejecting(): boolean {
    if (this.#state === 'half-open') return true;
    return this.#state === 'open' && Date.now() - this.#openedAt < this.#halfOpenAfterMs;
  }

  /** The middleware: every transport it wraps shares this breaker. */
  readonly middleware: TransportMiddleware = (inner) => new CircuitBreakerTransport(inner, this);

  /** @internal */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /**
   * Lets a request through (`'pass'`), through as the half-open probe (`'probe'`), or not (`'reject'`).
   * @internal
   */
  admit(): 'pass' | 'probe' | 'reject' {
    if (this.#state === 'closed') return 'pass';
    if (this.#state === 'half-open') return 'reject';
    if (Date.now() - this.#openedAt < this.#halfOpenAfterMs) return 'reject';
    this.#enter('half-open');
    return 'probe';
  }

  /** Records how a request ended. @internal */
  record(outcome: Outcome, probe: boolean): void {
    if (probe) {
      if (this.#state !== 'half-open') return;
      if (outcome === 'success') {
        this.#sample().success(loadCockatiel().CircuitState.HalfOpen);
        this.#enter('closed');
      } else if (outcome === 'failure') {
        this.#sample().failure(loadCockatiel().CircuitState.HalfOpen);
        this.#open();
      } else {
        // The probe told nothing (cancelled early): the next request probes again.
        this.#state = 'open';
      }
      return;
    }
    if (this.#state !== 'closed' || outcome === 'neutral') return;
    const closed = loadCockatiel().CircuitState.Closed;
    if (outcome === 'success') this.#sample().success(closed);
    else if (this.#sample().failure(closed)) this.#open();
  }

  #sample(): SamplingBreaker {
    return (this.#sampler ??= new (loadCockatiel().SamplingBreaker)(this.#samplerOptions));
  }

  #open(): void {
    this.#openedAt = Date.now();
    this.#enter('open');
  }

  #enter(state: BreakerState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#onStateChange?.(state);
  }
}

interface Pending {
  startedAt: number;
  probe: boolean;
}

const openError = (): SwitchboardError =>
  new SwitchboardError(
    'CIRCUIT_OPEN',
    'Backend circuit breaker is open: the backend failed too often recently; try again later',
  );

/** The per-connection side of a {@link CircuitBreaker}. */
class CircuitBreakerTransport extends TransportDecorator {
  readonly #breaker: CircuitBreaker;
  readonly #pending = new Map<RequestId, Pending>();

  constructor(inner: Transport, breaker: CircuitBreaker) {
    super(inner);
    this.#breaker = breaker;
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (!isRequest(message)) {
      const cancelled = cancelledRequestId(message);
      if (cancelled !== undefined) this.#cancelled(cancelled);
      return this.inner.send(message, options);
    }
    const admitted = this.#breaker.admit();
    if (admitted === 'reject') return Promise.reject(openError());
    const id = message.id;
    this.#pending.set(id, { startedAt: Date.now(), probe: admitted === 'probe' });
    return this.inner.send(message, options).catch((error: unknown) => {
      this.#settle(id, isBackendFailureError(error) ? 'failure' : 'neutral');
      throw error;
    });
  }

  override close(): Promise<void> {
    this.#settleAll();
    return super.close();
  }

  protected override receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (this.#pending.size > 0 && isResponse(message) && message.id !== undefined) {
      this.#settle(
        message.id,
        isErrorResponse(message) && isBackendFailureResponse(message.error) ? 'failure' : 'success',
      );
    }
    this.deliver(message, extra);
  }

  protected override handleClose(): void {
    this.#settleAll();
    super.handleClose();
  }

  #cancelled(id: RequestId): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    const timeoutMs = this.#breaker.timeoutMs;
    const timedOut = timeoutMs > 0 && Date.now() - pending.startedAt >= timeoutMs;
    this.#settle(id, timedOut ? 'failure' : 'neutral');
  }

  #settle(id: RequestId, outcome: Outcome): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    this.#breaker.record(outcome, pending.probe);
  }

  #settleAll(): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of all) this.#breaker.record('neutral', p.probe);
  }
}

/**
 * Circuit-breaker middleware. Pass options to get a new breaker shared by every transport this
 * middleware wraps, or pass a {@link CircuitBreaker} to share one you hold (for metrics and readiness).
 *
 * @param options - breaker options (defaults: 50 % over 30 s, at least 10 requests, probe after 10 s)
 * @example
 * ```ts
 * const backend = pipe(connect('tcp://10.0.0.5:7000'), circuitBreaker({ threshold: 0.3 }));
 * ```
 */
export function circuitBreaker(options: CircuitBreakerOptions | CircuitBreaker = {}): TransportMiddleware {
  const breaker = options instanceof CircuitBreaker ? options : new CircuitBreaker(options);
  return breaker.middleware;
}
