import type { Agent, Dispatcher } from 'undici';
import { loadUndici } from '../../../lazy-modules.js';
import type { ConnectOptions } from '../../../endpoint/scheme.js';
import { SwitchboardError } from '../../../errors.js';
import type { Transport } from '../../../transport.js';
import { stripBrackets, tlsClientOptions, type TlsClientOptions } from '../../tls-options.js';
import type { HttpClientOptions } from './http-client-options.js';
import { LegacySseClientTransport } from './legacy-sse-client.js';
import { StreamableHttpClientTransport } from './streamable-http-client.js';

// One undici Agent per TLS options object (per host), so transports built from the same options share
// keep-alive connections instead of each opening its own.
const tlsAgents = new WeakMap<TlsClientOptions, Map<string, Dispatcher>>();

function dispatcherFor(url: URL, options: ConnectOptions): Dispatcher | undefined {
  const tls = options.tls;
  if (options.http?.dispatcher !== undefined || tls === undefined || url.protocol !== 'https:') {
    return options.http?.dispatcher;
  }
  let perHost = tlsAgents.get(tls);
  if (perHost === undefined) {
    perHost = new Map();
    tlsAgents.set(tls, perHost);
  }
  let agent = perHost.get(url.host);
  if (agent === undefined) {
    // undici's connect options reject explicit `undefined` members: keep the defined ones only.
    const connect = Object.fromEntries(
      Object.entries(tlsClientOptions(tls, stripBrackets(url.hostname))).filter(([, v]) => v !== undefined),
    ) as NonNullable<Agent.Options['connect']>;
    agent = new (loadUndici().Agent)({ connect });
    perHost.set(url.host, agent);
  }
  return agent;
}

/**
 * User info in the URI (`http://user:pass@host/…`) becomes `Authorization: Basic …`, as curl does (an
 * explicit `Authorization` header or a bearer `token` wins), and is removed from the URL.
 */
function splitCredentials(
  url: URL,
  http: HttpClientOptions | undefined,
): { url: URL; http: HttpClientOptions } {
  if (url.username === '' && url.password === '') return { url, http: http ?? {} };
  const bare = new URL(url.href);
  bare.username = '';
  bare.password = '';
  const headers = { ...http?.headers };
  const hasAuth = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
  if (!hasAuth && http?.token === undefined) {
    const userInfo = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.authorization = `Basic ${Buffer.from(userInfo, 'utf8').toString('base64')}`;
  }
  return { url: bare, http: { ...http, headers } };
}

function httpOptions(url: URL, options: ConnectOptions): { url: URL; http: HttpClientOptions } {
  const split = splitCredentials(url, options.http);
  return {
    url: split.url,
    http: {
      ...split.http,
      maxMessageBytes: options.http?.maxMessageBytes ?? options.maxMessageBytes,
      dispatcher: dispatcherFor(split.url, options),
    },
  };
}

function checkHttpUrl(url: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SwitchboardError('INVALID_URI', `Expected an http: or https: URL, got "${url.protocol}"`);
  }
  if (url.hostname === '') throw new SwitchboardError('INVALID_URI', `No host in "${url.href}"`);
}

/**
 * `connect()` of the `http://` and `https://` schemes: a Streamable HTTP client (both eras) that falls
 * back to the legacy HTTP+SSE transport when the server turns out to be a 2024-11-05 one.
 *
 * Reads `options.http` ({@link HttpClientOptions}), `options.maxMessageBytes` and, for `https:`,
 * `options.tls` (CA, client certificate, servername). User info in the URL becomes Basic auth.
 *
 * @throws SwitchboardError `INVALID_URI`, `INVALID_OPTIONS`
 * @example
 * ```ts
 * const transport = connectHttp(new URL('https://mcp.example.com/mcp'), { http: { token: process.env.TOKEN } });
 * ```
 */
export function connectHttp(url: URL, options: ConnectOptions = {}): Transport {
  checkHttpUrl(url);
  const target = httpOptions(url, options);
  return new StreamableHttpClientTransport(target.url, target.http);
}

/**
 * `connect()` of the `sse+http://` and `sse+https://` schemes: the legacy HTTP+SSE client (2024-11-05),
 * forced. The URL is the SSE endpoint with `sse+` removed (`sse+http://host:3001/sse` → `GET
 * http://host:3001/sse`).
 *
 * @throws SwitchboardError `INVALID_URI`, `INVALID_OPTIONS`
 */
export function connectSse(url: URL, options: ConnectOptions = {}): Transport {
  const target = url.protocol.startsWith('sse+') ? new URL(url.href.slice('sse+'.length)) : url;
  checkHttpUrl(target);
  const resolved = httpOptions(target, options);
  return new LegacySseClientTransport(resolved.url, resolved.http);
}
