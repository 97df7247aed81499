import { randomUUID } from 'node:crypto';
import { JsonRpcCode } from '../../../protocol/json-rpc-codes.js';
import { invalidMessageReason, type JSONRPCMessage } from '../../../protocol/messages.js';
import type { Acceptable } from './content-negotiation.js';
import { replyEmpty, replyError, SESSION_NOT_FOUND_CODE } from './http-reply.js';
import { LegacySseTransport } from './legacy-sse-transport.js';
import { requestExtra } from './request-extra.js';
import type { HttpRuntime, Inbound } from './runtime.js';

/** `GET /sse`: opens a 2024-11-05 session and announces its POST endpoint. */
export function legacyOpen(rt: HttpRuntime, inbound: Inbound, accept: Acceptable): void {
  const { req, res } = inbound;
  if (!accept.sse) {
    replyError(
      res,
      406,
      JsonRpcCode.InvalidRequest,
      'Not Acceptable: the SSE endpoint requires Accept: text/event-stream',
    );
    return;
  }
  if (rt.sessions.size >= rt.maxSessions) {
    replyError(res, 503, JsonRpcCode.ConnectionClosed, 'Too many sessions; try again later', {
      headers: { 'retry-after': '5' },
    });
    return;
  }
  const transport = new LegacySseTransport(randomUUID(), inbound.authInfo?.clientId, res, rt.legacyContext);
  rt.sessions.add(transport);
  transport.openStream(`${rt.messagesPath}?sessionId=${transport.sessionId}`);
  rt.onConnection(transport, {
    era: 'legacy-sse',
    sessionId: transport.sessionId,
    remoteAddress: req.socket.remoteAddress,
    remotePort: req.socket.remotePort,
    authInfo: inbound.authInfo,
  });
}

function sessionIdOf(url: string | undefined): string | undefined {
  const q = url?.indexOf('?') ?? -1;
  if (url === undefined || q === -1) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get('sessionId') ?? undefined;
}

/** The session a `POST /messages?sessionId=…` names, or `undefined` after answering 400/404. */
export function legacyFind(rt: HttpRuntime, inbound: Inbound): LegacySseTransport | undefined {
  const id = sessionIdOf(inbound.req.url);
  if (id === undefined) {
    replyError(
      inbound.res,
      400,
      JsonRpcCode.InvalidRequest,
      'Bad Request: the sessionId query parameter is required',
    );
    return undefined;
  }
  const session = rt.sessions.get(id);
  if (
    !(session instanceof LegacySseTransport) ||
    session.closed ||
    (session.owner !== undefined && session.owner !== inbound.authInfo?.clientId)
  ) {
    replyError(inbound.res, 404, SESSION_NOT_FOUND_CODE, 'Session not found');
    return undefined;
  }
  return session;
}

/** `POST /messages?sessionId=…` with a parsed body: delivers it and answers 202. */
export function legacyPost(
  rt: HttpRuntime,
  inbound: Inbound,
  session: LegacySseTransport,
  body: unknown,
): void {
  const reason = invalidMessageReason(body);
  if (reason !== undefined) {
    replyError(inbound.res, 400, JsonRpcCode.InvalidRequest, `Invalid Request: ${reason}`);
    return;
  }
  if (session.saturated) {
    replyError(inbound.res, 503, JsonRpcCode.ConnectionClosed, 'The session is not accepting messages yet', {
      headers: { 'retry-after': '1' },
    });
    return;
  }
  session.receive(body as JSONRPCMessage, requestExtra(inbound.req, inbound.authInfo, rt.scheme));
  replyEmpty(inbound.res, 202);
}
