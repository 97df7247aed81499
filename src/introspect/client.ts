import { Client, type ClientCapabilities } from '@modelcontextprotocol/client';
import { SwitchboardError } from '../errors.js';
import { eraOf, type ProtocolEra } from '../protocol/versions.js';
import type { Transport } from '../transport.js';
import { classifyFailure, describeFailure, type InspectFailureKind, type InspectPhase } from './failure.js';

/** Default per-request timeout of inspections, in ms. */
export const DEFAULT_INSPECT_TIMEOUT_MS = 30_000;

// A silent stdio server is taken for a 2025-era one after this long (the `server/discover` probe).
const MAX_PROBE_TIMEOUT_MS = 5_000;

/** Options shared by {@link connectInspector} and its callers. */
export interface InspectClientOptions {
  /** Per-request timeout in ms, the handshake included (default 30 000). */
  timeoutMs?: number | undefined;
  /** The identity the inspector reports to the server (default `mcp-switchboard-inspect`). */
  clientInfo?: { name: string; version: string } | undefined;
  /** Capabilities the client declares (default none: the catalog a plain client sees). */
  capabilities?: ClientCapabilities | undefined;
  /** Called with the client before it connects, e.g. to set handlers of server→client requests. */
  beforeConnect?: ((client: Client) => void) | undefined;
}

/** A connected SDK v2 client plus what the connection negotiated. */
export interface InspectConnection {
  readonly client: Client;
  readonly protocolVersion: string | null;
  readonly era: ProtocolEra;
  readonly connectMs: number;
  /** The last error the transport reported out of band (e.g. `CHILD_EXITED`), if any. */
  readonly transportError: () => unknown;
}

/**
 * Wraps a failure as `INSPECT_FAILED`, recording its {@link InspectFailureKind} in `details.failure`.
 *
 * @param error - what was thrown
 * @param phase - before or after the connection was established
 */
export function inspectFailure(
  error: unknown,
  phase: InspectPhase,
  transportError?: unknown,
): SwitchboardError {
  if (error instanceof SwitchboardError && error.code === 'INSPECT_FAILED') return error;
  // The SDK reports a dead connection generically ("connection closed"); the transport's own coded
  // error (a child's exit code and stderr, a refused connection) says why, so it leads.
  const primary = transportError instanceof SwitchboardError ? transportError : error;
  const failure: InspectFailureKind = classifyFailure(primary, phase);
  return new SwitchboardError('INSPECT_FAILED', describeFailure(primary), {
    cause: primary,
    details: { failure, phase, ...(primary !== error ? { sdkError: describeFailure(error) } : {}) },
  });
}

/**
 * The {@link InspectFailureKind} of an error thrown by `inspectServer()` / `callServerTool()`.
 *
 * @param error - what was thrown
 */
export function inspectFailureKind(error: unknown): InspectFailureKind {
  if (error instanceof SwitchboardError && error.code === 'INSPECT_FAILED') {
    const failure = error.details.failure;
    if (failure === 'usage' || failure === 'auth' || failure === 'unreachable' || failure === 'server') {
      return failure;
    }
  }
  return classifyFailure(error, 'request');
}

/**
 * Connects an SDK v2 client that speaks both protocol eras: it probes with `server/discover` (the
 * 2026-07-28 stateless era) and falls back to the 2025 `initialize` handshake.
 *
 * @param transport - an unstarted client transport (the SDK starts it)
 * @param options - timeout and client identity
 * @throws SwitchboardError `INSPECT_FAILED` with `details.failure` (`unreachable`, `auth`, `server`)
 */
export async function connectInspector(
  transport: Transport,
  options: InspectClientOptions = {},
): Promise<InspectConnection> {
  const timeout = options.timeoutMs ?? DEFAULT_INSPECT_TIMEOUT_MS;
  const client = new Client(options.clientInfo ?? { name: 'mcp-switchboard-inspect', version: '0.1.0' }, {
    capabilities: options.capabilities ?? {},
    versionNegotiation: {
      mode: 'auto',
      probe: { timeoutMs: Math.min(timeout, MAX_PROBE_TIMEOUT_MS) },
    },
  });
  // Out-of-band transport errors (e.g. a stray non-JSON line) are not fatal to an inspection; the last
  // one explains a failure that follows.
  let transportError: unknown;
  const remember = (error: Error): void => {
    transportError = error;
  };
  // Set on the transport too: during the era probe the SDK forwards transport errors only to a
  // callback that was there before connect().
  transport.onerror = remember;
  client.onerror = remember;
  options.beforeConnect?.(client);
  const started = performance.now();
  try {
    await client.connect(transport, { timeout });
  } catch (error) {
    await closeQuietly(client);
    throw inspectFailure(error, 'connect', transportError);
  }
  const protocolVersion = client.getNegotiatedProtocolVersion() ?? null;
  const era: ProtocolEra =
    client.getProtocolEra() === 'modern' ? 'stateless' : eraOf(protocolVersion ?? '2025-03-26');
  return {
    client,
    protocolVersion,
    era,
    connectMs: performance.now() - started,
    transportError: () => transportError,
  };
}

/**
 * Closes a client, ignoring errors (the transport may already be gone).
 *
 * @param client - the client to close
 */
export async function closeQuietly(client: Client): Promise<void> {
  try {
    await client.close();
  } catch {
    // Closing after a failure: nothing left to report.
  }
}
