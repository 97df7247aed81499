import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ServeConfig } from '../../config/serve-config.js';
import { DASHBOARD_DATA_PATHS } from '../../dashboard/dashboard-routes.js';
import { SwitchboardError } from '../../errors.js';
import type { ConnectionInfo } from '../../listener.js';
import type { ProxyEvent } from '../../proxy/proxy.js';
import { AccessControl } from '../../security/access-control.js';
import { accessGuard } from '../../security/access-guard.js';
import { ApiKeyStore, parseApiKeyList, type ApiKeyEntry } from '../../security/api-keys.js';
import { Authenticator } from '../../security/authenticator.js';
import { ChildEnvPolicy } from '../../security/child-env-policy.js';
import { CommandPolicy, type AdmittedCommand } from '../../security/command-policy.js';
import { checkFrontendAuthentication, frontendAuthentication } from '../../security/frontend-auth.js';
import { httpAdmission, httpSessionAdmission, SESSION_OPEN_METHOD } from '../../security/http-admission.js';
import { JwtVerifier, type JwtVerifierOptions } from '../../security/jwt-verifier.js';
import { AuthorizationPolicy, callerOf } from '../../security/policy.js';
import { protectedResourceRoute, resourceMetadataUrl } from '../../security/protected-resource.js';
import { RateLimiter } from '../../security/rate-limit/limiter.js';
import { authenticatedRoute, type PlainRoute } from '../../security/route-guard.js';
import { checkChildEnvMappings, childEnvFor } from '../../security/session-env.js';
import { SsrfGuard } from '../../security/ssrf/guard.js';
import type { AuthInfo, Transport } from '../../transport.js';
import type { HttpServerOptions } from '../../transports/http/server/options.js';
import type { WebSocketListenSettings } from '../../transports/websocket-listener.js';
import { refuseSession } from '../../proxy/refuse-session.js';

/** Routes that answer only authenticated callers when authentication is configured. */
const AUTHENTICATED_ROUTES = ['/metrics', ...DASHBOARD_DATA_PATHS];

/** What `runServe` plugs in for the edge's security (see docs/security.md). */
export interface SecurityWiring {
  /** `true` when callers are authenticated on HTTP/WebSocket frontends. */
  readonly authenticates: boolean;
  /** `true` when callers of the frontend `uri` prove who they are (token, key, certificate, uid…). */
  authenticatesOn(uri: string): boolean;
  /** The SSRF guard of backend connections (for `openBackend({ guard })`). */
  readonly guard: SsrfGuard;
  /**
   * Startup checks: the backend URL through the SSRF guard, the command through the command policy,
   * frontends that cannot authenticate when auth is required.
   *
   * @throws SwitchboardError `SSRF_BLOCKED`, `COMMAND_REFUSED`, `INVALID_OPTIONS`
   */
  checkStartup(): Promise<void>;
  /** The admitted stdio command (absolute executable), for stdio backends. */
  command(): AdmittedCommand | undefined;
  /** Per-user variables of one session's child (empty unless `childEnv` is configured). */
  childEnv(sessionId: string | undefined): Record<string, string>;
  /**
   * The whole environment given to a stdio child on top of the minimal inherited set: what
   * `--inherit-env` may pass (never the proxy's own `SWITCHBOARD_*`, never code-loading variables),
   * `--env`/`stdio.env`, and `perUser`.
   */
  spawnEnv(perUser: Record<string, string>): Record<string, string>;
  /**
   * Health and metrics routes as one frontend (or, with `uri` undefined, the admin server) serves them:
   * `/metrics` answers authenticated callers only when authentication is configured.
   */
  protectRoutes(routes: Record<string, PlainRoute>, uri: string | undefined): Record<string, PlainRoute>;
  /** HTTP listener options for `uri`: authenticate, admit, CORS, security headers, and `onRequest` + PRM. */
  httpOptions(
    uri: string,
    onRequest: NonNullable<HttpServerOptions['onRequest']>,
  ): Partial<HttpServerOptions>;
  /** WebSocket listener options: authentication and the session rate limit at the upgrade. */
  websocketOptions(uri: string): Pick<WebSocketListenSettings, 'authenticate' | 'tokenExpiryGraceMs'>;
  /** Wraps a listener's `onConnection`: per-user env, access guard (policy, rate limit, list filtering). */
  frontend(
    uri: string,
    accept: (t: Transport, info: ConnectionInfo) => void,
  ): (t: Transport, info: ConnectionInfo) => void;
  /**
   * The items of a listing the caller may use (the authorization policy's list filtering), for the
   * adapters; everything when no policy is configured.
   */
  filterList(
    kind: 'tools' | 'resources' | 'resourceTemplates' | 'prompts',
    items: readonly unknown[],
    authInfo: AuthInfo | undefined,
  ): unknown[];
  /** How callers authenticate, for the adapters' OpenAPI document. */
  readonly authSchemes: { bearer: boolean; apiKeyHeader: string | undefined };
  /** Tells the wiring the bound URL of `uri` (the default resource / JWT audience). */
  bound(uri: string, url: string): void;
  /** Feed proxy events (drops per-session state). */
  onProxyEvent(event: ProxyEvent): void;
}

