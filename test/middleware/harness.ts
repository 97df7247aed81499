import { SwitchboardError, toJsonRpcError } from '../../src/errors.js';
import { pipe, type TransportMiddleware } from '../../src/middleware/pipe.js';
import {
  errorResponse,
  isRequest,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '../../src/protocol/messages.js';
import type { Transport, TransportSendOptions } from '../../src/transport.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';

/** A scripted backend behind middleware: the test sees every request that reached it and answers. */
export interface Rig {
  /** The decorated transport (what a relay or SDK client would use). */
  transport: Transport;
  /** Messages that reached the backend. */
  atBackend: JSONRPCMessage[];
  /** Messages delivered out of the middleware to its user. */
  delivered: JSONRPCMessage[];
  /** Answers a request from the backend side. */
  reply: (message: JSONRPCMessage) => Promise<void>;
  close: () => Promise<void>;
}

/**
 * Builds a rig: an in-memory pair whose far side is driven by `onRequest` (or by the test through
 * `reply`), with `middleware` wrapped around the near side.
 */
export async function rig(
  middleware: TransportMiddleware[],
  onRequest?: (request: JSONRPCRequest, reply: (m: JSONRPCMessage) => Promise<void>) => void,
  wrapInner: (t: Transport) => Transport = (t) => t,
): Promise<Rig> {
  const [near, far] = InMemoryTransport.createLinkedPair();
  const atBackend: JSONRPCMessage[] = [];
  const delivered: JSONRPCMessage[] = [];
  const reply = (m: JSONRPCMessage): Promise<void> => far.send(m);
  far.onmessage = (m) => {
    atBackend.push(m);
    if (isRequest(m)) onRequest?.(m, reply);
  };
  const transport = pipe(wrapInner(near), ...middleware);
  transport.onmessage = (m) => delivered.push(m);
  await far.start();
  await transport.start();
  return { transport, atBackend, delivered, reply, close: () => transport.close() };
}

/** A request message. */
export const request = (id: RequestId, method: string, params?: Record<string, unknown>): JSONRPCRequest => ({
  jsonrpc: '2.0',
  id,
  method,
  ...(params ? { params } : {}),
});

/** The error response the proxy's supervisor sends for a request in flight when the backend died. */
export const backendDied = (id: RequestId): JSONRPCMessage =>
  errorResponse(
    id,
    toJsonRpcError(
      new SwitchboardError(
        'BACKEND_UNAVAILABLE',
        'The backend exited during the request (incident 0badc0de)',
        {
          details: { incident: '0badc0de' },
        },
      ),
    ),
  );

/** A successful response. */
export const ok = (id: RequestId, result: Record<string, unknown> = {}): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  result,
});

/**
 * Wraps a transport so that its next `failures` sends reject with `error` (without sending): stands in
 * for a connection that could not be established.
 */
export function failingSends(failures: number, error: () => Error): (t: Transport) => Transport {
  return (inner) => {
    let left = failures;
    const wrapper: Transport = {
      start: () => inner.start(),
      close: () => inner.close(),
      send: (message: JSONRPCMessage, options?: TransportSendOptions) => {
        if (left > 0) {
          left--;
          return Promise.reject(error());
        }
        return inner.send(message, options);
      },
    };
    inner.onmessage = (m, extra) => wrapper.onmessage?.(m, extra);
    inner.onclose = () => wrapper.onclose?.();
    inner.onerror = (e) => wrapper.onerror?.(e);
    return wrapper;
  };
}

/** Lets queued microtasks (promise chains) run, with fake timers installed or not. */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
