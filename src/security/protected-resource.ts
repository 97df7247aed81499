import type { IncomingMessage, ServerResponse } from 'node:http';

/** The well-known path prefix of RFC 9728 protected resource metadata. */
export const PRM_WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** What the metadata document says (RFC 9728 §2). */
export interface ProtectedResourceOptions {
  /** The resource identifier: the MCP endpoint's public URL (also the default JWT audience). */
  resource: string;
  /** Issuer URLs of the authorization servers that issue tokens for this resource. */
  authorizationServers: readonly string[];
  /** Scopes the resource understands (advertised, and hinted in challenges). */
  scopesSupported?: readonly string[] | undefined;
  /** Human-readable name. */
  resourceName?: string | undefined;
  /** A page documenting the resource. */
  resourceDocumentation?: string | undefined;
}

/**
 * The metadata URL for a resource: the well-known prefix inserted between the origin and the path
 * (`https://h/mcp` → `https://h/.well-known/oauth-protected-resource/mcp`), as RFC 9728 §3.1 says.
 *
 * @param resource - the resource identifier (an absolute URL)
 * @example
 * ```ts
 * resourceMetadataUrl('https://mcp.example.com/mcp'); // 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp'
 * ```
 */
export function resourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}${PRM_WELL_KNOWN}${path}`;
}

/** The RFC 9728 JSON document. */
export function protectedResourceDocument(options: ProtectedResourceOptions): Record<string, unknown> {
  return {
    resource: options.resource,
    authorization_servers: [...options.authorizationServers],
    bearer_methods_supported: ['header'],
    ...(options.scopesSupported?.length ? { scopes_supported: [...options.scopesSupported] } : {}),
    ...(options.resourceName ? { resource_name: options.resourceName } : {}),
    ...(options.resourceDocumentation ? { resource_documentation: options.resourceDocumentation } : {}),
  };
}

/** Parameters of a `WWW-Authenticate: Bearer` challenge (RFC 6750 §3, RFC 9728 §5.1). */
export interface BearerChallenge {
  /** The metadata URL (`resource_metadata`). */
  resourceMetadata?: string | undefined;
  /** `invalid_token`, `insufficient_scope`, `invalid_request`; absent when no credentials were sent. */
  error?: 'invalid_token' | 'insufficient_scope' | 'invalid_request' | undefined;
  /** A short description (never a secret). */
  description?: string | undefined;
  /** Scopes needed (space-separated in the header). */
  scope?: readonly string[] | undefined;
}

const quoted = (value: string): string => `"${value.replace(/[\\"]/g, '\\$&').replace(/[\r\n]/g, ' ')}"`;

/**
 * Formats a `WWW-Authenticate: Bearer …` value.
 *
 * @example
 * ```ts
 * bearerChallenge({ error: 'insufficient_scope', scope: ['tools:write'], resourceMetadata: url });
 * // 'Bearer error="insufficient_scope", scope="tools:write", resource_metadata="…"'
 * ```
 */
export function bearerChallenge(challenge: BearerChallenge): string {
  const params: string[] = [];
  if (challenge.error) params.push(`error=${quoted(challenge.error)}`);
  if (challenge.description) params.push(`error_description=${quoted(challenge.description)}`);
  if (challenge.scope?.length) params.push(`scope=${quoted(challenge.scope.join(' '))}`);
  if (challenge.resourceMetadata) params.push(`resource_metadata=${quoted(challenge.resourceMetadata)}`);
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`;
}

/**
 * An extra route of the HTTP listener serving the metadata document at the root well-known URL and at
 * the path-suffixed one (clients try the suffixed one first). The document is public: it is served with
 * `Access-Control-Allow-Origin: *` and to GET/HEAD/OPTIONS only.
 *
 * @param document - returns the current options (the resource URL is known once the listener is bound)
 * @returns an `onRequest` hook: `true` when it answered
 */
export function protectedResourceRoute(
  document: () => ProtectedResourceOptions | undefined,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path !== PRM_WELL_KNOWN && !path.startsWith(`${PRM_WELL_KNOWN}/`)) return false;
    const options = document();
    if (options === undefined) return false;
    const expected = new URL(resourceMetadataUrl(options.resource)).pathname;
    if (path !== PRM_WELL_KNOWN && path !== expected) return false;
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD, OPTIONS' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'access-control-allow-headers': 'mcp-protocol-version',
        'access-control-max-age': '600',
      });
      res.end();
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD, OPTIONS' });
      res.end();
      return true;
    }
    const body = JSON.stringify(protectedResourceDocument(options));
    res.writeHead(200, {
      ...cors,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'public, max-age=300',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
