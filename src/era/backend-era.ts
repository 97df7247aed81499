import { toSwitchboardError } from '../errors.js';
import { JsonRpcCode } from '../protocol/json-rpc-codes.js';
import { isResponse, type JSONRPCMessage, type RequestId } from '../protocol/messages.js';
import { MetaKey, STATELESS_ERA_VERSIONS } from '../protocol/versions.js';
import type { Transport } from '../transport.js';
import { LEGACY_PROTOCOL_VERSION } from './era-meta.js';

/**
 * Which protocol eras a backend speaks:
 * - `legacy`: only the 2025 era (`initialize` + sessions);
 * - `modern`: only 2026-07-28 (`server/discover`, per-request `_meta`);
 * - `dual`: both, so every client is served in its own era without translation.
 */
export type BackendEra = 'legacy' | 'modern' | 'dual';

/** How the backend era is decided: forced by configuration, or probed (`auto`). */
export type BackendEraSetting = 'auto' | '2025' | '2026';

/** Options of {@link probeBackendEra}. */
export interface BackendEraProbeOptions {
  /** How long to wait for each probe answer, in ms (default 10,000). A silent server is a 2025 server. */
  timeoutMs?: number | undefined;
}

const PROBE_INFO = { name: 'mcp-switchboard-era-probe', version: '1' };

function isModernError(error: { code?: unknown; data?: unknown } | undefined): boolean {
  if (error === undefined) return false;
  if (
    error.code === JsonRpcCode.HeaderMismatch ||
    error.code === JsonRpcCode.MissingRequiredClientCapability
  ) {
    return true;
  }
  if (error.code !== JsonRpcCode.UnsupportedProtocolVersion) return false;
  const supported = (error.data as { supported?: unknown } | undefined)?.supported;
  return Array.isArray(supported) && supported.some((v) => STATELESS_ERA_VERSIONS.includes(v as string));
}

/** One request/answer on a started connection; `undefined` on timeout, close or send failure. */
function exchange(
  transport: Transport,
  waiters: Map<RequestId, (m: JSONRPCMessage | undefined) => void>,
  message: JSONRPCMessage & { id: RequestId },
  timeoutMs: number,
): Promise<JSONRPCMessage | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const finish = (m: JSONRPCMessage | undefined): void => {
      clearTimeout(timer);
      waiters.delete(message.id);
      resolve(m);
    };
    waiters.set(message.id, finish);
    transport.send(message).catch(() => finish(undefined));
  });
}

/**
 * Finds out once which eras a backend speaks, on a connection of its own that is closed afterwards
 * (2026-07-28 "era detection"): a `server/discover` whose result offers 2026-07-28, or a modern error
 * (-32022 listing a modern version, -32020, -32021), means the backend speaks 2026-07-28; any other
 * answer, an error of any other code, a timeout or a closed connection means 2025 only (the fallback is
 * never keyed to one error code). A modern backend is then asked for `initialize`: a result means it
 * speaks both eras.
 *
 * @param connect - a fresh, unstarted connection to the backend
 * @throws SwitchboardError when the connection cannot even be started (the backend is down)
 */
export async function probeBackendEra(
  connect: () => Transport,
  options: BackendEraProbeOptions = {},
): Promise<BackendEra> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const transport = connect();
  const waiters = new Map<RequestId, (m: JSONRPCMessage | undefined) => void>();
  transport.onmessage = (m) => {
    if (isResponse(m) && m.id !== undefined) waiters.get(m.id)?.(m);
  };
  transport.onclose = () => {
    for (const w of [...waiters.values()]) w(undefined);
  };
  transport.onerror = () => undefined;
  try {
    await transport.start();
    const discover = await exchange(
      transport,
      waiters,
      {
        jsonrpc: '2.0',
        id: 'switchboard-era-probe-discover',
        method: 'server/discover',
        params: {
          _meta: {
            [MetaKey.protocolVersion]: STATELESS_ERA_VERSIONS[0],
            [MetaKey.clientCapabilities]: {},
            [MetaKey.clientInfo]: PROBE_INFO,
          },
        },
      },
      timeoutMs,
    );
    const result = (discover as { result?: { supportedVersions?: unknown } } | undefined)?.result;
    const offered = result?.supportedVersions;
    const modern =
      (Array.isArray(offered) && offered.some((v) => STATELESS_ERA_VERSIONS.includes(v as string))) ||
      isModernError((discover as { error?: { code?: unknown; data?: unknown } } | undefined)?.error);
    if (!modern) return 'legacy';
    const init = await exchange(
      transport,
      waiters,
      {
        jsonrpc: '2.0',
        id: 'switchboard-era-probe-initialize',
        method: 'initialize',
        params: { protocolVersion: LEGACY_PROTOCOL_VERSION, capabilities: {}, clientInfo: PROBE_INFO },
      },
      timeoutMs,
    );
    const version = (init as { result?: { protocolVersion?: unknown } } | undefined)?.result?.protocolVersion;
    return typeof version === 'string' ? 'dual' : 'modern';
  } catch (error) {
    throw toSwitchboardError(error, 'CONNECTION_FAILED');
  } finally {
    await transport.close().catch(() => undefined);
  }
}

/**
 * The backend's era, decided once and cached: forced by configuration (`2025` → legacy, `2026` →
 * modern), or probed on first use (`auto`). A probe that fails (backend down) is not cached: the next
 * caller probes again.
 */
export class BackendEraDetector {
  readonly #setting: BackendEraSetting;
  readonly #probe: () => Promise<BackendEra>;
  #known: BackendEra | undefined;
  #pending: Promise<BackendEra> | undefined;

  /**
   * @param setting - `auto`, `2025` or `2026`
   * @param probe - runs the probe (usually {@link probeBackendEra} over the proxy's `connectBackend`)
   */
  constructor(setting: BackendEraSetting, probe: () => Promise<BackendEra>) {
    this.#setting = setting;
    this.#probe = probe;
    if (setting === '2025') this.#known = 'legacy';
    else if (setting === '2026') this.#known = 'modern';
  }

  /** The era when already known (forced, or probed earlier), else `undefined`. */
  get known(): BackendEra | undefined {
    return this.#known;
  }

  /** The era, probing on first use. */
  era(): Promise<BackendEra> {
    if (this.#known !== undefined) return Promise.resolve(this.#known);
    this.#pending ??= this.#probe().then(
      (era) => {
        this.#known = era;
        this.#pending = undefined;
        return era;
      },
      (error: unknown) => {
        this.#pending = undefined;
        throw error;
      },
    );
    return this.#pending;
  }

  /** The configured setting. */
  get setting(): BackendEraSetting {
    return this.#setting;
  }
}
