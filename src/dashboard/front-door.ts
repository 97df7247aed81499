import type { IncomingMessage, ServerResponse } from 'node:http';
import { MODERN_PROTOCOL_VERSION, SESSION_ERA_VERSIONS } from '../protocol/versions.js';

/** What the front door of an HTTP frontend tells a visitor. */
export interface FrontDoorInfo {
  /** The product name shown (default `switchboard`). */
  name?: string | undefined;
  /** The MCP endpoint URL of this frontend. */
  endpoint: string;
  /** Other client-facing endpoints of the same switchboard (WebSocket, TCP, …). */
  otherEndpoints?: readonly string[] | undefined;
  /** Protocol revisions served to clients (default: every revision of both eras). */
  protocolVersions?: readonly string[] | undefined;
  /** `true` when callers must present a token or key. */
  authRequired?: boolean | undefined;
  /** Extra pages of this frontend, by label: `{ dashboard: '/dashboard', docs: '/docs' }`. */
  links?: Readonly<Record<string, string>> | undefined;
}

const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** The JSON body of the front door (also what the page shows). */
export function frontDoorDocument(info: FrontDoorInfo): Record<string, unknown> {
  const versions = info.protocolVersions ?? [MODERN_PROTOCOL_VERSION, ...SESSION_ERA_VERSIONS];
  return {
    name: info.name ?? 'switchboard',
    mcp: { endpoint: info.endpoint, transport: 'streamable-http', protocolVersions: versions },
    ...(info.otherEndpoints !== undefined && info.otherEndpoints.length > 0
      ? { otherEndpoints: info.otherEndpoints }
      : {}),
    eras: {
      '2025': versions.filter((v) => v < '2026'),
      '2026': versions.filter((v) => v >= '2026'),
    },
    authentication: info.authRequired
      ? 'required (Authorization: Bearer <token>, or an API key header)'
      : 'none',
    connect: {
      mcpServers: { switchboard: { type: 'http', url: info.endpoint } },
    },
    links: info.links ?? {},
  };
}

function page(info: FrontDoorInfo): string {
  const doc = frontDoorDocument(info);
  const name = escapeHtml(String(doc.name));
  const config = escapeHtml(JSON.stringify(doc.connect));
  const cli = escapeHtml(`claude mcp add --transport http switchboard ${info.endpoint}`);
  const links = Object.entries(info.links ?? {})
    .map(([label, href]) => `<li><a href="${escapeHtml(href)}">${escapeHtml(label)}</a></li>`)
    .join('');
  const eras = doc.eras as Record<string, string[]>;
  const others = (info.otherEndpoints ?? []).map((u) => `<li><code>${escapeHtml(u)}</code></li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${name} — MCP endpoint</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em}code,pre{font:13px ui-monospace,monospace;background:rgba(127,127,127,.12);padding:2px 4px}pre{padding:8px;white-space:pre-wrap;word-break:break-all}</style>
</head><body>
<h1>${name}</h1>
<p>This is a Model Context Protocol endpoint. Point an MCP client at it; a browser has nothing more to do here.</p>
<h2>Endpoint</h2>
<p><code data-testid="endpoint">${escapeHtml(info.endpoint)}</code> (Streamable HTTP)</p>
${others ? `<p>Also served:</p><ul>${others}</ul>` : ''}
<h2>Protocol</h2>
<p>2025 era (initialize + sessions): ${escapeHtml(eras['2025']?.join(', ') ?? '')}<br>2026 era (stateless): ${escapeHtml(eras['2026']?.join(', ') ?? '')}</p>
<p>Authentication: ${escapeHtml(String(doc.authentication))}</p>
<h2>Connect a client</h2>
<p>In an <code>mcp.json</code> / <code>claude_desktop_config.json</code>-style configuration:</p>
<pre data-testid="config">${config}</pre>
<p>Or from a terminal: <code>${cli}</code></p>
${links ? `<h2>More</h2><ul>${links}</ul>` : ''}
</body></html>
`;
}

/**
 * The `GET /` route of an HTTP frontend: what a person opening the URL needs (the MCP endpoint, the
 * protocol revisions served, one copy-paste client configuration, links to the other pages), as a small
 * page — or as JSON for `Accept: application/json`.
 *
 * @param info - read on each request (the bound URL is known only after listening)
 * @example
 * ```ts
 * routes['/'] = frontDoorRoute(() => ({ endpoint: 'http://127.0.0.1:8080/mcp', links: { dashboard: '/dashboard' } }));
 * ```
 */
export function frontDoorRoute(
  info: () => FrontDoorInfo,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const current = info();
    const wantsJson =
      /application\/json/i.test(req.headers.accept ?? '') && !/text\/html/i.test(req.headers.accept ?? '');
    const body = wantsJson ? `${JSON.stringify(frontDoorDocument(current), null, 2)}\n` : page(current);
    res.writeHead(200, {
      'content-type': wantsJson ? 'application/json' : 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      vary: 'accept',
      // The page has one inline style sheet and no script.
      ...(wantsJson
        ? {}
        : {
            'content-security-policy':
              "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
          }),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
