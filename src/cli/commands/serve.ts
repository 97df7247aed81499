import { readFileSync } from 'node:fs';
import { loadYaml } from '../../lazy-modules.js';
import { Command } from 'commander';
import { z } from 'zod';
import {
  applyServerFlags,
  checkGatewayConfig,
  isNamedServerFlag,
  liftListenEntries,
} from '../../config/gateway-config.js';
import { ServeConfigSchema, type ServeConfig, type ServeConfigInput } from '../../config/serve-config.js';
import { SwitchboardError } from '../../errors.js';
import { redactUrlsIn } from '../../observability/redact-url.js';
import {
  addBackendTargetOptions,
  parseBackendTarget,
  splitCommandLine,
  splitOperands,
  type BackendTargetFlags,
} from '../backend-target.js';
import { applyGcMarking } from '../gc-marking.js';
import { createLogger } from '../logger.js';
import { addAdapterOptions, applyAdapterFlags, type AdapterFlags } from '../serve/adapter-flags.js';
import { frontendUri } from '../serve/frontend-flags.js';
import { addProcessOptions, addStdioChildOptions, type ProcessFlags } from '../serve/process-flags.js';
import { runServe } from '../serve/run-serve.js';
import {
  addResilienceOptions,
  applyResilienceFlags,
  type ResilienceFlags,
} from '../serve/resilience-flags.js';
import { addSecurityOptions, applySecurityFlags, type SecurityFlags } from '../serve/security-flags.js';
import {
  addTransportLimitOptions,
  applyTransportLimitFlags,
  type TransportLimitFlags,
} from '../serve/transport-limit-flags.js';
import { addSessionOptions, applySessionFlags, type SessionFlags } from '../serve/session-flags.js';
import { addEraOptions, applyEraFlags, type EraFlags } from '../serve/era-flags.js';
import { addDashboardOptions, applyDashboardFlags, type DashboardFlags } from '../serve/dashboard-flags.js';
import { collect } from '../repeatable.js';

/** Exit code of a usage error (bad flags, bad config). */
const USAGE = 2;

/** Startup errors that are the configuration's fault: exit code 2. */
const USAGE_CODES: ReadonlySet<string> = new Set([
  'SSRF_BLOCKED',
  'COMMAND_REFUSED',
  'INVALID_OPTIONS',
  'INVALID_URI',
  'UNSUPPORTED_SCHEME',
]);

interface TlsFlags {
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  tlsMinVersion?: string;
  backendTlsCa?: string;
  backendTlsCert?: string;
  backendTlsKey?: string;
  backendTlsServername?: string;
}

/** The flags of `switchboard serve` (and of `switchboard adapter`, which shares them). */
export interface ServeFlags
  extends
    BackendTargetFlags,
    TlsFlags,
    ResilienceFlags,
    SecurityFlags,
    TransportLimitFlags,
    SessionFlags,
    EraFlags,
    AdapterFlags,
    DashboardFlags,
    ProcessFlags {
  config?: string;
  frontend?: string;
  bind?: string;
  endpoint?: string;
  listen?: string[];
  sessionMode?: string;
  maxSessions?: string;
  idleTimeout?: string;
  timeout?: string;
  maxTimeout?: string;
  maxMessageBytes?: string;
  responseMode?: string;
  allowedOrigin?: string[];
  adminBind?: string;
  state?: string;
}

const usage = (message: string): SwitchboardError => new SwitchboardError('INVALID_OPTIONS', message);

function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usage(`--${name} "${value}": expected a whole number`);
  return Number(value);
}

function envFlag(values: string[] | undefined): Record<string, string> | undefined {
  if (values === undefined) return undefined;
  return Object.fromEntries(
    values.map((kv) => {
      const i = kv.indexOf('=');
      if (i <= 0) throw usage(`--env "${kv}": expected NAME=value`);
      return [kv.slice(0, i), kv.slice(i + 1)];
    }),
  );
}

/** Reads a YAML (or JSON) config file into the raw config shape. */
function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw usage(`--config ${file}: ${(error as Error).message}`);
  }
  const value: unknown = loadYaml().parse(text);
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw usage(`--config ${file}: expected a mapping at the top level`);
  return value as Record<string, unknown>;
}

/** Backend as a config file may write it: a URI string, `{ command, args }`, or `{ uri, headers, authToken }`. */
const FileBackend = z.union([
  z.string(),
  z.object({ command: z.string(), args: z.array(z.string()).optional() }).strict(),
  z
    .object({
      uri: z.string(),
      headers: z.record(z.string(), z.string()).optional(),
      authToken: z.string().optional(),
    })
    .strict(),
]);

