import { isUtf8 } from 'node:buffer';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RawEncoding } from '../../../framing/frame-message.js';
import { errorResponse, type RequestId } from '../../../protocol/messages.js';

/**
 * JSON-RPC code of "Session not found" answers (404), as the official SDK sends them (-32001, the
 * implementation-defined server-error range).
 */
export const SESSION_NOT_FOUND_CODE = -32001;

/**
 * Answers with a JSON body (status, `Content-Type`, `Content-Length` and extra headers in one write).
 *
 * @param body - JSON text, or the bytes of a framed message (written as they are, in one writev)
 */
export function replyJson(
  res: ServerResponse,
  status: number,
  body: string | RawEncoding,
  headers?: OutgoingHttpHeaders,
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const raw = typeof body !== 'string';
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': raw ? body.byteLength : Buffer.byteLength(body),
  });
  if (!raw) {
    res.end(body);
    return;
  }
  // One piece (a small frame): with end(), so headers and body leave in one write.
  if (body.parts.length === 1) {
    res.end(asChunk(body.parts[0] as Buffer));
    return;
  }
  writeParts(res, body.parts);
  res.end();
}

/** Bodies up to this size are handed to Node as text (see {@link asChunk}). */
const TEXT_BYTES = 16 * 1024;

/**
 * A small body as text when it is valid UTF-8 (always, for a frame that was read as JSON): Node joins a
 * text body to the head and writes one string, where a Buffer body takes the writev path with its
 * bookkeeping. The bytes on the wire are the same: valid UTF-8 decodes and encodes back unchanged.
 */
export function asChunk(bytes: Buffer): string | Buffer {
  return bytes.length <= TEXT_BYTES && isUtf8(bytes) ? bytes.toString('utf8') : bytes;
}

/**
 * Writes pieces in order, corked so they leave together; returns what the last `write()` returned.
 */
export function writeParts(res: ServerResponse, parts: readonly (string | Buffer)[]): boolean {
  res.cork();
  let accepted = true;
  for (const part of parts) accepted = res.write(part);
  res.uncork();
  return accepted;
}

/** Options of {@link replyError}. */
export interface ReplyErrorOptions {
  /** The id of the request the error answers, when it is known. */
  id?: RequestId | undefined;
  data?: unknown;
  headers?: OutgoingHttpHeaders | undefined;
}

/**
 * Answers with an HTTP error status and a JSON-RPC error body (without `id` unless one is given, as the
 * transports spec allows for transport-level refusals).
 */
export function replyError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  options: ReplyErrorOptions = {},
): void {
  const error = options.data === undefined ? { code, message } : { code, message, data: options.data };
  replyJson(res, status, JSON.stringify(errorResponse(options.id, error)), options.headers);
}

/** Answers with a status and no body (202 Accepted, 405 with `Allow`, …). */
export function replyEmpty(res: ServerResponse, status: number, headers?: OutgoingHttpHeaders): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, headers);
  res.end();
}