const schemeOf = (uri: string): string => /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase() ?? '';

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
    );
  }
}

function publicKeyFrom(file: string): JwtVerifierOptions['publicKey'] {
  const text = readText(file, '--jwt-public-key');
  if (!text.trimStart().startsWith('{')) return text;
  let jwk: Record<string, unknown>;
  try {
    jwk = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new SwitchboardError('INVALID_OPTIONS', `--jwt-public-key ${file}: not a PEM key nor JSON (JWK)`, {
      cause,
    });
  }
  if (Array.isArray(jwk.keys))
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      '--jwt-public-key: a key set; serve it and use --jwt-jwks-uri',
    );
  return jwk;
}

function apiKeyEntries(config: ServeConfig['security']['apiKeys']): ApiKeyEntry[] {
  const entries: ApiKeyEntry[] = config.keys.map((k) => ({ id: k.id, key: k.key, scopes: k.scopes }));
  if (config.file !== undefined) entries.push(...parseApiKeyList(readText(config.file, '--api-keys-file')));
  const fromEnv = process.env.SWITCHBOARD_API_KEYS;
  if (fromEnv !== undefined && fromEnv.trim() !== '') entries.push(...parseApiKeyList(fromEnv));
  return entries;
}

/**
 * Builds the security of `switchboard serve` from its configuration: authentication (JWT, API keys,
 * fail-closed), OAuth protected resource metadata, authorization policy, rate limits, CORS and
 * security headers, the SSRF guard, the command policy and per-user child variables.
 *
 * @throws SwitchboardError `INVALID_OPTIONS` for unusable settings (weak secret, unreadable key file, …)
 */
