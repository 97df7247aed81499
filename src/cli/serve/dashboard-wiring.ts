import type { Logger } from 'pino';
import type { ServeConfig } from '../../config/serve-config.js';
import { dashboardRoutes, DASHBOARD_PATH } from '../../dashboard/dashboard-routes.js';
import { frontDoorRoute } from '../../dashboard/front-door.js';
import { LiveFeed } from '../../dashboard/live-feed.js';
import { LiveMonitor, type LiveMonitorOptions } from '../../dashboard/live-monitor.js';
import { liveTap } from '../../dashboard/live-tap.js';
import type { Catalog } from '../../gateway/catalog.js';
import type { ConnectionInfo } from '../../listener.js';
import { pipe } from '../../middleware/pipe.js';
import type { ProxyEvent } from '../../proxy/proxy.js';
import type { AuthInfo, Transport } from '../../transport.js';
import type { AdminRoute } from '../admin-server.js';
import { isLoopbackListen } from './frontend-flags.js';

/** What `runServe`/`runGateway` plug in for the live dashboard and the front door. */
export interface DashboardWiring {
  /** The monitor, when a dashboard is served anywhere (nothing is collected otherwise). */
  readonly monitor: LiveMonitor | undefined;
  /** Wraps a listener's `onConnection`: the session is shown on the dashboard (outermost: what the client saw). */
  frontend(
    uri: string,
    accept: (transport: Transport, info: ConnectionInfo) => void,
  ): (transport: Transport, info: ConnectionInfo) => void;
  /** Feed proxy events (sessions closing, backends starting, exiting, restarting). */
  onProxyEvent(event: ProxyEvent): void;
  /** A line a backend child wrote to stderr (already redacted), for the operator's view. */
  onStderr(server: string | undefined, sessionId: string | undefined, line: string): void;
  /** The dashboard routes of the admin endpoint (none when off). */
  adminRoutes(): Record<string, AdminRoute>;
  /**
   * The extra routes of the HTTP frontend `uri`: the dashboard (with `--dashboard`) and the front door
   * `GET /` (unless the MCP endpoint itself is `/`). `links` are the other pages of that frontend.
   */
  frontendRoutes(uri: string, links: () => Record<string, string>): Record<string, AdminRoute>;
  /** Tells the wiring the bound URL of a frontend (the front door names it). */
  bound(uri: string, url: string): void;
  /** Ends the live streams. */
  close(): void;
}

let sessionCounter = 0;
const schemeOf = (uri: string): string => /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase() ?? '';
const isHttp = (uri: string): boolean => ['http', 'https'].includes(schemeOf(uri));
const pathOf = (uri: string): string => {
  try {
    return new URL(uri).pathname;
  } catch {
    return '/';
  }
};

/**
 * Builds the dashboard of `switchboard serve`. The dashboard is off on a non-loopback address that does
 * not authenticate its callers (a warning says so): it shows who calls what, and backends' stderr.
 *
 * @param authenticatesOn - whether callers of a frontend (or, with `undefined`, of the admin endpoint) prove who they are
 * @param monitorOptions - the server name of a single backend, or a gateway's routing of names to servers
 */
