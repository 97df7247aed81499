import { JsonRpcCode } from '../../../protocol/json-rpc-codes.js';
import { declaredProtocolVersion } from '../../../protocol/versions.js';
import {
  invalidMessageReason,
  isRequest,
  isResponse,
  type JSONRPCMessage,
} from '../../../protocol/messages.js';
import type { Acceptable } from './content-negotiation.js';
import { unsupportedVersion } from './era-detection.js';
import { headerMismatch } from './header-validation.js';
import { replyEmpty, replyError } from './http-reply.js';
import { requestExtra } from './request-extra.js';
import type { HttpRuntime, Inbound } from './runtime.js';

/**
 * A 2026-07-28 POST: one request or notification with matching `MCP-Protocol-Version`, `Mcp-Method`,
 * `Mcp-Name` and `Mcp-Param-*` headers (400 + -32020 otherwise), handed to the shared stateless transport.
 * `Mcp-Session-Id` and `Last-Event-ID` are ignored, as the spec asks.
 */
export function statelessPost(
  rt: HttpRuntime,
  inbound: Inbound,
  body: unknown,
  headerVersion: string | undefined,
  accept: Acceptable,
): void {
  const { req, res } = inbound;
  const reason = invalidMessageReason(body);
  if (reason !== undefined) {
    replyError(res, 400, JsonRpcCode.InvalidRequest, `Invalid Request: ${reason}`);
    return;
  }
  const message = body as JSONRPCMessage;
  if (isResponse(message)) {
    replyError(
      res,
      400,
      JsonRpcCode.InvalidRequest,
      'Invalid Request: clients must not send responses in protocol 2026-07-28',
    );
    return;
  }
  const id = isRequest(message) ? message.id : undefined;
  const claimed = declaredProtocolVersion(message.params);
  if (headerVersion === undefined) {
    replyError(
      res,
      400,
      JsonRpcCode.HeaderMismatch,
      'Header mismatch: the MCP-Protocol-Version header is required',
      { id },
    );
    return;
  }
  if (claimed !== headerVersion) {
    replyError(
      res,
      400,
      JsonRpcCode.HeaderMismatch,
      `Header mismatch: MCP-Protocol-Version header value '${headerVersion}' does not match body value '${String(claimed)}'`,
      { id },
    );
    return;
  }
  const transport = rt.stateless(inbound);
  const supported = transport.supportedProtocolVersions;
  if (supported !== undefined && !supported.includes(headerVersion)) {
    const refusal = unsupportedVersion(headerVersion, rt.eras);
    replyError(res, refusal.status, refusal.code, refusal.message, { id, data: refusal.data });
    return;
  }
  if (transport.closed) {
    replyError(
      res,
      503,
      JsonRpcCode.ConnectionClosed,
      'The server is not serving protocol 2026-07-28 requests',
      { id },
    );
    return;
  }
  if (transport.saturated) {
    replyError(res, 503, JsonRpcCode.ConnectionClosed, 'The server is not accepting messages yet', {
      id,
      headers: { 'retry-after': '1' },
    });
    return;
  }
  const extra = requestExtra(req, inbound.authInfo, rt.scheme);
  if (!isRequest(message)) {
    transport.handleNotification(message, extra);
    replyEmpty(res, 202);
    return;
  }
  if (message.method === 'subscriptions/listen' && !accept.sse) {
    replyError(
      res,
      406,
      JsonRpcCode.InvalidRequest,
      'Not Acceptable: subscriptions/listen needs Accept: text/event-stream',
      { id },
    );
    return;
  }
  const mismatch = headerMismatch(req.headers, message, rt.tools);
  if (mismatch !== undefined) {
    replyError(res, 400, JsonRpcCode.HeaderMismatch, mismatch, { id });
    return;
  }
  transport.handleRequest(res, message, accept, extra);
}
