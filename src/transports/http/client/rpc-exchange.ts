import type { Dispatcher } from 'undici';
import { SwitchboardError } from '../../../errors.js';
import { parseFrame } from '../../../framing/frame-parser.js';
import {
  isResponse,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type JSONRPCResultResponse,
} from '../../../protocol/messages.js';
import { McpHeader, MediaType } from '../shared/headers.js';
import {
  discardBody,
  mediaTypeOf,
  peekBodyText,
  readBodyText,
  sendHttpRequest,
  type HttpRequest,
} from './http-request.js';
import { readSseStream } from './sse-stream-reader.js';

/** What one internal request/response exchange produced. */
export interface ExchangeResult {
  status: number;
  /** `Mcp-Session-Id` of the response, if any. */
  sessionId?: string | undefined;
  /** The response to the request, when the status was 2xx and one arrived. */
  response?: JSONRPCResultResponse | JSONRPCErrorResponse | undefined;
  /** The (bounded) body of a non-2xx response. */
  errorBody?: string | undefined;
  /** `WWW-Authenticate` of a non-2xx response. */
  wwwAuthenticate?: string | undefined;
}

/** `true` for a success response (narrowing that `'result' in m` cannot do on the open message types). */
export function isResultResponse(
  m: JSONRPCResultResponse | JSONRPCErrorResponse,
): m is JSONRPCResultResponse {
  return 'result' in m && typeof m.result === 'object' && m.result !== null;
}

/** Options of {@link exchangeRequest}. */
export interface ExchangeOptions {
  dispatcher?: Dispatcher | undefined;
  maxMessageBytes: number;
  /** Receives the other messages of an SSE response (notifications, server requests). */
  onOther?: ((message: JSONRPCMessage) => void) | undefined;
}

/**
 * POSTs one request the transport itself issues (re-initialize, ping, `server/discover`) and waits for
 * its response, reading a JSON or SSE body. Nothing reaches the SDK unless `onOther` forwards it.
 *
 * @throws SwitchboardError `CONNECTION_FAILED` / `UPSTREAM_TIMEOUT` / `ABORTED` (no response),
 *   `HTTP_ERROR` for an unexpected content type, `FRAME_TOO_LARGE` for an oversized body
 */
export async function exchangeRequest(
  request: Omit<HttpRequest, 'method' | 'body'>,
  message: JSONRPCRequest,
  options: ExchangeOptions,
): Promise<ExchangeResult> {
  const http: HttpRequest = {
    ...request,
    method: 'POST',
    headers: {
      ...request.headers,
      accept: `${MediaType.json}, ${MediaType.eventStream}`,
      'content-type': MediaType.json,
    },
    body: JSON.stringify(message),
  };
  const res = await sendHttpRequest(http, options.dispatcher);
  const sessionId = res.header(McpHeader.sessionId);
  if (res.status < 200 || res.status >= 300) {
    return {
      status: res.status,
      sessionId,
      errorBody: await peekBodyText(res.body),
      wwwAuthenticate: res.header('www-authenticate'),
    };
  }
  let response: JSONRPCResultResponse | JSONRPCErrorResponse | undefined;
  const accept = (m: JSONRPCMessage): void => {
    if (isResponse(m) && m.id === message.id) response = m;
    else options.onOther?.(m);
  };
  const callbacks = { onmessage: accept, onerror: () => undefined };
  const type = mediaTypeOf(res.header('content-type'));
  if (type === MediaType.json) {
    const text = await readBodyText(res.body, options.maxMessageBytes);
    parseFrame(text, callbacks);
  } else if (type === MediaType.eventStream) {
    await readSseStream(
      res.body as AsyncIterable<Uint8Array>,
      {
        onEvent: (event) => {
          if ((event.event === undefined || event.event === 'message') && event.data !== '') {
            parseFrame(event.data, callbacks);
          }
        },
      },
      options.maxMessageBytes,
    );
  } else {
    await discardBody(res.body);
    if (res.status !== 202) {
      throw new SwitchboardError(
        'HTTP_ERROR',
        `Unexpected content type "${type ?? '(none)'}" for a request`,
        {
          details: { status: res.status, contentType: type },
        },
      );
    }
  }
  return { status: res.status, sessionId, response };
}