function fileBackend(raw: unknown): ServeConfigInput['backend'] {
  if (raw === undefined) return undefined;
  const parsed = FileBackend.safeParse(raw);
  if (!parsed.success)
    throw usage('config "backend": expected a URI string, { command, args } or { uri, headers, authToken }');
  const b = parsed.data;
  if (typeof b === 'string') return parseBackendTarget({ positional: [b] });
  if ('command' in b) return parseBackendTarget({ command: [b.command, ...(b.args ?? [])] });
  return parseBackendTarget({
    positional: [b.uri],
    flags: { header: Object.entries(b.headers ?? {}).map(([k, v]) => `${k}: ${v}`), authToken: b.authToken },
  });
}

/**
 * Builds the configuration from the file (if any) and the flags; flags win over the file.
 *
 * @throws SwitchboardError `INVALID_OPTIONS` with a one-line message naming the fix
 */
export function resolveServeConfig(
  given: ServeFlags,
  operands: { positional: string[]; command: string[] },
): ServeConfig {
  const file = given.config ? liftListenEntries(readConfigFile(given.config)) : {};
  const merged: Record<string, unknown> = { ...file, backend: fileBackend(file.backend) };
  // `--server NAME=…` names a gateway server; a bare `--server URL` is the --http alias.
  const serverFlags = given.server === undefined ? [] : [given.server].flat();
  applyServerFlags(merged, serverFlags.filter(isNamedServerFlag), splitCommandLine);
  const alias = serverFlags.filter((v) => !isNamedServerFlag(v));
  const flags: ServeFlags = { ...given, server: alias.length > 0 ? alias : undefined };

  const backendGiven =
    operands.positional.length > 0 ||
    operands.command.length > 0 ||
    [
      flags.cmd,
      flags.tcp,
      flags.unix,
      flags.http,
      flags.server,
      flags.websocket,
      flags.sse,
      flags.backend,
    ].some((v) => v !== undefined);
  if (backendGiven) merged.backend = parseBackendTarget({ ...operands, flags });
  else if (flags.authToken !== undefined || flags.header !== undefined) {
    throw usage('--auth-token/--header need a network backend (e.g. --http URL)');
  }

  if (
    flags.listen !== undefined &&
    (flags.frontend !== undefined || flags.bind !== undefined || flags.endpoint !== undefined)
  ) {
    throw usage('give --listen URIs or --frontend/--bind/--endpoint, not both');
  }
  if (flags.listen !== undefined) merged.listen = flags.listen;
  else if (flags.frontend !== undefined || flags.bind !== undefined || flags.endpoint !== undefined) {
    merged.listen = [frontendUri(flags.frontend ?? 'http', flags.bind, flags.endpoint)];
  }

  const set = (key: string, value: unknown): void => {
    if (value !== undefined) merged[key] = value;
  };
  const sub = (key: string): Record<string, unknown> => {
    const current = merged[key];
    const copy =
      typeof current === 'object' && current !== null ? { ...(current as Record<string, unknown>) } : {};
    merged[key] = copy;
    return copy;
  };
  set('sessionMode', flags.sessionMode);
  set('maxSessions', intFlag('max-sessions', flags.maxSessions));
  set('idleTimeout', flags.idleTimeout);
  set('requestTimeout', flags.timeout);
  set('maxRequestTimeout', flags.maxTimeout);
  set('maxMessageBytes', intFlag('max-message-bytes', flags.maxMessageBytes));
  set('shutdownGrace', flags.shutdownGrace);
  set('adminBind', flags.adminBind);
  set('gc', flags.gc);
  if (flags.state !== undefined) {
    const current = merged.state;
    merged.state =
      typeof current === 'object' && current !== null
        ? { ...(current as Record<string, unknown>), url: flags.state }
        : flags.state;
  }
  if (flags.restartMax !== undefined)
    sub('restart').maxFastFailures = intFlag('restart-max', flags.restartMax);
  const env = envFlag(flags.env);
  if (env !== undefined || flags.inheritEnv !== undefined || flags.cwd !== undefined) {
    const stdio = sub('stdio');
    if (env !== undefined) stdio.env = { ...(stdio.env as Record<string, string> | undefined), ...env };
    if (flags.inheritEnv !== undefined) stdio.inheritEnv = flags.inheritEnv;
    if (flags.cwd !== undefined) stdio.cwd = flags.cwd;
  }
  if (flags.responseMode !== undefined) sub('http').responseMode = flags.responseMode;
  if (flags.allowedOrigin !== undefined) sub('http').allowedOrigins = flags.allowedOrigin;
  const tlsMin = (v: string | undefined): string | undefined =>
    v === undefined ? undefined : ({ '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' }[v] ?? v);
  for (const [key, value] of [
    ['certFile', flags.tlsCert],
    ['keyFile', flags.tlsKey],
    ['clientCaFile', flags.tlsClientCa],
    ['minVersion', tlsMin(flags.tlsMinVersion)],
  ] as const) {
    if (value !== undefined) sub('tls')[key] = value;
  }
  for (const [key, value] of [
    ['caFile', flags.backendTlsCa],
    ['certFile', flags.backendTlsCert],
    ['keyFile', flags.backendTlsKey],
    ['servername', flags.backendTlsServername],
  ] as const) {
    if (value !== undefined) sub('backendTls')[key] = value;
  }
  if (flags.logLevel !== undefined) sub('log').level = flags.logLevel;
  if (flags.logFormat !== undefined) sub('log').format = flags.logFormat;

  applyResilienceFlags(merged, flags);
  applySecurityFlags(merged, flags);
  applyTransportLimitFlags(merged, flags);
  applySessionFlags(merged, flags);
  applyEraFlags(merged, flags);
  applyAdapterFlags(merged, flags);
  applyDashboardFlags(merged, flags);
  const result = ServeConfigSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'config';
    throw usage(`${where}: ${issue?.message ?? 'invalid'}`);
  }
  const config = result.data;
  if (config.requestTimeout > config.maxRequestTimeout) {
    throw usage(
      `--timeout (${config.requestTimeout} ms) exceeds --max-timeout (${config.maxRequestTimeout} ms)`,
    );
  }
  checkTls(config);
  checkGatewayConfig(config);
  return config;
}

