import type { Transport } from '../transport.js';

/**
 * A transport decorator: takes the inner transport and returns one that wraps it. Options are bound when
 * the middleware is created (`retry({ maxRetries: 2 })`), state per connection when it is applied, and
 * per message inside the returned transport (the three lifetimes of tRPC links).
 */
export type TransportMiddleware = (inner: Transport) => Transport;

/**
 * Composes middleware around a transport: `pipe(base, a, b)` is `b(a(base))`, so the **last** middleware is
 * the outermost one — the first to see what is sent, the last to see what is received. Falsy entries are
 * skipped, which keeps conditional chains readable.
 *
 * @param base - the transport to decorate (unstarted)
 * @param middleware - decorators, innermost first
 * @returns the outermost transport (the base itself when nothing applies)
 * @example
 * ```ts
 * const backend = pipe(connect('tcp://10.0.0.5:7000'), circuitBreaker(), retry(), options.trace && tracing());
 * await client.connect(backend);
 * ```
 */
export function pipe(
  base: Transport,
  ...middleware: readonly (TransportMiddleware | false | null | undefined)[]
): Transport {
  let transport = base;
  for (const m of middleware) if (m) transport = m(transport);
  return transport;
}

/**
 * Composes middleware into one (innermost first), for handing a whole chain around as a value.
 *
 * @example
 * ```ts
 * const resilient = compose(circuitBreaker(), retry());
 * const backend = resilient(connect('ws://127.0.0.1:8080/mcp'));
 * ```
 */
export function compose(
  ...middleware: readonly (TransportMiddleware | false | null | undefined)[]
): TransportMiddleware {
  return (inner) => pipe(inner, ...middleware);
}
