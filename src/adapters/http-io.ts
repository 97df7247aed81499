import type { IncomingMessage, ServerResponse } from 'node:http';
import { SwitchboardError } from '../errors.js';
import { JsonRpcCode } from '../protocol/json-rpc-codes.js';
import { readBody } from '../transports/http/server/body-reader.js';
import { isJsonContentType } from '../transports/http/server/content-negotiation.js';
import { replyJson } from '../transports/http/server/http-reply.js';
import type { AdapterErrorBody, MappedError } from './error-status.js';

/**
 * Answers with a JSON body.
 *
 * @param value - anything `JSON.stringify` accepts (`undefined` becomes `null`)
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers?: Record<string, string>,
): void {
  replyJson(res, status, JSON.stringify(value ?? null), headers);
}

/**
 * Answers with `{ "error": … }` (and `result`, for a tool's own error).
 *
 * @param status - the HTTP status
 */
export function sendError(
  res: ServerResponse,
  status: number,
  error: AdapterErrorBody,
  options: { headers?: Record<string, string> | undefined; result?: unknown } = {},
): void {
  sendJson(
    res,
    status,
    options.result === undefined ? { error } : { error, result: options.result },
    options.headers,
  );
}

/** Answers with a {@link MappedError}. */
export function sendMapped(res: ServerResponse, mapped: MappedError): void {
  sendError(res, mapped.status, mapped.error, { headers: mapped.headers });
}

/** A request body that could not be used; the answer has been sent. */
export const REFUSED: unique symbol = Symbol('refused body');

/**
 * Reads a JSON object body (an empty body is `{}`), answering the refusals itself: 415 for another
 * content type, 413 over `maxBytes`, 400 for bad JSON or a body that is not an object.
 *
 * @returns the object, or {@link REFUSED} when an answer was sent
 */
export async function readJsonObject(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
): Promise<Record<string, unknown> | typeof REFUSED> {
  let raw: Buffer;
  try {
    raw = await readBody(req, maxBytes);
  } catch (error) {
    if (error instanceof SwitchboardError && error.code === 'FRAME_TOO_LARGE') {
      sendError(
        res,
        413,
        { code: JsonRpcCode.InvalidRequest, message: error.message },
        { headers: { connection: 'close' } },
      );
    } else res.destroy();
    return REFUSED;
  }
  if (raw.length === 0 || raw.toString('utf8').trim() === '') return {};
  if (!isJsonContentType(req.headers['content-type'])) {
    sendError(res, 415, {
      code: JsonRpcCode.InvalidRequest,
      message: 'Unsupported Media Type: send the arguments as application/json',
    });
    return REFUSED;
  }
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    sendError(res, 400, { code: JsonRpcCode.ParseError, message: 'The body is not valid JSON' });
    return REFUSED;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    sendError(res, 400, { code: JsonRpcCode.InvalidRequest, message: 'The body must be a JSON object' });
    return REFUSED;
  }
  return value as Record<string, unknown>;
}

/**
 * An abort signal that fires when the client goes away before the answer is complete (the response's
 * connection closes first), which cancels the MCP request behind it.
 */
export function disconnectSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new SwitchboardError('ABORTED', 'The HTTP client went away'));
  });
  return controller.signal;
}
