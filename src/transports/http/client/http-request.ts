import type { Dispatcher } from 'undici';
import { loadUndici } from '../../../lazy-modules.js';
import { SwitchboardError } from '../../../errors.js';
import { ERROR_BODY_PEEK_BYTES, httpStatusError, networkError } from './http-errors.js';

/** The body of a response: undici's readable, consumed once. */
export type ResponseBody = Dispatcher.ResponseData['body'];

/** One HTTP exchange to send. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Idle time allowed between body chunks; `0` disables (SSE streams). */
  bodyTimeoutMs?: number | undefined;
  /** Time allowed until response headers arrive. */
  headersTimeoutMs?: number | undefined;
}

/** A response whose headers have arrived; the body is still to be read (or discarded). */
export interface HttpResponse {
  status: number;
  /** Reads one header (lower-case name); repeated headers are joined with `, `. */
  header(name: string): string | undefined;
  body: ResponseBody;
}

/**
 * Sends one request through undici (keep-alive connection reuse, no redirects followed) and resolves
 * when the response headers arrive.
 *
 * @param dispatcher - undici dispatcher (default: the global one, so `setGlobalDispatcher(new ProxyAgent())`
 *   is honoured)
 * @throws SwitchboardError `CONNECTION_FAILED` / `UPSTREAM_TIMEOUT` / `ABORTED` when no response arrives
 */
export async function sendHttpRequest(request: HttpRequest, dispatcher?: Dispatcher): Promise<HttpResponse> {
  const { url } = request;
  let data: Dispatcher.ResponseData;
  try {
    data = await (dispatcher ?? loadUndici().getGlobalDispatcher()).request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers: request.headers,
      body: request.body ?? null,
      signal: request.signal ?? null,
      ...(request.bodyTimeoutMs === undefined ? {} : { bodyTimeout: request.bodyTimeoutMs }),
      ...(request.headersTimeoutMs === undefined ? {} : { headersTimeout: request.headersTimeoutMs }),
    });
  } catch (error) {
    throw networkError(error, { method: request.method, url, signal: request.signal });
  }
  const headers = data.headers;
  return {
    status: data.statusCode,
    header(name) {
      const value = headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    body: data.body,
  };
}

/** `true` when `text` takes more than `maxBytes` bytes as UTF-8 (measured only when it could). */
export function exceedsBytes(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true;
  return text.length * 3 > maxBytes && Buffer.byteLength(text) > maxBytes;
}

/** The media type of a `Content-Type` value, lower case, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/**
 * Reads a whole body as UTF-8, refusing more than `maxBytes`.
 *
 * @throws SwitchboardError `FRAME_TOO_LARGE` (the rest of the body is discarded; the connection is
 *   dropped rather than drained)
 */
export async function readBodyText(body: ResponseBody, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      throw new SwitchboardError(
        'FRAME_TOO_LARGE',
        `Response body exceeds the limit of ${maxBytes} bytes (maxMessageBytes)`,
        { details: { limit: maxBytes } },
      );
    }
    chunks.push(chunk);
  }
  return chunks.length === 1
    ? (chunks[0] as Buffer).toString('utf8')
    : Buffer.concat(chunks, size).toString('utf8');
}

/** Reads at most `limit` bytes of a body for diagnostics and discards the rest. Never throws. */
export async function peekBodyText(body: ResponseBody, limit = ERROR_BODY_PEEK_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (size < limit) chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
      if (size >= limit * 4) {
        // Enough: don't download a huge error page just to keep the connection.
        body.destroy();
        break;
      }
    }
  } catch {
    // A broken error body still leaves us with the status code.
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Consumes and discards a body so its connection returns to the keep-alive pool. Never throws. */
export async function discardBody(body: ResponseBody): Promise<void> {
  try {
    await body.dump({ limit: ERROR_BODY_PEEK_BYTES });
  } catch {
    // Nothing to do: the connection is simply not reused.
  }
}

/** Builds the coded error of a non-success response, reading (a bounded part of) its body. */
export async function failedResponseError(
  response: HttpResponse,
  request: Pick<HttpRequest, 'method' | 'url'>,
): Promise<SwitchboardError> {
  const body = await peekBodyText(response.body);
  return httpStatusError({
    status: response.status,
    method: request.method,
    url: request.url,
    body,
    wwwAuthenticate: response.header('www-authenticate'),
    location: response.header('location'),
  });
}

/**
 * Runs `send`, and on HTTP 401 asks `onUnauthorized` whether a refreshed token is available; if so,
 * runs `send` once more (which reads the token again). Any other response is returned as is.
 */
export async function withAuthRetry(
  send: () => Promise<HttpResponse>,
  url: URL,
  onUnauthorized:
    | ((challenge: { url: URL; wwwAuthenticate: string | undefined }) => boolean | Promise<boolean>)
    | undefined,
): Promise<HttpResponse> {
  const res = await send();
  if (res.status !== 401 || onUnauthorized === undefined) return res;
  const wwwAuthenticate = res.header('www-authenticate');
  let retry: boolean;
  try {
    retry = await onUnauthorized({ url, wwwAuthenticate });
  } catch (cause) {
    await discardBody(res.body);
    throw new SwitchboardError(
      'AUTH_REQUIRED',
      'The server requires authorization and refreshing it failed',
      {
        cause,
        details: { status: 401, ...(wwwAuthenticate === undefined ? {} : { wwwAuthenticate }) },
      },
    );
  }
  if (!retry) return res;
  await discardBody(res.body);
  return send();
}