export function createDashboardWiring(
  config: ServeConfig,
  log: Logger,
  authenticatesOn: (uri: string | undefined) => boolean,
  monitorOptions: Pick<LiveMonitorOptions, 'server' | 'route'>,
): DashboardWiring {
  const d = config.dashboard;
  const adminBind = config.adminBind;
  const allowed = (where: string, loopback: boolean, authenticated: boolean): boolean => {
    if (loopback || authenticated) return true;
    log.warn(
      { where },
      'the dashboard is off on this non-loopback address: configure authentication to serve it there',
    );
    return false;
  };
  const adminOn =
    d.admin &&
    adminBind !== undefined &&
    allowed(`http://${adminBind}`, isLoopbackListen(`http://${adminBind}/`), authenticatesOn(undefined));
  const frontendOn = new Set(
    d.frontends
      ? config.listen.filter(
          (uri) => isHttp(uri) && allowed(uri, isLoopbackListen(uri), authenticatesOn(uri)),
        )
      : [],
  );
  const monitor =
    adminOn || frontendOn.size > 0
      ? new LiveMonitor({ ...monitorOptions, tailFrames: d.tailFrames })
      : undefined;
  const feed = monitor ? new LiveFeed(monitor) : undefined;
  const routes =
    monitor && feed
      ? dashboardRoutes(monitor, feed, { apiKeyHeader: config.security.apiKeys.header })
      : undefined;
  const boundUrls = new Map<string, string>();

  return {
    monitor,
    frontend: (uri, accept) => {
      if (monitor === undefined) return accept;
      const kind = schemeOf(uri) || 'unknown';
      return (transport, info) => {
        const sessionId = info.sessionId ?? `c${++sessionCounter}`;
        const withAuth = info as ConnectionInfo & { authInfo?: AuthInfo };
        accept(pipe(transport, liveTap(monitor, sessionId, kind, withAuth)), { ...info, sessionId });
      };
    },
    onProxyEvent: (event) => monitor?.onProxyEvent(event),
    onStderr: (server, sessionId, line) => monitor?.backendStderr(sessionId, line, server ?? monitor.server),
    adminRoutes: () => (adminOn && routes ? routes : {}),
    frontendRoutes: (uri, links) => {
      const out: Record<string, AdminRoute> = {};
      const withDashboard = frontendOn.has(uri) && routes !== undefined;
      if (withDashboard) Object.assign(out, routes);
      if (config.frontDoor && isHttp(uri) && pathOf(uri) !== '/') {
        out['/'] = frontDoorRoute(() => {
          const endpoint = boundUrls.get(uri) ?? uri;
          return {
            endpoint,
            otherEndpoints: config.listen
              .filter((u) => u !== uri && !/^stdio:/i.test(u))
              .map((u) => boundUrls.get(u) ?? u),
            authRequired: authenticatesOn(uri),
            links: { ...links(), ...(withDashboard ? { dashboard: DASHBOARD_PATH } : {}) },
          };
        });
      }
      return out;
    },
    bound: (uri, url) => {
      boundUrls.set(uri, url);
      if (frontendOn.has(uri))
        log.info({ url: `${new URL(url).origin}/dashboard` }, 'dashboard on a frontend');
    },
    close: () => feed?.close(),
  };
}

/** Whether callers of a frontend (`undefined`: the admin endpoint) prove who they are. */
export function authenticatesOn(security: {
  readonly authenticates: boolean;
  authenticatesOn(uri: string): boolean;
}): (uri: string | undefined) => boolean {
  return (uri) => (uri === undefined ? security.authenticates : security.authenticatesOn(uri));
}

/**
 * Pages a frontend serves besides MCP that a visitor may want (for the front door's links): routes of
 * that name, and the REST adapter's Swagger UI and document and the GraphQL adapter where mounted.
 */
export function pageLinks(
  routes: Record<string, unknown>,
  adapters: ServeConfig['adapters'] = {},
): Record<string, string> {
  const links: Record<string, string> = {};
  for (const path of ['/docs', '/graphql', '/openapi.json']) if (path in routes) links[path.slice(1)] = path;
  const under = (base: string, page: string): string => `${base === '/' ? '' : base}${page}`;
  const { rest, graphql } = adapters;
  if (rest !== undefined) {
    if (rest.docs) links.docs = under(rest.path, '/docs');
    links['openapi.json'] = under(rest.path, '/openapi.json');
  }
  if (graphql !== undefined) links.graphql = graphql.path;
  return links;
}

/**
 * The server a gateway call goes to, and its name there (the dashboard's per-server view of a call to
 * `server__tool`); calls the catalog cannot place are shown under `gateway`.
 */
export function routeOf(
  gateway: { readonly catalog: Catalog } | undefined,
  method: string,
  target: string | undefined,
): { server: string; target?: string | undefined } {
  const catalog = gateway?.catalog;
  if (catalog !== undefined && target !== undefined) {
    const named =
      method === 'tools/call'
        ? catalog.resolveTool(target)
        : method === 'prompts/get'
          ? catalog.resolvePrompt(target)
          : undefined;
    if (named !== undefined) return { server: named.server, target: named.name };
    if (method === 'resources/read') {
      const owner = catalog.ownerOfUri(target);
      if (owner !== undefined) return { server: owner.server, target };
    }
  }
  return { server: 'gateway', target };
}
