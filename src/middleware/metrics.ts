import { performance } from 'node:perf_hooks';
import {
  isErrorResponse,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type RequestId,
} from '../protocol/messages.js';
import { isToolErrorResult } from '../framing/frame-message.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';
import { TOOL_ERROR, errorTypeLabel } from '../observability/metric-labels.js';
import type { OperationSide, SwitchboardMetrics } from '../observability/metrics-registry.js';
import type { TransportMiddleware } from './pipe.js';
import { TransportDecorator } from './transport-decorator.js';

/** Options of {@link metrics}. */
export interface MetricsMiddlewareOptions {
  /** Where to count. */
  metrics: SwitchboardMetrics;
  /**
   * `server` (default): the wrapped transport faces a *client* — requests arrive, answers are sent.
   * `client`: it faces a *backend* — requests are sent, answers arrive.
   */
  side?: OperationSide | undefined;
  /**
   * Count message bytes (`switchboard_message_bytes_total`, server side only). Costs one extra
   * `JSON.stringify` per message (default false).
   */
  measureBytes?: boolean | undefined;
}

interface Started {
  method: string;
  at: number;
}

/**
 * Counts requests by method and outcome, observes their duration, tracks requests in flight and
 * (optionally) bytes. On the `server` side it feeds `mcp_server_operation_duration_seconds`,
 * `switchboard_requests_total` and `switchboard_requests_in_flight`; on the `client` side
 * `mcp_client_operation_duration_seconds`.
 *
 * @param options - the registry, the side, bytes on/off
 * @example
 * ```ts
 * const metrics = new SwitchboardMetrics();
 * listen('tcp://127.0.0.1:7000', { onConnection: (t) => proxy.accept(pipe(t, metricsMiddleware({ metrics }))) });
 * ```
 */
export function metrics(options: MetricsMiddlewareOptions): TransportMiddleware {
  return (inner) => new MetricsTransport(inner, options);
}

class MetricsTransport extends TransportDecorator {
  readonly #metrics: SwitchboardMetrics;
  readonly #side: OperationSide;
  readonly #bytes: boolean;
  readonly #started = new Map<RequestId, Started>();

  constructor(inner: Transport, options: MetricsMiddlewareOptions) {
    super(inner);
    this.#metrics = options.metrics;
    this.#side = options.side ?? 'server';
    this.#bytes = (options.measureBytes ?? false) && this.#side === 'server';
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#bytes) this.#metrics.bytes('out', Buffer.byteLength(JSON.stringify(message)));
    if (this.#side === 'server') this.#answered(message);
    else if (isRequest(message)) this.#start(message.id, message.method);
    return this.inner.send(message, options);
  }

  override close(): Promise<void> {
    this.#abandonAll();
    return super.close();
  }

  protected override receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (this.#bytes) this.#metrics.bytes('in', Buffer.byteLength(JSON.stringify(message)));
    if (this.#side === 'client') this.#answered(message);
    else if (isRequest(message)) this.#start(message.id, message.method);
    this.deliver(message, extra);
  }

  protected override handleClose(): void {
    this.#abandonAll();
    super.handleClose();
  }

  #start(id: RequestId, method: string): void {
    if (this.#side === 'server') this.#metrics.requestStarted();
    this.#started.set(id, { method, at: performance.now() });
  }

  #answered(message: JSONRPCMessage): void {
    if (!isResponse(message) || message.id === undefined) return;
    const started = this.#started.get(message.id);
    if (started === undefined) return;
    this.#started.delete(message.id);
    const errorType = isErrorResponse(message)
      ? errorTypeLabel(message.error)
      : isToolErrorResult(message)
        ? TOOL_ERROR
        : undefined;
    this.#metrics.operation(this.#side, started.method, (performance.now() - started.at) / 1000, errorType);
  }

  #abandonAll(): void {
    if (this.#side === 'server')
      for (let i = 0; i < this.#started.size; i++) this.#metrics.requestAbandoned();
    this.#started.clear();
  }
}