const TLS_SCHEMES = /^(tls|https|wss):/i;

/** TLS flags make sense only together, and only with a TLS frontend; a TLS frontend needs them. */
function checkTls(config: ServeConfig): void {
  const tlsFrontends = config.listen.filter((uri) => TLS_SCHEMES.test(uri));
  const { certFile, keyFile, clientCaFile } = config.tls;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw usage('--tls-cert and --tls-key go together');
  }
  if (tlsFrontends.length > 0 && certFile === undefined) {
    throw usage(`${tlsFrontends[0] ?? 'a TLS frontend'} needs --tls-cert <file> and --tls-key <file>`);
  }
  if (tlsFrontends.length === 0 && (certFile !== undefined || clientCaFile !== undefined)) {
    throw usage('--tls-cert/--tls-client-ca need a tls://, https:// or wss:// frontend (--listen)');
  }
  const b = config.backendTls;
  if ((b.certFile === undefined) !== (b.keyFile === undefined)) {
    throw usage('--backend-tls-cert and --backend-tls-key go together');
  }
}

/** Registers `switchboard serve`. */
export function registerServeCommand(program: Command): void {
  const command = new Command('serve')
    .description(
      'serve a backend MCP server to clients over any frontend(s); no backend: the built-in demo server',
    )
    .argument(
      '[backend...]',
      'backend URI (tcp://, unix:///, ws://, http(s)://, sse+http(s)://), or -- <command> [args…]',
    )
    .usage('[backend-uri] [options] [-- <command> [args…]]');
  addBackendTargetOptions(command);
  command
    .option('--config <file>', 'YAML config file (same schema; flags win)')
    .option('--frontend <kind>', 'stdio | http | tcp | unix | websocket (default http)')
    .option(
      '--bind <address>',
      'host:port for network frontends (default 127.0.0.1:3000), a socket path for unix',
    )
    .option('--endpoint <path>', 'HTTP/WebSocket path (default /mcp; websocket also serves /)')
    .option(
      '--listen <uri>',
      'frontend URI, repeatable (http://127.0.0.1:3000/mcp, tcp://…, unix:///…, ws://…, stdio:)',
      collect,
    )
    .option('--session-mode <mode>', 'per-session (own backend per client) | shared (one backend)')
    .option('--max-sessions <n>', 'most concurrent client sessions with a backend (default 1000)')
    .option(
      '--idle-timeout <duration>',
      'close sessions idle this long, stopping their backend (default 30m; 0 = never)',
    )
    .option('--timeout <duration>', 'request deadline without progress, e.g. 60s (default 60s)')
    .option('--max-timeout <duration>', 'hard cap on a request, progress or not (default 10m)')
    .option('--max-message-bytes <n>', 'largest message on any hop (default 33554432)')
    .option('--response-mode <mode>', 'HTTP frontend: answer requests as json (default) or sse')
    .option('--allowed-origin <origin>', 'HTTP frontend: extra allowed Origin, repeatable', collect)
    .option('--tls-cert <file>', 'certificate (PEM) of tls://, https://, wss:// frontends')
    .option('--tls-key <file>', 'private key (PEM) of tls://, https://, wss:// frontends')
    .option('--tls-client-ca <file>', 'require client certificates signed by this CA (mutual TLS)')
    .option('--tls-min-version <v>', '1.2 (default) or 1.3')
    .option('--backend-tls-ca <file>', 'CA bundle to verify a tls/https/wss backend (default: system roots)')
    .option('--backend-tls-cert <file>', 'client certificate for a backend that requires mTLS')
    .option('--backend-tls-key <file>', 'client key for a backend that requires mTLS')
    .option(
      '--backend-tls-servername <name>',
      'host name to verify (and send as SNI) when it differs from the URI',
    )
    .option(
      '--admin-bind <host:port>',
      'serve /healthz, /readyz and /metrics here too (for non-HTTP frontends)',
    )
    .option(
      '--state <redis-uri>',
      'share sessions and SSE events with other instances in Redis (redis[s]://host:port/db[?prefix=…])',
    );
  addStdioChildOptions(command);
  addProcessOptions(command);
  addResilienceOptions(command);
  addSecurityOptions(command);
  addTransportLimitOptions(command);
  addSessionOptions(command);
  addEraOptions(command);
  addAdapterOptions(command);
  addDashboardOptions(command);
  command.action(async (operands: string[], flags: ServeFlags, cmd: Command) => {
    let config: ServeConfig;
    try {
      // commander keeps the raw argv (untyped): it tells operands before `--` from the command after it.
      const rawArgs = (cmd.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs ?? process.argv;
      config = resolveServeConfig(flags, splitOperands(operands, rawArgs, 'serve'));
    } catch (error) {
      console.error(`switchboard serve: ${(error as Error).message}`);
      process.exitCode = USAGE;
      return;
    }
    await serveUntilStopped(config);
  });
  program.addCommand(command);
}

/** Runs until SIGINT/SIGTERM (or the stdio client leaves), then shuts down gracefully. */
export async function serveUntilStopped(config: ServeConfig): Promise<void> {
  const log = createLogger(config.log);
  const gc = applyGcMarking(config.gc, {
    onIncremental: (oldBytes) =>
      log.info(
        { oldGenerationMiB: Math.round(oldBytes / 1048576) },
        'gc: the heap grew; marking is incremental from now on',
      ),
  });
  let running;
  try {
    // The gateway's modules load only for a gateway: a single-backend proxy starts without them.
    running = config.servers
      ? await (await import('../serve/run-gateway.js')).runGateway(config, log)
      : await runServe(config, log);
  } catch (error) {
    // One line on stderr, whatever the log format: the reason and, where there is one, the fix.
    console.error(`switchboard serve: ${redactUrlsIn((error as Error).message)}`);
    // A refused or unusable configuration (SSRF guard, command policy, security settings, a listen URI
    // no transport serves) is a usage error.
    process.exitCode = error instanceof SwitchboardError && USAGE_CODES.has(error.code) ? USAGE : 1;
    gc.stop();
    return;
  }
  const stop = new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      // A second signal means "now": skip the grace period.
      process.once(signal, () => process.exit(1));
      resolve(signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  let failure: Error | undefined;
  const reason = await Promise.race([
    stop,
    running.done.then(
      () => 'client closed stdio',
      (error: unknown) => {
        // A listener that cannot go on (a pool worker declared dead while it lived).
        failure = error instanceof Error ? error : new Error(String(error));
        return failure.message;
      },
    ),
  ]);
  if (failure) log.error({ err: failure }, 'stopping');
  else log.info({ reason }, 'stopping');
  await running.close();
  gc.stop();
  process.exitCode = failure ? 1 : 0;
  // Child processes and sockets are closed; nothing should keep the loop alive, but do not hang if it does.
  setTimeout(() => process.exit(), 2000).unref();
}