export function createSecurityWiring(config: ServeConfig, log: Logger): SecurityWiring {
  const sec = config.security;
  const secret = sec.jwt.secret ?? process.env.SWITCHBOARD_JWT_SECRET;
  const publicKey = sec.jwt.publicKeyFile === undefined ? undefined : publicKeyFrom(sec.jwt.publicKeyFile);
  const jwtOn = secret !== undefined || publicKey !== undefined || sec.jwt.jwksUri !== undefined;
  const jwtOptions = (audience: string | readonly string[]): JwtVerifierOptions => ({
    ...(secret !== undefined ? { secret } : {}),
    ...(publicKey !== undefined ? { publicKey } : {}),
    ...(sec.jwt.jwksUri !== undefined ? { jwksUri: sec.jwt.jwksUri } : {}),
    jwks: { ttlMs: sec.jwt.jwksTtl, minRefetchIntervalMs: sec.jwt.jwksMinRefetch },
    algorithms: sec.jwt.algorithms,
    issuer: sec.jwt.issuer,
    audience,
    clockToleranceSec: sec.jwt.clockSkew / 1000,
  });
  // Built now (placeholder audience) so a weak secret or a bad key is a startup error.
  if (jwtOn) new JwtVerifier(jwtOptions(sec.jwt.audience ?? 'urn:startup-check'));
  const keys = apiKeyEntries(sec.apiKeys);
  const apiKeys = keys.length > 0 ? new ApiKeyStore(keys) : undefined;
  const envPolicy = new ChildEnvPolicy({ allow: sec.commands.allowEnv });
  envPolicy.checkExplicit(config.stdio.env, '--env/stdio.env');
  checkChildEnvMappings(sec.childEnv, sec.commands.allowEnv);
  const inherited =
    config.stdio.inheritEnv && config.backend?.kind === 'stdio' ? envPolicy.inherited() : undefined;
  const captureHeaders = sec.childEnv.flatMap((m) => (m.header ? [m.header] : []));
  const access = new AccessControl({
    policy: sec.policy.rules.length > 0 ? new AuthorizationPolicy(sec.policy.rules) : undefined,
    limiter:
      sec.rateLimit.rate > 0
        ? new RateLimiter({
            ratePerSecond: sec.rateLimit.rate,
            burst: sec.rateLimit.burst,
            maxKeys: sec.rateLimit.maxKeys,
            tools: Object.fromEntries(
              Object.entries(sec.rateLimit.tools).map(([name, b]) => [
                name,
                { ratePerSecond: b.rate, burst: b.burst },
              ]),
            ),
          })
        : undefined,
    onRefused: (r) =>
      log.info({ ...r }, r.type === 'policy' ? 'request refused by the policy' : 'request rate-limited'),
  });
  const accessActive = sec.policy.rules.length > 0 || sec.rateLimit.rate > 0;
  const guard = new SsrfGuard({
    allowPrivate: sec.backends.allowPrivate,
    allowLoopback: !sec.backends.denyLoopback,
  });
  const commands = new CommandPolicy({
    allow: sec.commands.allow,
    argPattern: sec.commands.argPattern,
    allowFlags: sec.commands.allowFlags,
  });
  const backend = config.backend;
  const admitted = backend?.kind === 'stdio' ? commands.check(backend.command, backend.args) : undefined;
  const boundUrls = new Map<string, string>();
  const authenticators = new Map<string, Authenticator>();
  const sessionEnv = new Map<string, Record<string, string>>();
  const resourceOf = (uri: string): string | undefined => sec.publicUrl ?? boundUrls.get(uri);
  // RFC 9728 metadata is served whenever bearer JWTs are accepted (the MCP authorization spec makes it
  // a MUST), naming the configured authorization servers, else the token issuers that are URLs.
  const authorizationServers =
    sec.oauth.authorizationServers.length > 0
      ? sec.oauth.authorizationServers
      : [sec.jwt.issuer ?? []].flat().filter((iss) => /^https?:\/\//i.test(iss));
  const prmOn = jwtOn || sec.oauth.authorizationServers.length > 0;
  const prmUrl = (uri: string): string | undefined => {
    const resource = resourceOf(uri);
    return resource !== undefined && prmOn ? resourceMetadataUrl(resource) : undefined;
  };
  const authenticatorFor = (uri: string): Authenticator | undefined => {
    let auth = authenticators.get(uri);
    if (auth !== undefined) return auth;
    const audience = sec.jwt.audience ?? resourceOf(uri);
    if (jwtOn && audience === undefined) return undefined; // not bound yet
    auth = new Authenticator({
      jwt: jwtOn && audience !== undefined ? new JwtVerifier(jwtOptions(audience)) : undefined,
      apiKeys,
      apiKeyHeader: sec.apiKeys.header,
      requireAuth: sec.requireAuth,
      resourceMetadataUrl: () => prmUrl(uri),
      scopesHint: sec.oauth.scopesSupported,
      captureHeaders,
      onRefused: (r) => log.info({ ...r, frontend: uri }, 'authentication refused'),
    });
    authenticators.set(uri, auth);
    return auth;
  };
  const authenticates = jwtOn || apiKeys !== undefined || sec.requireAuth;
  const mtls = config.tls.clientCaFile !== undefined;
  const sessionAdmission = sec.rateLimit.rate > 0 ? httpSessionAdmission(access) : undefined;
  // The admin server authenticates like the first frontend that takes tokens (same audience).
  const adminUri =
    config.listen.find((uri) => frontendAuthentication(uri, mtls) === 'headers') ?? config.listen[0] ?? '';
  const authenticate =
    authenticates || captureHeaders.length > 0
      ? (uri: string) => async (req: IncomingMessage) => {
          const auth = authenticatorFor(uri);
          if (auth === undefined)
            return { reject: { status: 503, message: 'Service Unavailable: starting' } };
          return auth.authenticate(req.headers, req.url);
        }
      : undefined;

  const LIST_METHODS = {
    tools: 'tools/list',
    resources: 'resources/list',
    resourceTemplates: 'resources/templates/list',
    prompts: 'prompts/list',
  } as const;
  const LIST_KEYS = {
    tools: 'tools',
    resources: 'resources',
    resourceTemplates: 'resourceTemplates',
    prompts: 'prompts',
  } as const;

  return {
    authenticates,
    authenticatesOn(uri) {
      const kind = frontendAuthentication(uri, mtls);
      return kind === 'headers' ? authenticates : kind !== 'none';
    },
    guard,
    authSchemes: {
      bearer: jwtOn || apiKeys !== undefined,
      apiKeyHeader: apiKeys !== undefined ? sec.apiKeys.header : undefined,
    },
    filterList(kind, items, authInfo) {
      if (!access.filters(LIST_METHODS[kind])) return [...items];
      const filtered = access.filterResult(
        LIST_METHODS[kind],
        { [LIST_KEYS[kind]]: items },
        callerOf(authInfo),
      );
      const list = (filtered as Record<string, unknown>)[LIST_KEYS[kind]];
      return Array.isArray(list) ? (list as unknown[]) : [];
    },
    async checkStartup() {
      let unresolved: string | undefined;
      if (backend?.kind === 'uri') {
        try {
          await guard.checkUri(backend.uri);
        } catch (error) {
          if (!(error instanceof SwitchboardError) || error.code !== 'CONNECTION_FAILED') throw error;
          unresolved = error.message;
        }
      }
      // Configured authentication applies to every frontend, or startup refuses.
      const openFrontends = checkFrontendAuthentication(config.listen, {
        mtls,
        requireAuth: sec.requireAuth,
        allowed: sec.allowUnauthenticatedFrontends,
        authConfigured: authenticates,
      });
      if (sec.childEnv.length > 0 && config.sessionMode === 'shared') {
        throw new SwitchboardError(
          'INVALID_OPTIONS',
          'childEnv needs --session-mode per-session (each session its own child)',
        );
      }
      // Warnings only once nothing refused the configuration (a refusal is one line).
      for (const uri of openFrontends) {
        log.warn(
          { frontend: uri },
          'authentication is configured but this frontend serves anyone who can reach it',
        );
      }
      if (unresolved !== undefined) {
        // Not resolvable now: every connection is vetted again when it resolves.
        log.warn({ err: unresolved }, 'backend host does not resolve yet; it is checked on every connection');
      }
      if (inherited !== undefined && inherited.dropped.length > 0) {
        log.warn(
          { dropped: inherited.dropped },
          "--inherit-env: these variables are not passed to the child (the proxy's own, or code-loading; allow one by name with --allow-env)",
        );
      }
      if (jwtOn && authorizationServers.length === 0) {
        log.warn(
          'no authorization server known (--authorization-server, or a URL --jwt-issuer): OAuth clients cannot discover where to get a token',
        );
      }
    },
    command: () => admitted,
    childEnv: (sessionId) => (sessionId === undefined ? {} : (sessionEnv.get(sessionId) ?? {})),
    spawnEnv: (perUser) => ({ ...inherited?.env, ...config.stdio.env, ...perUser }),
    protectRoutes(routes, uri) {
      if (authenticate === undefined) return routes;
      const check = authenticate(uri ?? adminUri);
      const out = { ...routes };
      for (const path of AUTHENTICATED_ROUTES) {
        const route = out[path];
        if (route !== undefined) out[path] = authenticatedRoute(route, check);
      }
      return out;
    },
    httpOptions(uri, onRequest) {
      const prm = prmOn
        ? protectedResourceRoute(() => {
            const resource = resourceOf(uri);
            return resource === undefined
              ? undefined
              : {
                  resource,
                  authorizationServers,
                  scopesSupported: sec.oauth.scopesSupported,
                  resourceName: sec.oauth.resourceName,
                };
          })
        : undefined;
      const cors = sec.cors.origins;
      return {
        ...(authenticate ? { authenticate: authenticate(uri) } : {}),
        ...(accessActive ? { admit: httpAdmission(access, { resourceMetadataUrl: () => prmUrl(uri) }) } : {}),
        ...(sessionAdmission ? { admitSession: sessionAdmission } : {}),
        ...(cors === '*' || cors.length > 0
          ? { cors: { origins: cors, allowHeaders: [sec.apiKeys.header] } }
          : {}),
        securityHeaders: { hstsMaxAgeSec: sec.hstsMaxAge > 0 ? sec.hstsMaxAge : false },
        headersTimeoutMs: sec.http.headersTimeout,
        requestTimeoutMs: sec.http.requestTimeout,
        onRequest: prm
          ? (req: IncomingMessage, res: ServerResponse) => prm(req, res) || onRequest(req, res)
          : onRequest,
      };
    },
    websocketOptions(uri) {
      const auth = authenticate?.(uri);
      // The connection lives as long as its token would be accepted on HTTP (expiry plus clock skew).
      const expiry = { tokenExpiryGraceMs: sec.jwt.clockSkew };
      if (sessionAdmission === undefined) return auth ? { authenticate: auth, ...expiry } : expiry;
      return {
        ...expiry,
        // An upgrade opens a session: it takes a rate-limit token of its caller (429 beyond).
        authenticate: async (req: IncomingMessage) => {
          const decided = auth ? await auth(req) : {};
          if ('reject' in decided) return decided;
          const refused = sessionAdmission(req, decided.authInfo);
          return refused === undefined ? decided : { reject: refused };
        },
      };
    },
    frontend(uri, accept) {
      const scheme = schemeOf(uri);
      const httpEdge = scheme === 'http' || scheme === 'https';
      // The adapters' one session serves many callers: each message carries its caller, and the
      // adapters filter listings per caller themselves (see filterList).
      const adapter = scheme === 'adapter';
      // HTTP sessions were admitted with their initialize request or GET /sse, WebSocket ones at the
      // upgrade; the adapters' session is the process's own.
      const rateConnections =
        sec.rateLimit.rate > 0 && !httpEdge && !adapter && scheme !== 'ws' && scheme !== 'wss';
      return (transport, info) => {
        const sessionAuth = (info as ConnectionInfo & { authInfo?: AuthInfo }).authInfo;
        const fallbackPrincipal = info.remoteAddress
          ? `ip:${info.remoteAddress}`
          : `session:${info.sessionId ?? 'unknown'}`;
        if (rateConnections) {
          const refused = access.check(
            SESSION_OPEN_METHOD,
            undefined,
            callerOf(sessionAuth, fallbackPrincipal),
          );
          if (refused !== undefined) {
            refuseSession(transport, refused);
            return;
          }
        }
        if (sec.childEnv.length > 0 && info.sessionId !== undefined) {
          const env = childEnvFor(sec.childEnv, sessionAuth);
          if ('missing' in env) {
            log.info(
              { session: info.sessionId, variable: env.missing },
              'session refused: no value for a per-user variable',
            );
            refuseSession(
              transport,
              new SwitchboardError(
                'FORBIDDEN',
                `Session refused: the caller provides no value for ${env.missing}`,
              ),
            );
            return;
          }
          sessionEnv.set(info.sessionId, env.env);
        }
        const guarded = accessActive
          ? accessGuard({
              access,
              sessionAuth,
              fallbackPrincipal,
              // HTTP requests were already admitted (and counted) at the edge.
              rateLimit: !httpEdge,
              filterLists: !adapter,
            })(transport)
          : transport;
        accept(guarded, info);
      };
    },
    bound(uri, url) {
      boundUrls.set(uri, url);
    },
    onProxyEvent(event) {
      if (event.type === 'session-closed') sessionEnv.delete(event.sessionId);
    },
  };
}
