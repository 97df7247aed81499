import { SwitchboardError, toJsonRpcError, toSwitchboardError } from '../errors.js';
import {
  errorResponse,
  isErrorResponse,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type MessageParams,
} from '../protocol/messages.js';
import type { Transport } from '../transport.js';

/** Options of {@link RpcClient}. */
export interface RpcClientOptions {
  /** Prefix of the ids of our requests (they never meet a client's: this connection is ours alone). */
  idPrefix: string;
  /** Answers a server→client request; a throw becomes an error answer. Default: method not found. */
  onRequest?: ((method: string, params: MessageParams | undefined) => Record<string, unknown>) | undefined;
  /** Server notifications. */
  onNotification?: ((message: JSONRPCNotification) => void) | undefined;
  onError?: ((error: Error) => void) | undefined;
}

interface Pending {
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: SwitchboardError) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The smallest JSON-RPC requester over a {@link Transport}: the gateway's own session with each server
 * (initialize, lists, list_changed). Results are kept as the server sent them (no schema parsing, so
 * nothing a server lists is lost on the way). Error answers reject with a `SwitchboardError` whose
 * `details.rpcCode`/`details.rpcMessage` carry the server's error.
 */
export class RpcClient {
  readonly #transport: Transport;
  readonly #options: RpcClientOptions;
  readonly #pending = new Map<string, Pending>();
  #next = 0;
  #closed = false;

  /**
   * @param transport - an unstarted connection to the server (it becomes this client's)
   * @param options - id prefix, handlers
   */
  constructor(transport: Transport, options: RpcClientOptions) {
    this.#transport = transport;
    this.#options = options;
    transport.onmessage = (message) => this.#receive(message);
    transport.onerror = (error) => this.#options.onError?.(error);
    transport.onclose = () => this.#failAll(new SwitchboardError('TRANSPORT_CLOSED', 'Connection closed'));
  }

  /** Starts the transport. */
  start(): Promise<void> {
    return this.#transport.start();
  }

  /**
   * Sends a request and waits for its result.
   *
   * @param timeoutMs - how long to wait for the answer (0: as long as it takes)
   * @throws SwitchboardError `UPSTREAM_TIMEOUT`, `TRANSPORT_CLOSED`, or `INTERNAL` for an error answer
   */
  request(
    method: string,
    params: MessageParams | undefined,
    timeoutMs: number,
  ): Promise<Record<string, unknown>> {
    if (this.#closed) return Promise.reject(new SwitchboardError('TRANSPORT_CLOSED', 'Connection closed'));
    const id = `${this.#options.idPrefix}${++this.#next}`;
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.#pending.delete(id);
              reject(
                new SwitchboardError('UPSTREAM_TIMEOUT', `${method} got no answer within ${timeoutMs} ms`),
              );
            }, timeoutMs)
          : undefined;
      this.#pending.set(id, { resolve, reject, timer });
      const message: JSONRPCMessage = { jsonrpc: '2.0', id, method, ...(params ? { params } : {}) };
      this.#transport.send(message).catch((error: unknown) => {
        const entry = this.#pending.get(id);
        if (!entry) return;
        this.#pending.delete(id);
        clearTimeout(entry.timer);
        reject(toSwitchboardError(error, 'CONNECTION_FAILED'));
      });
    });
  }

  /** Sends a notification. */
  notify(method: string, params?: MessageParams): Promise<void> {
    return this.#transport.send({ jsonrpc: '2.0', method, ...(params ? { params } : {}) });
  }

  /** Fails every request waiting for an answer (e.g. the server restarted under us). */
  failPending(error: SwitchboardError): void {
    this.#failAll(error);
  }

  /** Closes the transport (idempotent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#failAll(new SwitchboardError('TRANSPORT_CLOSED', 'Connection closed'));
    await this.#transport.close();
  }

  #failAll(error: SwitchboardError): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(error);
    }
  }

  #receive(message: JSONRPCMessage): void {
    try {
      if (isResponse(message)) {
        const id = typeof message.id === 'string' ? message.id : undefined;
        const entry = id === undefined ? undefined : this.#pending.get(id);
        if (!entry || id === undefined) return;
        this.#pending.delete(id);
        clearTimeout(entry.timer);
        if (isErrorResponse(message)) {
          const e = message.error;
          entry.reject(
            new SwitchboardError('INTERNAL', e.message, {
              details: { rpcCode: e.code, rpcMessage: e.message },
            }),
          );
        } else entry.resolve(message.result);
        return;
      }
      if (isRequest(message)) {
        let answer: JSONRPCMessage;
        try {
          const handler = this.#options.onRequest;
          if (!handler) {
            throw new SwitchboardError('UNROUTABLE', `Method not found: ${message.method}`);
          }
          answer = { jsonrpc: '2.0', id: message.id, result: handler(message.method, message.params) };
        } catch (error) {
          answer = errorResponse(message.id, toJsonRpcError(error));
        }
        this.#transport.send(answer).catch(() => undefined);
        return;
      }
      this.#options.onNotification?.(message);
    } catch (error) {
      this.#options.onError?.(toSwitchboardError(error));
    }
  }
}
