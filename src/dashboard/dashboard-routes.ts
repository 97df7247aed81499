import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { parseRequestTarget } from '../transports/request-url.js';
import type { LiveFeed } from './live-feed.js';
import type { LiveMonitor } from './live-monitor.js';
import { DASHBOARD_CSS, dashboardHtml } from './page-assets.js';

/** A plain GET route (the same shape as the health and metrics routes). */
export type DashboardRoute = (req: IncomingMessage, res: ServerResponse) => void;

/** The path every dashboard route starts with. */
export const DASHBOARD_PATH = '/dashboard';

/** The dashboard's data routes (credentials required when authentication is on). */
export const DASHBOARD_DATA_PATHS: readonly string[] = [
  `${DASHBOARD_PATH}/api/snapshot`,
  `${DASHBOARD_PATH}/api/session`,
  `${DASHBOARD_PATH}/api/events`,
];

// The page runs only its own scripts (no inline script, no CDN); uPlot sets inline styles on its nodes.
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Options of {@link dashboardRoutes}. */
export interface DashboardRoutesOptions {
  /** Shown in the page title (default `switchboard`). */
  title?: string | undefined;
  /** The header the page sends an API key in (default `x-api-key`), offered in its credentials form. */
  apiKeyHeader?: string | undefined;
}

const requireFromHere = createRequire(import.meta.url);

/** Reads a packaged asset once; `undefined` when it is not there (the page script is built by `npm run build`). */
function asset(load: () => string): () => string | undefined {
  let text: string | undefined;
  let tried = false;
  return () => {
    if (!tried) {
      tried = true;
      try {
        text = load();
      } catch {
        text = undefined;
      }
    }
    return text;
  };
}

const appScript = asset(() => readFileSync(new URL('./page/app.js', import.meta.url), 'utf8'));
const uplotScript = asset(() =>
  readFileSync(requireFromHere.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
);
const uplotCss = asset(() => readFileSync(requireFromHere.resolve('uplot/dist/uPlot.min.css'), 'utf8'));

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const json = (res: ServerResponse, status: number, value: unknown): void =>
  send(res, status, 'application/json', JSON.stringify(value));

const staticRoute =
  (type: string, body: () => string | undefined): DashboardRoute =>
  (_req, res) => {
    const text = body();
    if (text === undefined) send(res, 500, 'text/plain', 'dashboard asset missing: build the package\n');
    else send(res, 200, type, text, { 'content-security-policy': PAGE_CSP });
  };

/**
 * The routes of the live dashboard: the page and its assets (the package's own files: no CDN, no
 * external font), and its data — `api/snapshot` (JSON), `api/session?id=` (a session's recent frames)
 * and `api/events` (the live stream, {@link LiveFeed}). The page and its assets carry no data; mount
 * the data routes behind the same authentication as `/metrics`.
 *
 * @param monitor - what the dashboard shows
 * @param feed - the live stream over `monitor`
 * @example
 * ```ts
 * Object.assign(routes, dashboardRoutes(monitor, new LiveFeed(monitor)));
 * ```
 */
export function dashboardRoutes(
  monitor: LiveMonitor,
  feed: LiveFeed,
  options: DashboardRoutesOptions = {},
): Record<string, DashboardRoute> {
  const html = dashboardHtml({
    title: options.title ?? 'switchboard',
    apiKeyHeader: options.apiKeyHeader ?? 'x-api-key',
  });
  const page = staticRoute('text/html; charset=utf-8', () => html);
  return {
    [DASHBOARD_PATH]: page,
    [`${DASHBOARD_PATH}/`]: page,
    [`${DASHBOARD_PATH}/app.js`]: staticRoute('text/javascript; charset=utf-8', appScript),
    [`${DASHBOARD_PATH}/app.css`]: staticRoute('text/css; charset=utf-8', () => DASHBOARD_CSS),
    [`${DASHBOARD_PATH}/uplot.js`]: staticRoute('text/javascript; charset=utf-8', uplotScript),
    [`${DASHBOARD_PATH}/uplot.css`]: staticRoute('text/css; charset=utf-8', uplotCss),
    [`${DASHBOARD_PATH}/api/snapshot`]: (_req, res) => json(res, 200, monitor.snapshot()),
    [`${DASHBOARD_PATH}/api/session`]: (req, res) => {
      const id = parseRequestTarget(req.url)?.searchParams.get('id') ?? '';
      const frames = id === '' ? undefined : monitor.sessionFrames(id);
      if (frames === undefined) json(res, 404, { error: 'no such session' });
      else json(res, 200, { session: id, frames });
    },
    [`${DASHBOARD_PATH}/api/events`]: (req, res) => feed.attach(req, res),
  };
}
