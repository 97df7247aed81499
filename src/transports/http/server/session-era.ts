import { randomUUID } from 'node:crypto';
import { JsonRpcCode } from '../../../protocol/json-rpc-codes.js';
import { invalidMessageReason, isRequest, type JSONRPCMessage } from '../../../protocol/messages.js';
import { isFramedMessage } from '../../../framing/frame-message.js';
import { McpHeader } from '../shared/headers.js';
import type { Acceptable } from './content-negotiation.js';
import { replyEmpty, replyError, SESSION_NOT_FOUND_CODE } from './http-reply.js';
import { headerValue, requestExtra } from './request-extra.js';
import type { HttpRuntime, Inbound } from './runtime.js';
import type { SessionSnapshot } from './session-directory.js';
import { SessionTransport } from './session-transport.js';

const BATCH_VERSION = '2025-03-26';

const isInitialize = (m: JSONRPCMessage | undefined): boolean =>
  m !== undefined && isRequest(m) && m.method === 'initialize';

/**
 * The session addressed by `Mcp-Session-Id`, or `undefined` after answering 400 (header missing) or
 * 404 (unknown, expired, or bound to another authenticated client — the client then re-initializes).
 */
function findSession(rt: HttpRuntime, inbound: Inbound): SessionTransport | undefined {
  const id = headerValue(inbound.req.headers, McpHeader.sessionId);
  if (id === undefined) {
    replyError(
      inbound.res,
      400,
      JsonRpcCode.InvalidRequest,
      'Bad Request: Mcp-Session-Id header is required',
    );
    return undefined;
  }
  const session = rt.sessions.get(id);
  if (
    !(session instanceof SessionTransport) ||
    session.closed ||
    (session.owner !== undefined && session.owner !== inbound.authInfo?.clientId)
  ) {
    replyError(inbound.res, 404, SESSION_NOT_FOUND_CODE, 'Session not found');
    return undefined;
  }
  return session;
}

function validate(body: unknown, headerVersion: string | undefined): JSONRPCMessage[] | string {
  if (Array.isArray(body)) {
    if (headerVersion !== undefined && headerVersion !== BATCH_VERSION) {
      return 'JSON-RPC batches are not supported after protocol version 2025-03-26';
    }
    if (body.length === 0) return 'An empty JSON-RPC batch is invalid';
    for (const item of body) {
      const reason = invalidMessageReason(item);
      if (reason !== undefined) return reason;
    }
    return body as JSONRPCMessage[];
  }
  // A framed message was validated when its body was scanned (and reading it here would parse it).
  if (isFramedMessage(body as JSONRPCMessage)) return [body as JSONRPCMessage];
  const reason = invalidMessageReason(body);
  return reason ?? [body as JSONRPCMessage];
}

/** A 2025-era POST: `initialize` opens a session; everything else goes to the session it names. */
export function sessionPost(
  rt: HttpRuntime,
  inbound: Inbound,
  body: unknown,
  headerVersion: string | undefined,
  accept: Acceptable,
): void {
  const { req, res } = inbound;
  const messages = validate(body, headerVersion);
  if (typeof messages === 'string') {
    replyError(res, 400, JsonRpcCode.InvalidRequest, `Invalid Request: ${messages}`);
    return;
  }
  const init = messages.length === 1 ? isInitialize(messages[0]) : messages.some(isInitialize);
  let session: SessionTransport | undefined;
  if (init) {
    if (messages.length > 1) {
      replyError(res, 400, JsonRpcCode.InvalidRequest, 'Invalid Request: initialize must be sent alone');
      return;
    }
    const existing = headerValue(req.headers, McpHeader.sessionId);
    if (existing !== undefined && rt.sessions.get(existing) instanceof SessionTransport) {
      replyError(res, 400, JsonRpcCode.InvalidRequest, 'Invalid Request: the session is already initialized');
      return;
    }
    if (rt.sessions.size >= rt.maxSessions) {
      replyError(res, 503, JsonRpcCode.ConnectionClosed, 'Too many sessions; try again later', {
        headers: { 'retry-after': '5' },
      });
      return;
    }
    session = new SessionTransport(randomUUID(), inbound.authInfo?.clientId, rt.sessionContext);
    rt.sessions.add(session);
    rt.onConnection(session, {
      era: 'session',
      sessionId: session.sessionId,
      remoteAddress: req.socket.remoteAddress,
      remotePort: req.socket.remotePort,
      authInfo: inbound.authInfo,
    });
    if (session.closed) {
      replyError(res, 503, JsonRpcCode.ConnectionClosed, 'The server refused the session');
      return;
    }
  } else {
    session = findSession(rt, inbound);
    if (session === undefined) return;
  }
  if (session.saturated) {
    replyError(res, 503, JsonRpcCode.ConnectionClosed, 'The session is not accepting messages yet', {
      headers: { 'retry-after': '1' },
    });
    return;
  }
  session.handlePost({
    res,
    messages,
    batch: Array.isArray(body),
    accept,
    extra: requestExtra(req, inbound.authInfo, rt.scheme),
  });
}

/** A 2025-era GET: the standalone stream, or a resumption with `Last-Event-ID`. */
export function sessionGet(rt: HttpRuntime, inbound: Inbound, accept: Acceptable): void {
  if (!accept.sse) {
    replyError(
      inbound.res,
      406,
      JsonRpcCode.InvalidRequest,
      'Not Acceptable: GET requires Accept: text/event-stream',
    );
    return;
  }
  const session = findSession(rt, inbound);
  if (session === undefined) return;
  session.handleGet(inbound.res, headerValue(inbound.req.headers, McpHeader.lastEventId));
}

/** A 2025-era DELETE: ends the session (its transport fires `onclose`). */
export function sessionDelete(rt: HttpRuntime, inbound: Inbound): void {
  const session = findSession(rt, inbound);
  if (session === undefined) return;
  void session.close();
  replyEmpty(inbound.res, 200);
}

/**
 * Takes over a session whose instance died (the directory made this instance its owner): the session
 * is re-created with its streams and requests in flight, handed to `onConnection` (with the requests
 * whose answers its backend still delivers), its backend re-initialized with the cached parameters,
 * and the requests no backend will answer are run again where safe, or answered with an error.
 */
export function adoptSession(rt: HttpRuntime, inbound: Inbound, snapshot: SessionSnapshot): void {
  if (rt.sessions.get(snapshot.sessionId) !== undefined) return;
  const session = new SessionTransport(snapshot.sessionId, snapshot.owner, rt.sessionContext);
  const waiting = session.restore(snapshot);
  rt.sessions.add(session);
  rt.onConnection(session, {
    era: 'session',
    sessionId: session.sessionId,
    remoteAddress: inbound.req.socket.remoteAddress,
    remotePort: inbound.req.socket.remotePort,
    authInfo: inbound.authInfo,
    resumedRequests: waiting,
  });
  if (session.closed) return;
  // Requests run again carry the caller's credentials only when they are those the session is bound to.
  const authInfo =
    snapshot.owner !== undefined && inbound.authInfo?.clientId === snapshot.owner
      ? inbound.authInfo
      : undefined;
  session
    .resumeAfterTakeover(snapshot, { rerunUnsafe: rt.directory?.rerunUnsafe === true, authInfo })
    .catch((error: unknown) => rt.report(error instanceof Error ? error : new Error(String(error))));
}
