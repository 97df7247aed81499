import type { JSONRPCMessage } from '../protocol/messages.js';
import type { MessageExtraInfo, TransportSendOptions } from '../transport.js';
import { forwardedParamHeaders } from '../era/param-headers.js';

/**
 * What a relay passes to the backend with a client message: the caller (`callerAuth`, for stages that act
 * per principal) and, for a 2026-07-28 `tools/call` that came over HTTP, its `Mcp-Param-*` headers (the
 * spec says intermediaries MUST forward them, unknown ones included). `undefined` when there is nothing:
 * the common case costs two property reads.
 */
export function sendOptionsFor(
  message: JSONRPCMessage,
  extra: MessageExtraInfo | undefined,
): TransportSendOptions | undefined {
  if (extra === undefined) return undefined;
  const authInfo = extra.authInfo;
  const headers =
    message.method === 'tools/call' ? forwardedParamHeaders(extra.requestInfo?.headers) : undefined;
  if (authInfo === undefined && headers === undefined) return undefined;
  const options: TransportSendOptions = {};
  if (authInfo !== undefined) options.callerAuth = authInfo;
  if (headers !== undefined) options.headers = headers;
  return options;
}

/** What a relay passes to the frontend with a backend message: the client request it belongs to, if known. */
export function relatedOptionsFor(extra: MessageExtraInfo | undefined): TransportSendOptions | undefined {
  const related = extra?.relatedRequestId;
  return related === undefined ? undefined : { relatedRequestId: related };
}
