import {
  ServerResponse,
  type IncomingMessage,
  type OutgoingHttpHeader,
  type OutgoingHttpHeaders,
} from 'node:http';

type HeaderArgs = OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;

/**
 * A `ServerResponse` class whose responses carry `headers` (the listener's security headers) unless
 * the handler set a header of the same name — with `setHeader` before, or in `writeHead` — so a handler
 * still overrides one (`Cache-Control` of a cacheable page). The headers are added when the head is
 * written (`writeHead`, or the first `write`/`end`), not when the request arrives: a response whose
 * handler sets no header with `setHeader` passes everything to `writeHead` as one array, which costs
 * Node neither `setHeader` calls nor a header map (five `setHeader` calls per request were one of the
 * larger costs of a proxied MCP request, and of its garbage).
 *
 * Unlike headers set at the start, they are not visible to `getHeader` before the head is written, and
 * `removeHeader` cannot drop one: set the header to another value instead.
 *
 * @param headers - `[name, value]` pairs with lower-case names (at most 30)
 * @returns the class, for `http.createServer({ ServerResponse })`
 * @example
 * ```ts
 * http.createServer({ ServerResponse: securedResponseClass([['x-frame-options', 'DENY']]) }, handler);
 * ```
 */
export function securedResponseClass(headers: readonly (readonly [string, string])[]): typeof ServerResponse {
  const names = headers.map(([name]) => name);
  const values = headers.map(([, value]) => value);
  const index = new Map(names.map((name, i) => [name, i]));
  /** Bit i set: the handler named header i itself. */
  const bitOf = (name: unknown): number => {
    if (typeof name !== 'string') return 0;
    const i = index.get(name) ?? index.get(name.toLowerCase());
    return i === undefined ? 0 : 1 << i;
  };
  const named = (given: HeaderArgs): number => {
    let mask = 0;
    if (Array.isArray(given)) {
      // Flat `[name, value, …]` or `[[name, value], …]`, as Node accepts both.
      if (given.length > 0 && Array.isArray(given[0])) {
        for (const pair of given as unknown as unknown[][]) mask |= bitOf(pair[0]);
      } else for (let i = 0; i < given.length; i += 2) mask |= bitOf(given[i]);
    } else if (given !== undefined) {
      for (const key in given) if (Object.hasOwn(given, key)) mask |= bitOf(key);
    }
    return mask;
  };

  return class SecuredResponse<
    Request extends IncomingMessage = IncomingMessage,
  > extends ServerResponse<Request> {
    /** A header was set with `setHeader`/`appendHeader`: the head is merged the ordinary way. */
    #progressive = false;

    override setHeader(name: string, value: number | string | readonly string[]): this {
      this.#progressive = true;
      return super.setHeader(name, value);
    }

    override appendHeader(name: string, value: string | readonly string[]): this {
      this.#progressive = true;
      return super.appendHeader(name, value);
    }

    override writeHead(
      statusCode: number,
      reasonOrHeaders?: string | HeaderArgs,
      maybeHeaders?: HeaderArgs,
    ): this {
      const reason = typeof reasonOrHeaders === 'string' ? reasonOrHeaders : undefined;
      const given = typeof reasonOrHeaders === 'string' ? maybeHeaders : reasonOrHeaders;
      const mask = named(given);
      if (this.#progressive) {
        for (let i = 0; i < names.length; i++) {
          const name = names[i] as string;
          if ((mask & (1 << i)) === 0 && !this.hasHeader(name)) super.setHeader(name, values[i] as string);
        }
        return reason === undefined
          ? super.writeHead(statusCode, given)
          : super.writeHead(statusCode, reason, given);
      }
      // Only writeHead: the security headers the handler did not name, then the handler's, in one array.
      const all: OutgoingHttpHeader[] = [];
      for (let i = 0; i < names.length; i++) {
        if ((mask & (1 << i)) === 0) all.push(names[i] as string, values[i] as string);
      }
      if (Array.isArray(given)) {
        if (given.length > 0 && Array.isArray(given[0])) {
          for (const pair of given as unknown as OutgoingHttpHeader[][])
            all.push(pair[0] as string, pair[1] as string);
        } else for (const item of given) all.push(item);
      } else if (given !== undefined) {
        for (const key in given)
          if (Object.hasOwn(given, key)) all.push(key, given[key] as OutgoingHttpHeader);
      }
      return reason === undefined
        ? super.writeHead(statusCode, all)
        : super.writeHead(statusCode, reason, all);
    }
  };
}
