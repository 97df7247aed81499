import { openBackend, parseBackendTarget, type BackendTarget } from '../cli/backend-target.js';
import type { ConnectOptions } from '../endpoint/scheme.js';
import { SwitchboardError } from '../errors.js';
import type { Transport } from '../transport.js';
import type { StderrMode } from '../transports/stdio-client.js';
import type { TlsClientOptions } from '../transports/tls-options.js';

/**
 * Where a generated client connects: an endpoint URI (`tcp://…`, `unix:///…`, `ws://…`, `http(s)://…`,
 * `sse+http(s)://…`, `memory:…`), a command to spawn, or a ready transport (ours or the SDK's).
 */
export interface ClientTargetOptions {
  /** An endpoint URI, resolved through the endpoint registry exactly as `switchboard inspect` does. */
  uri?: string | undefined;
  /** A stdio server to spawn (never through a shell). */
  command?: string | undefined;
  /** Arguments of `command`, passed literally. */
  args?: readonly string[] | undefined;
  /** Variables for the spawned server, on top of the minimal inherited set. */
  env?: Record<string, string> | undefined;
  /** Working directory of the spawned server. */
  cwd?: string | undefined;
  /** What to do with the spawned server's stderr (default `inherit`). */
  stderr?: StderrMode | undefined;
  /** Any unstarted transport: it is used as is and the other target members are ignored. */
  transport?: Transport | undefined;
  /** Extra HTTP headers (http, sse and websocket URIs only). */
  headers?: Record<string, string> | undefined;
  /** Bearer token (http, sse and websocket URIs only). */
  authToken?: string | undefined;
  /** TLS settings (CA, client certificate) for `tls://`, `wss://`, `https://` endpoints. */
  tls?: TlsClientOptions | undefined;
  /** Largest message in bytes (the registry's default when unset). */
  maxMessageBytes?: number | undefined;
  /** Adjusts the registry's connect options of a URI target (advanced; e.g. an SSRF guard). */
  connectOptions?: ((uri: string, options: ConnectOptions) => ConnectOptions) | undefined;
}

/** A URI string, a transport, or {@link ClientTargetOptions}. */
export type ClientTarget = string | Transport | ClientTargetOptions;

const isTransport = (value: unknown): value is Transport =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Transport).start === 'function' &&
  typeof (value as Transport).send === 'function';

/**
 * Turns a {@link ClientTarget} into an unstarted transport, through the same backend-target parsing
 * and endpoint registry that `switchboard inspect` and `serve` use.
 *
 * @param target - URI, transport or options
 * @throws SwitchboardError `INVALID_OPTIONS` (no target, two targets, headers on a non-HTTP URI),
 *   `INVALID_URI` / `UNSUPPORTED_SCHEME` from the registry
 * @example
 * ```ts
 * const transport = openClientTransport({ command: 'node', args: ['server.js'] });
 * ```
 */
export function openClientTransport(target: ClientTarget): Transport {
  if (typeof target === 'string') return openClientTransport({ uri: target });
  if (isTransport(target)) return target;
  if (target.transport !== undefined) return target.transport;
  const given = [target.uri, target.command].filter((v) => v !== undefined).length;
  if (given !== 1) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      given === 0
        ? 'connect: give a URI, { command, args } or { transport }'
        : 'connect: give a URI or a command, not both',
    );
  }
  let backend: BackendTarget;
  if (target.command !== undefined) {
    backend = parseBackendTarget({ command: [target.command, ...(target.args ?? [])] });
  } else {
    backend = parseBackendTarget({
      positional: [target.uri ?? ''],
      flags: {
        header: Object.entries(target.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
        authToken: target.authToken,
      },
    });
  }
  const guard = target.connectOptions;
  return openBackend(backend, {
    maxMessageBytes: target.maxMessageBytes,
    stderr: target.stderr,
    env: target.env,
    cwd: target.cwd,
    tls: target.tls,
    guard: guard === undefined ? undefined : { connectOptions: guard },
  });
}
