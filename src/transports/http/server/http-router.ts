import type { IncomingMessage, ServerResponse } from 'node:http';
import { SwitchboardError } from '../../../errors.js';
import { JsonRpcCode } from '../../../protocol/json-rpc-codes.js';
import { McpHeader } from '../shared/headers.js';
import { decodeFramedMessage, plainMessage } from '../../../framing/frame-message.js';
import type { JSONRPCMessage } from '../../../protocol/messages.js';
import { readBodyParts } from './body-reader.js';
import { acceptable, isJsonContentType, type Acceptable } from './content-negotiation.js';
import { edgeRefusal, type EdgePolicy } from './edge-guard.js';
import { detectEra } from './era-detection.js';
import { replyEmpty, replyError, replyJson } from './http-reply.js';
import { legacyFind, legacyOpen, legacyPost } from './legacy-sse.js';
import { applyCorsHeaders, preflightHeaders, type CorsOptions } from '../../../security/cors.js';
import type {
  AdmitHook,
  AuthenticateResult,
  ExtraRouteHandler,
  HttpMount,
  HttpRejection,
  HttpServerOptions,
} from './options.js';
import { headerValue } from './request-extra.js';
import type { HttpRuntime, Inbound } from './runtime.js';
import type { LocateResult, SessionDirectory } from './session-directory.js';
import { adoptSession, sessionDelete, sessionGet, sessionPost } from './session-era.js';
import { statelessPost } from './stateless-era.js';

type Route = 'mcp' | 'sse' | 'messages' | { mount: HttpMount; basePath: string; subpath: string };

const ALL_ERAS = { session: true, stateless: true };

/** Routing configuration of one listener. */
export interface RouterConfig {
  /** The MCP endpoint path, or `undefined` when the listener serves no MCP endpoint. */
  mcpPath: string | undefined;
  /** Applications under path prefixes, longest prefix first. */
  mounts?: readonly HttpMount[] | undefined;
  /** Legacy HTTP+SSE paths, when enabled. */
  legacy: { ssePath: string; messagesPath: string } | undefined;
  edge: EdgePolicy;
  authenticate: ((req: IncomingMessage) => AuthenticateResult | Promise<AuthenticateResult>) | undefined;
  onRequest: ExtraRouteHandler | undefined;
  /** Decides parsed POST bodies (authorization, rate limits). */
  admit?: AdmitHook | undefined;
  /** Decides body-less requests that open a session (legacy `GET /sse`). */
  admitSession?: HttpServerOptions['admitSession'];
  /** CORS grants (preflights answered, headers on responses). */
  cors?: CorsOptions | undefined;
  /** `true` once the listener is shutting down: new requests get 503. */
  isClosing: () => boolean;
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The body as a plain parsed value, for the transports that take no framed messages. */
function plainBody(body: unknown): unknown {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? plainMessage(body as JSONRPCMessage)
    : body;
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | undefined)?.then === 'function';
}

/**
 * Dispatches the requests of one listener: Host/Origin checks (403) on every request, then extra routes,
 * then, for the MCP and legacy paths, authentication and the era handlers. Everything else is 404.
 */
export class HttpRouter {
  readonly #config: RouterConfig;
  readonly #rt: HttpRuntime;
  /** Single flight: one directory look-up per unknown session at a time. */
  readonly #locating = new Map<string, Promise<LocateResult>>();

  constructor(config: RouterConfig, runtime: HttpRuntime) {
    this.#config = config;
    this.#rt = runtime;
  }

