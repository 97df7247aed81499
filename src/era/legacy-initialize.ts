/**
 * The 2025 handshake of the legacy-facing stage: a 2025 client's `initialize` becomes the envelope of
 * its later requests, and the backend's `server/discover` result becomes the `InitializeResult`.
 */
import type { MessageParams } from '../protocol/messages.js';
import { LEGACY_SSE_PROTOCOL_VERSION, MetaKey, SESSION_ERA_VERSIONS } from '../protocol/versions.js';
import { LEGACY_PROTOCOL_VERSION, type EnvelopeMaterial } from './era-meta.js';
import type { ListChangedFilter } from './legacy-listen.js';

/** A peer that did not say who it is (or said it in a malformed way); a fresh object for each use. */
const unknownPeer = (): { name: string; version: string } => ({ name: 'unknown', version: '0' });

/**
 * The envelope material of a 2025 client from its `initialize` params: its capabilities and info (a
 * malformed value becomes an empty or unknown one), with the log level it has so far.
 *
 * @param params - the `initialize` request's params
 * @param logLevel - the level set by an earlier `logging/setLevel` (or the default)
 */
export function clientFromInitialize(
  params: MessageParams | undefined,
  logLevel: string | undefined,
): EnvelopeMaterial {
  const caps = params?.capabilities;
  const info = params?.clientInfo as EnvelopeMaterial['clientInfo'] | undefined;
  return {
    clientCapabilities: typeof caps === 'object' && caps !== null ? (caps as Record<string, unknown>) : {},
    clientInfo: typeof info?.name === 'string' && typeof info.version === 'string' ? info : unknownPeer(),
    logLevel,
  };
}

/** What a `server/discover` result tells the stage. */
export interface DiscoveredServer {
  /** The `InitializeResult` the 2025 client gets. */
  result: Record<string, unknown>;
  /** The server's capabilities (`{}` when it declared none). */
  capabilities: Record<string, unknown>;
  /** Which list-changed notifications the 2025 client would get on its GET stream. */
  listen: ListChangedFilter;
}

/**
 * The `InitializeResult` of a 2025 client from the backend's `server/discover` result: capabilities,
 * `serverInfo` (from the result's `_meta`), instructions, and the 2025 version the client asked for
 * (the newest 2025 revision when it asked for one the bridge does not speak).
 *
 * @param requestedVersion - `params.protocolVersion` of the client's `initialize`
 * @param discover - the backend's `server/discover` result
 */
export function initializeFromDiscover(
  requestedVersion: unknown,
  discover: Record<string, unknown>,
): DiscoveredServer {
  const version =
    typeof requestedVersion === 'string' &&
    (SESSION_ERA_VERSIONS.includes(requestedVersion) || requestedVersion === LEGACY_SSE_PROTOCOL_VERSION)
      ? requestedVersion
      : LEGACY_PROTOCOL_VERSION;
  const caps = discover.capabilities;
  const capabilities = typeof caps === 'object' && caps !== null ? (caps as Record<string, unknown>) : {};
  const meta = discover._meta as Record<string, unknown> | undefined;
  const info = meta?.[MetaKey.serverInfo] ?? discover.serverInfo ?? unknownPeer();
  const result: Record<string, unknown> = { protocolVersion: version, capabilities, serverInfo: info };
  if (typeof discover.instructions === 'string') result.instructions = discover.instructions;
  const listChanged = (name: string): boolean =>
    (capabilities[name] as { listChanged?: unknown } | undefined)?.listChanged === true;
  return {
    result,
    capabilities,
    listen: {
      toolsListChanged: listChanged('tools'),
      promptsListChanged: listChanged('prompts'),
      resourcesListChanged: listChanged('resources'),
    },
  };
}
