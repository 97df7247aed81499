import { performance } from 'node:perf_hooks';
import {
  isErrorResponse,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type RequestId,
} from '../protocol/messages.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';
import { redactPayload } from '../observability/redact.js';
import type { TransportMiddleware } from './pipe.js';
import { TransportDecorator } from './transport-decorator.js';

/** The part of a logger (pino's shape) the logging middleware uses. */
export interface DebugLogger {
  debug(object: Record<string, unknown>, message: string): void;
}

/** Options of {@link logging}. */
export interface LoggingOptions {
  logger: DebugLogger;
  /** Session id written with every line. */
  session?: string | undefined;
  /** Include (redacted, bounded) params and results (default true). */
  payloads?: boolean | undefined;
}

interface Started {
  method: string;
  at: number;
  params: unknown;
}

/**
 * Debug logs of the requests passing through a transport that faces a client: one line per answered
 * request with the session, request id, method, outcome and duration, plus its params and result when
 * `payloads` is on — always redacted (`redactPayload`) and bounded. Install it only when the logger is
 * at debug level: it is meant for troubleshooting, not for production info logs.
 *
 * @example
 * ```ts
 * if (log.isLevelEnabled('debug')) frontend = pipe(frontend, logging({ logger: log, session: id }));
 * ```
 */
export function logging(options: LoggingOptions): TransportMiddleware {
  return (inner) => new LoggingTransport(inner, options);
}

class LoggingTransport extends TransportDecorator {
  readonly #log: DebugLogger;
  readonly #session: string | undefined;
  readonly #payloads: boolean;
  readonly #started = new Map<RequestId, Started>();

  constructor(inner: Transport, options: LoggingOptions) {
    super(inner);
    this.#log = options.logger;
    this.#session = options.session;
    this.#payloads = options.payloads ?? true;
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isResponse(message) && message.id !== undefined) {
      const started = this.#started.get(message.id);
      if (started !== undefined) {
        this.#started.delete(message.id);
        const line: Record<string, unknown> = {
          session: this.#session,
          requestId: message.id,
          method: started.method,
          outcome: isErrorResponse(message) ? 'error' : 'ok',
          durationMs: Math.round((performance.now() - started.at) * 100) / 100,
        };
        if (isErrorResponse(message))
          line.error = { code: message.error.code, message: message.error.message };
        if (this.#payloads) {
          line.params = started.params;
          if (!isErrorResponse(message)) line.result = redactPayload(message.result);
        }
        this.#log.debug(line, 'request');
      }
    } else if (message.method !== undefined && this.#payloads) {
      this.#log.debug(
        {
          session: this.#session,
          direction: 'to-client',
          method: message.method,
          params: redactPayload(message.params),
        },
        isRequest(message) ? 'server request' : 'notification',
      );
    }
    return this.inner.send(message, options);
  }

  protected override receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (isRequest(message)) {
      this.#started.set(message.id, {
        method: message.method,
        at: performance.now(),
        params: this.#payloads ? redactPayload(message.params) : undefined,
      });
    } else if (message.method !== undefined && this.#payloads) {
      this.#log.debug(
        {
          session: this.#session,
          direction: 'from-client',
          method: message.method,
          params: redactPayload(message.params),
        },
        'notification',
      );
    }
    this.deliver(message, extra);
  }
}