  /** The `request` listener of the Node server. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    let pending: Promise<void> | undefined;
    try {
      if (this.#config.cors) applyCorsHeaders(req, res, this.#config.cors);
      // Host/Origin first, for every path: extra routes (health, metrics, metadata) included.
      const refusal = edgeRefusal(req, this.#config.edge);
      if (refusal !== undefined) replyError(res, 403, JsonRpcCode.InvalidRequest, refusal);
      else pending = this.#config.onRequest ? this.#withExtraRoutes(req, res) : this.#route(req, res);
    } catch (error) {
      this.#fail(res, error);
    }
    pending?.catch((error: unknown) => this.#fail(res, error));
  };

  #withExtraRoutes(req: IncomingMessage, res: ServerResponse): Promise<void> | undefined {
    const handled = (this.#config.onRequest as ExtraRouteHandler)(req, res);
    // Extra routes decide synchronously in the common case: no promise and no microtask hop per request.
    if (isPromise(handled)) {
      return handled.then((h) => (h || res.headersSent ? undefined : this.#route(req, res)));
    }
    return handled || res.headersSent ? undefined : this.#route(req, res);
  }

  #route(req: IncomingMessage, res: ServerResponse): Promise<void> | undefined {
    const path = pathOf(req.url);
    const { mcpPath, legacy } = this.#config;
    const route: Route | undefined =
      mcpPath !== undefined && path === mcpPath
        ? 'mcp'
        : legacy?.ssePath === path
          ? 'sse'
          : legacy?.messagesPath === path
            ? 'messages'
            : this.#mountFor(path);
    if (route === undefined) {
      replyJson(res, 404, JSON.stringify({ error: 'Not Found' }));
      return undefined;
    }
    if (this.#config.isClosing()) {
      replyError(res, 503, JsonRpcCode.ConnectionClosed, 'Server shutting down', {
        headers: { connection: 'close' },
      });
      return undefined;
    }
    // Preflights carry no credentials: answered before authentication, from the CORS grants alone.
    if (req.method === 'OPTIONS' && this.#config.cors && req.headers.origin !== undefined) {
      const preflight = preflightHeaders(req, this.#config.cors);
      if (preflight) replyEmpty(res, 204, preflight);
      else replyError(res, 403, JsonRpcCode.InvalidRequest, 'Forbidden: CORS preflight refused');
      return undefined;
    }
    const authenticate = this.#config.authenticate;
    if (authenticate === undefined) return this.#dispatch(route, { req, res, authInfo: undefined });
    const decided = authenticate(req);
    if (isPromise(decided)) return decided.then((d) => this.#authorized(route, req, res, d));
    return this.#authorized(route, req, res, decided);
  }

  #mountFor(path: string): Route | undefined {
    for (const mount of this.#config.mounts ?? []) {
      const base = mount.path === '/' ? '' : mount.path;
      if (path === base || path.startsWith(`${base}/`)) {
        return { mount, basePath: base, subpath: path.slice(base.length) || '/' };
      }
    }
    return undefined;
  }

  #authorized(
    route: Route,
    req: IncomingMessage,
    res: ServerResponse,
    decided: AuthenticateResult,
  ): Promise<void> | undefined {
    if ('reject' in decided) {
      const { status, message, headers, body } = decided.reject;
      if (body !== undefined) replyJson(res, status, body, headers);
      else replyError(res, status, JsonRpcCode.InvalidRequest, message, { headers });
      return undefined;
    }
    return this.#dispatch(route, { req, res, authInfo: decided.authInfo });
  }

  #dispatch(route: Route, inbound: Inbound): Promise<void> | undefined {
    if (typeof route === 'object') {
      const { mount, basePath, subpath } = route;
      const done = mount.handle(inbound.req, inbound.res, { authInfo: inbound.authInfo, basePath, subpath });
      return done instanceof Promise ? done : undefined;
    }
    const method = inbound.req.method;
    const accept = acceptable(headerValue(inbound.req.headers, 'accept'));
    switch (route) {
      case 'mcp': {
        const directory = this.#rt.directory;
        const sessionId = directory && headerValue(inbound.req.headers, McpHeader.sessionId);
        if (directory && sessionId !== undefined && this.#rt.sessions.get(sessionId) === undefined) {
          return this.#elsewhere(directory, sessionId, method, inbound, accept);
        }
        return this.#mcp(method, inbound, accept);
      }
      case 'sse':
        if (method !== 'GET') replyEmpty(inbound.res, 405, { allow: 'GET' });
        else if (!this.#refused(inbound, this.#config.admitSession?.(inbound.req, inbound.authInfo)))
          legacyOpen(this.#rt, inbound, accept);
        return undefined;
      case 'messages':
        if (method !== 'POST') {
          replyEmpty(inbound.res, 405, { allow: 'POST' });
          return undefined;
        }
        return this.#legacyMessage(inbound);
    }
  }

  /** A session another instance holds (or held): forward to its live owner, or take it over. */
  async #elsewhere(
    directory: SessionDirectory,
    sessionId: string,
    method: string | undefined,
    inbound: Inbound,
    accept: Acceptable,
  ): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      let pending = this.#locating.get(sessionId);
      if (pending === undefined) {
        pending = directory.locate(sessionId);
        this.#locating.set(sessionId, pending);
        void pending.finally(() => this.#locating.delete(sessionId)).catch(() => undefined);
      }
      const where = await pending;
      if (where.action === 'forward') {
        // `false`: the owner is unreachable; the next look-up finds it dead (or alive again).
        if (await directory.forward(where.target, inbound.req, inbound.res)) return;
        continue;
      }
      if (where.action === 'adopt') adoptSession(this.#rt, inbound, where.snapshot);
      break;
    }
    await this.#mcp(method, inbound, accept);
  }

  #mcp(method: string | undefined, inbound: Inbound, accept: Acceptable): Promise<void> | undefined {
    if (method === 'POST') return this.#mcpPost(inbound, accept);
    const version = headerValue(inbound.req.headers, McpHeader.protocolVersion);
    const era = version === undefined ? 'session' : detectEra(undefined, version, ALL_ERAS);
    if (typeof era === 'object') {
      replyError(inbound.res, era.status, era.code, era.message, { data: era.data });
      return undefined;
    }
    const sessionful = this.#rt.eras.session && era === 'session';
    if (sessionful && method === 'GET') sessionGet(this.#rt, inbound, accept);
    else if (sessionful && method === 'DELETE') sessionDelete(this.#rt, inbound);
    // The 2026-07-28 endpoint is POST only (405 for GET and DELETE, as the spec asks).
    else replyEmpty(inbound.res, 405, { allow: sessionful ? 'GET, POST, DELETE' : 'POST' });
    return undefined;
  }

  #mcpPost(inbound: Inbound, accept: Acceptable): Promise<void> | undefined {
    const { req, res } = inbound;
    if (!isJsonContentType(headerValue(req.headers, 'content-type'))) {
      replyError(
        res,
        415,
        JsonRpcCode.InvalidRequest,
        'Unsupported Media Type: Content-Type must be application/json',
      );
      return undefined;
    }
    if (!accept.json && !accept.sse) {
      replyError(
        res,
        406,
        JsonRpcCode.InvalidRequest,
        'Not Acceptable: Accept must list application/json and text/event-stream',
      );
      return undefined;
    }
    return this.#readJson(inbound, (body) => this.#mcpBody(inbound, accept, body));
  }

  #mcpBody(inbound: Inbound, accept: Acceptable, body: unknown): void {
    if (this.#refusedByAdmit(inbound, body)) return;
    const { req, res } = inbound;
    const version = headerValue(req.headers, McpHeader.protocolVersion);
    const era = detectEra(body, version, this.#rt.eras);
    if (era === 'session') sessionPost(this.#rt, inbound, body, version, accept);
    else if (era === 'stateless') statelessPost(this.#rt, inbound, plainBody(body), version, accept);
    else {
      const id = (body as { id?: unknown } | null)?.id;
      replyError(res, era.status, era.code, era.message, {
        data: era.data,
        id: typeof id === 'string' || typeof id === 'number' ? id : undefined,
      });
    }
  }

  #legacyMessage(inbound: Inbound): Promise<void> | undefined {
    const session = legacyFind(this.#rt, inbound);
    if (session === undefined) return undefined;
    if (!isJsonContentType(headerValue(inbound.req.headers, 'content-type'))) {
      replyError(
        inbound.res,
        415,
        JsonRpcCode.InvalidRequest,
        'Unsupported Media Type: Content-Type must be application/json',
      );
      return undefined;
    }
    return this.#readJson(inbound, (body) => {
      if (!this.#refusedByAdmit(inbound, body)) legacyPost(this.#rt, inbound, session, plainBody(body));
    });
  }

  /** Runs the `admit` hook; `true` when it refused (and answered). */
  #refusedByAdmit(inbound: Inbound, body: unknown): boolean {
    return this.#refused(inbound, this.#config.admit?.(inbound.req, body, inbound.authInfo));
  }

  /** Answers a rejection; `true` when there was one. */
  #refused({ res }: Inbound, rejection: HttpRejection | undefined): boolean {
    if (rejection === undefined) return false;
    const { status, message, headers, body: text } = rejection;
    if (text !== undefined) replyJson(res, status, text, headers);
    else replyError(res, status, JsonRpcCode.InvalidRequest, message, { headers });
    return true;
  }

  /**
   * Reads and parses the body and hands it to `next`, or answers 413/503/400 itself. One promise
   * reaction per request (no async wrappers): this runs for every POST.
   */
  #readJson({ req, res }: Inbound, next: (body: unknown) => void): Promise<void> {
    return readBodyParts(req, this.#rt.maxBodyBytes, this.#rt.bufferBudget).then(
      (parts) => {
        // One valid message (the common case) is scanned, not parsed: it keeps its bytes, and the
        // session writes them to the backend unchanged. Anything else (batches, invalid bodies) is
        // parsed as JSON and refused or handled as always.
        const framed = decodeFramedMessage(parts);
        if (framed !== undefined) {
          next(framed);
          return;
        }
        let body: unknown;
        try {
          const raw = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
          body = JSON.parse(raw.toString('utf8')) as unknown;
        } catch {
          replyError(res, 400, JsonRpcCode.ParseError, 'Parse error: the body is not valid JSON');
          return;
        }
        next(body);
      },
      (error: unknown) => this.#bodyFailed(res, error),
    );
  }

  /** Answers a body that could not be read: 413 over the limit, 503 when the shared budget is spent. */
  #bodyFailed(res: ServerResponse, error: unknown): void {
    if (error instanceof SwitchboardError && error.code === 'FRAME_TOO_LARGE') {
      replyError(res, 413, JsonRpcCode.InvalidRequest, error.message, { headers: { connection: 'close' } });
    } else if (error instanceof SwitchboardError && error.code === 'BUFFER_BUDGET_EXCEEDED') {
      this.#rt.report(error);
      replyError(res, 503, JsonRpcCode.ConnectionClosed, 'Server busy: too much request data in flight', {
        headers: { connection: 'close', 'retry-after': '1' },
      });
    } else res.destroy();
  }

  #fail(res: ServerResponse, error: unknown): void {
    this.#rt.report(error instanceof Error ? error : new Error(String(error)));
    if (!res.headersSent) replyError(res, 500, JsonRpcCode.InternalError, 'Internal error');
    else res.destroy();
  }
}
