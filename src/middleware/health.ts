import { SwitchboardError, toSwitchboardError } from '../errors.js';
import { isResponse, type JSONRPCMessage } from '../protocol/messages.js';
import type { MessageExtraInfo, Transport } from '../transport.js';
import type { TransportMiddleware } from './pipe.js';
import { TransportDecorator } from './transport-decorator.js';

/** Options of {@link health}. */
export interface HealthOptions {
  /** How often to check an idle backend, in ms (default 30,000). */
  intervalMs?: number | undefined;
  /** How long a ping may take, in ms (default 10,000). */
  timeoutMs?: number | undefined;
  /** Consecutive failed pings after which the backend is declared dead and closed (default 3). */
  failures?: number | undefined;
  /** Called for each failed ping, with the count of consecutive failures. */
  onFailure?: ((consecutive: number, error: SwitchboardError) => void) | undefined;
}

const PING_PREFIX = 'switchboard-health-';
let pingCounter = 0;

/**
 * Health monitoring of a backend connection: when nothing was heard from the backend for `intervalMs`,
 * it sends a `ping` (its answer is consumed here). Any answer — even "method not found" from a
 * 2026-07-28 server, which has no `ping` — proves the backend alive. After `failures` pings in a row
 * without an answer within `timeoutMs`, the backend is declared dead: the wrapped transport is closed
 * with a `CONNECTION_FAILED` error naming the health check, so a supervisor (the proxy's
 * `SupervisedBackend`) restarts it. Pings start once the backend has answered something (the session is
 * established).
 *
 * Wrap the *raw* backend connection (inside the supervisor), not what the relay talks to.
 *
 * @param options - interval, timeout, failures
 * @example
 * ```ts
 * new Proxy({ connectBackend: () => pipe(connect('tcp://10.0.0.5:7000'), health({ intervalMs: 10_000 })) });
 * ```
 */
export function health(options: HealthOptions = {}): TransportMiddleware {
  return (inner) => new HealthTransport(inner, options);
}

class HealthTransport extends TransportDecorator {
  readonly #interval: number;
  readonly #timeout: number;
  readonly #maxFailures: number;
  readonly #onFailure: ((consecutive: number, error: SwitchboardError) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  #pingId: string | undefined;
  #lastHeard = Date.now();
  #established = false;
  #failures = 0;
  #closed = false;

  constructor(inner: Transport, options: HealthOptions) {
    super(inner);
    this.#interval = options.intervalMs ?? 30_000;
    this.#timeout = options.timeoutMs ?? 10_000;
    this.#maxFailures = Math.max(1, options.failures ?? 3);
    this.#onFailure = options.onFailure;
  }

  override async start(): Promise<void> {
    await super.start();
    if (this.#interval <= 0) return;
    this.#timer = setInterval(() => this.#tick(), Math.max(10, Math.min(this.#interval, this.#timeout)));
    this.#timer.unref();
  }

  override close(): Promise<void> {
    this.#stop();
    return super.close();
  }

  protected override receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    this.#lastHeard = Date.now();
    if (isResponse(message)) {
      if (this.#pingId !== undefined && message.id === this.#pingId) {
        this.#answered();
        return;
      }
      this.#established = true;
    }
    this.deliver(message, extra);
  }

  protected override handleClose(): void {
    this.#stop();
    super.handleClose();
  }

  #tick(): void {
    if (this.#closed || !this.#established || this.#pingId !== undefined) return;
    if (Date.now() - this.#lastHeard < this.#interval) return;
    const id = `${PING_PREFIX}${++pingCounter}`;
    this.#pingId = id;
    this.#pingTimer = setTimeout(
      () =>
        this.#failed(
          new SwitchboardError('UPSTREAM_TIMEOUT', `no answer to ping within ${this.#timeout} ms`),
        ),
      this.#timeout,
    );
    this.#pingTimer.unref();
    this.inner.send({ jsonrpc: '2.0', id, method: 'ping' }).catch((error: unknown) => {
      if (this.#pingId === id) this.#failed(toSwitchboardError(error, 'CONNECTION_FAILED'));
    });
  }

  #answered(): void {
    clearTimeout(this.#pingTimer);
    this.#pingId = undefined;
    this.#failures = 0;
  }

  #failed(cause: SwitchboardError): void {
    clearTimeout(this.#pingTimer);
    this.#pingId = undefined;
    if (this.#closed) return;
    this.#failures++;
    const error = new SwitchboardError(
      'HEALTH_CHECK_FAILED',
      `Backend health check failed (${this.#failures} of ${this.#maxFailures}): ${cause.message}`,
      { cause },
    );
    this.#onFailure?.(this.#failures, error);
    if (this.#failures < this.#maxFailures) return;
    this.#stop();
    // Reported as a connection failure so that a supervisor names the cause when it restarts.
    this.reportError(
      new SwitchboardError(
        'CONNECTION_FAILED',
        `Backend declared dead: ${this.#failures} health checks failed`,
        {
          cause: error,
          details: { reason: 'health-check' },
        },
      ),
    );
    void this.inner.close().catch(() => undefined);
  }

  #stop(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    clearTimeout(this.#pingTimer);
  }
}
