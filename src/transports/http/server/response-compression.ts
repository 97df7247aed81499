import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import zlib from 'node:zlib';

/** Content codings the HTTP server can apply (Node 20's zlib has no zstd; Node ≥ 22.15 would). */
export type HttpContentCoding = 'br' | 'gzip';

/** Options of {@link withResponseCompression}. */
export interface HttpCompressionOptions {
  /** Codings offered, in order of preference when the client accepts several (default `['br', 'gzip']`). */
  encodings?: readonly HttpContentCoding[] | undefined;
  /** JSON bodies smaller than this stay uncompressed, in bytes (default 1024). SSE streams always compress. */
  minBytes?: number | undefined;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The coding to use for a request's `Accept-Encoding` (RFC 9110 §12.5.3: q-values, `*`, `identity`),
 * or `undefined` for none.
 */
export function negotiateEncoding(
  header: string | undefined,
  offered: readonly HttpContentCoding[],
): HttpContentCoding | undefined {
  if (header === undefined || header === '') return undefined;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (name !== '') q.set(name, Number.isFinite(value) ? value : 0);
  }
  let best: HttpContentCoding | undefined;
  let bestQ = 0;
  for (const coding of offered) {
    const value = q.get(coding) ?? q.get('*') ?? 0;
    if (value > bestQ) {
      best = coding;
      bestQ = value;
    }
  }
  return best;
}

const isCompressible = (type: string): { sse: boolean } | undefined => {
  const t = type.split(';')[0]?.trim().toLowerCase();
  if (t === 'text/event-stream') return { sse: true };
  if (t === 'application/json') return { sse: false };
  return undefined;
};

function headerValue(
  headers: OutgoingHttpHeaders | undefined,
  res: ServerResponse,
  name: string,
): string | undefined {
  const fromArgs = headers ? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1] : undefined;
  const value = fromArgs ?? res.getHeader(name);
  return value === undefined ? undefined : String(value);
}

/**
 * Wraps a request handler so that JSON bodies and SSE streams are sent with `Content-Encoding` gzip or
 * br, as the client's `Accept-Encoding` allows. SSE streams are flushed after every write, so each
 * event reaches the client at once (never held in the compressor); JSON bodies under `minBytes` and
 * every other response pass untouched. Backpressure still works: the response's `drain` and
 * `writableLength` reflect the compressed bytes waiting for the socket.
 *
 * This is an HTTP-edge concern: it decorates the response of one exchange (the way compression
 * middleware for Node's http does), never a transport.
 *
 * @param handler - the server's request handler
 * @param options - codings and threshold
 * @example
 * ```ts
 * http.createServer(withResponseCompression(router.handle, { encodings: ['gzip'] }));
 * ```
 */
export function withResponseCompression(handler: Handler, options: HttpCompressionOptions = {}): Handler {
  const offered = options.encodings ?? ['br', 'gzip'];
  const minBytes = options.minBytes ?? 1024;
  return (req, res) => {
    const accept = req.headers['accept-encoding'];
    const coding =
      req.method === 'HEAD'
        ? undefined
        : negotiateEncoding(Array.isArray(accept) ? accept.join(',') : accept, offered);
    if (coding !== undefined) compressResponse(res, coding, minBytes);
    handler(req, res);
  };
}

function compressResponse(res: ServerResponse, coding: HttpContentCoding, minBytes: number): void {
  const writeHead = res.writeHead.bind(res);
  const write = res.write.bind(res) as (chunk: string | Buffer) => boolean;
  const end = res.end.bind(res) as (chunk?: string | Buffer) => ServerResponse;
  let encoder: zlib.Gzip | zlib.BrotliCompress | undefined;
  let sse = false;
  // `res.headersSent` stays false until the first byte goes out: track our own writeHead.
  let headed = false;

  const start = (
    headers: OutgoingHttpHeaders | undefined,
    status: number,
  ): OutgoingHttpHeaders | undefined => {
    const type = headerValue(headers, res, 'content-type');
    const kind = type === undefined ? undefined : isCompressible(type);
    if (kind === undefined || status < 200 || status === 204 || status === 304) return headers;
    if (headerValue(headers, res, 'content-encoding') !== undefined) return headers;
    const length = headerValue(headers, res, 'content-length');
    if (!kind.sse && length !== undefined && Number(length) < minBytes) return headers;
    sse = kind.sse;
    encoder =
      coding === 'br'
        ? zlib.createBrotliCompress({
            params: {
              [zlib.constants.BROTLI_PARAM_QUALITY]: 4,
              ...(length === undefined ? {} : { [zlib.constants.BROTLI_PARAM_SIZE_HINT]: Number(length) }),
            },
          })
        : zlib.createGzip();
    encoder.on('data', (chunk: Buffer) => write(chunk));
    encoder.on('end', () => end());
    encoder.on('error', () => res.destroy());
    res.on('close', () => encoder?.destroy());
    res.removeHeader('content-length');
    const out: OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() !== 'content-length') out[k] = v;
    out['content-encoding'] = coding;
    out.vary = 'accept-encoding';
    return out;
  };

  const flush = (): void => {
    if (encoder === undefined) return;
    if (coding === 'br') encoder.flush(zlib.constants.BROTLI_OPERATION_FLUSH);
    else encoder.flush(zlib.constants.Z_SYNC_FLUSH);
  };

  res.writeHead = (status: number, ...rest: unknown[]) => {
    headed = true;
    const message = typeof rest[0] === 'string' ? rest[0] : undefined;
    const raw = (typeof rest[0] === 'string' ? rest[1] : rest[0]) as OutgoingHttpHeaders | undefined;
    const headers = Array.isArray(raw) ? raw : start(raw, status);
    return message === undefined ? writeHead(status, headers) : writeHead(status, message, headers);
  };

  res.write = ((chunk: string | Buffer, ...rest: unknown[]) => {
    if (!headed && !res.headersSent) res.writeHead(res.statusCode);
    if (encoder === undefined) return write(chunk);
    encoder.write(chunk);
    if (sse) flush();
    const callback = rest.find((r): r is () => void => typeof r === 'function');
    callback?.();
    return !res.writableNeedDrain;
  }) as typeof res.write;

  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'function') {
      rest.unshift(chunk);
      chunk = undefined;
    }
    if (!headed && !res.headersSent) res.writeHead(res.statusCode);
    if (encoder === undefined) return end(chunk as string | Buffer | undefined);
    const callback = rest.find((r): r is () => void => typeof r === 'function');
    if (callback) res.once('finish', callback);
    if (chunk !== undefined && chunk !== null) encoder.write(chunk);
    encoder.end();
    return res;
  }) as typeof res.end;
}
