import { SwitchboardError } from '../../../errors.js';
import { JsonRpcCode } from '../../../protocol/json-rpc-codes.js';
import type { JSONRPCRequest } from '../../../protocol/messages.js';
import {
  MetaKey,
  MODERN_PROTOCOL_VERSION,
  STATELESS_ERA_VERSIONS,
  eraOf,
} from '../../../protocol/versions.js';
import { bearerHeader, resolveHttpClientOptions, type HttpClientOptions } from './http-client-options.js';
import {
  httpStatusError,
  isLegacyServerSignal,
  parseRpcErrorBody,
  type BodyRpcError,
} from './http-errors.js';
import { LegacySseClientTransport } from './legacy-sse-client.js';
import { applyModernHeaders } from './request-headers.js';
import { exchangeRequest, isResultResponse } from './rpc-exchange.js';

/** What {@link probeEra} found out about a server. */
export type EraProbeResult =
  /** A 2026-07-28 (or later) server; `discover` is its `server/discover` result when it sent one. */
  | { era: 'stateless'; version: string; discover?: Record<string, unknown> | undefined }
  /** A 2025-era Streamable HTTP server: connect with `initialize`. */
  | { era: 'session' }
  /** A 2024-11-05 HTTP+SSE server (deprecated transport). */
  | { era: 'legacy-sse'; endpoint: URL };

/** Options of {@link probeEra}. */
export interface EraProbeOptions extends HttpClientOptions {
  /** Sent as `clientInfo` in the probe's `_meta` (default `{ name: 'mcp-switchboard', version: '0' }`). */
  clientInfo?: { name: string; version: string } | undefined;
  /** Stateless-era versions this client speaks, preferred first (default: the library's). */
  versions?: readonly string[] | undefined;
}

function modernOverlap(supported: unknown, ours: readonly string[]): string | undefined {
  if (!Array.isArray(supported)) return undefined;
  return ours.find((v) => supported.includes(v));
}

function fromRpcError(error: BodyRpcError, ours: readonly string[]): EraProbeResult | undefined {
  if (error.code === JsonRpcCode.UnsupportedProtocolVersion) {
    const supported = (error.data as { supported?: unknown } | undefined)?.supported;
    const version = modernOverlap(supported, ours);
    return version === undefined ? { era: 'session' } : { era: 'stateless', version };
  }
  // Header or capability problems are answers only a modern server gives (spec: "the server speaks a
  // modern version of MCP — correct the request rather than falling back").
  if (
    error.code === JsonRpcCode.HeaderMismatch ||
    error.code === JsonRpcCode.MissingRequiredClientCapability
  ) {
    return { era: 'stateless', version: ours[0] ?? MODERN_PROTOCOL_VERSION };
  }
  return undefined;
}

/**
 * Finds out which protocol era an HTTP MCP endpoint speaks, the way the 2026-07-28 spec describes:
 * POST a modern `server/discover`; a discover result or a recognised modern error means stateless;
 * a 400/404/405 without a modern error body means "older": if a `GET` then yields an `endpoint` event
 * it is a 2024-11-05 HTTP+SSE server, else a 2025-era Streamable HTTP server. Any other answer also
 * means 2025 era (the fallback is never keyed to one error code).
 *
 * @param url - the MCP endpoint
 * @throws SwitchboardError `AUTH_REQUIRED` / `FORBIDDEN` (auth is not era evidence), `HTTP_ERROR` for
 *   5xx, `CONNECTION_FAILED` / `UPSTREAM_TIMEOUT` when the server cannot be reached
 * @example
 * ```ts
 * const { era } = await probeEra(new URL('https://example.com/mcp'));
 * ```
 */
export async function probeEra(url: URL, options: EraProbeOptions = {}): Promise<EraProbeResult> {
  const opts = resolveHttpClientOptions(options);
  const ours = (options.versions ?? STATELESS_ERA_VERSIONS).filter((v) => eraOf(v) === 'stateless');
  const version = ours[0] ?? MODERN_PROTOCOL_VERSION;
  const probe: JSONRPCRequest = {
    jsonrpc: '2.0',
    id: 'switchboard-probe-1',
    method: 'server/discover',
    params: {
      _meta: {
        [MetaKey.protocolVersion]: version,
        [MetaKey.clientCapabilities]: {},
        [MetaKey.clientInfo]: options.clientInfo ?? { name: 'mcp-switchboard', version: '0' },
      },
    },
  };
  const headers: Record<string, string> = { ...opts.headers };
  const auth = await bearerHeader(opts.token);
  if (auth !== undefined) headers.authorization = auth;
  applyModernHeaders(headers, probe, version);
  const result = await exchangeRequest(
    {
      url,
      headers,
      signal: AbortSignal.timeout(opts.internalRequestTimeoutMs),
      headersTimeoutMs: opts.headersTimeoutMs,
    },
    probe,
    { dispatcher: opts.dispatcher, maxMessageBytes: opts.maxMessageBytes },
  );
  const { status } = result;
  if (status === 401 || status === 403 || status >= 500) {
    throw httpStatusError({
      status,
      method: 'POST',
      url,
      body: result.errorBody,
      wwwAuthenticate: result.wwwAuthenticate,
    });
  }
  if (status >= 200 && status < 300) {
    const response = result.response;
    if (response !== undefined && isResultResponse(response)) {
      const overlap = modernOverlap(response.result.supportedVersions, ours);
      return overlap === undefined
        ? { era: 'session' }
        : { era: 'stateless', version: overlap, discover: response.result };
    }
    if (response !== undefined && 'error' in response) {
      return fromRpcError(response.error, ours) ?? { era: 'session' };
    }
    return { era: 'session' };
  }
  const rpc = parseRpcErrorBody(result.errorBody);
  const modern = rpc === undefined ? undefined : fromRpcError(rpc, ours);
  if (modern !== undefined) return modern;
  if (status === 404 && rpc?.code === JsonRpcCode.MethodNotFound) return { era: 'stateless', version };
  if (isLegacyServerSignal(status, result.errorBody)) {
    const legacy = new LegacySseClientTransport(url, {
      ...options,
      legacyEndpointTimeoutMs: opts.legacyEndpointTimeoutMs,
    });
    try {
      await legacy.start();
      const endpoint = legacy.endpoint;
      if (endpoint !== undefined) return { era: 'legacy-sse', endpoint };
    } catch (error) {
      if (error instanceof SwitchboardError && (error.code === 'AUTH_REQUIRED' || error.code === 'FORBIDDEN'))
        throw error;
    } finally {
      await legacy.close();
    }
  }
  return { era: 'session' };
}
