import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import { interpolateEnv, type GatewayServerConfig } from '../../config/gateway-config.js';
import type { ServeConfig } from '../../config/serve-config.js';
import type { EraBridgeOptions } from '../../era/era-bridge.js';
import { parseStateKey } from '../../era/request-state.js';
import { SwitchboardError } from '../../errors.js';
import type { GatewayServerOptions } from '../../gateway/gateway-server.js';
import { pipe, type TransportMiddleware } from '../../middleware/pipe.js';
import { ChildEnvPolicy } from '../../security/child-env-policy.js';
import { CommandPolicy } from '../../security/command-policy.js';
import { parseBackendTarget, type BackendTarget } from '../backend-target.js';
import { backendFactory } from './backend-factory.js';
import { eraBridgeSettings } from './era-wiring.js';
import { createMiddlewareWiring, type MiddlewareWiring } from './middleware-wiring.js';
import type { SecurityWiring } from './security-wiring.js';

/** One server of the gateway, ready for `new Gateway({ servers })`, and what to close with it. */
export interface BuiltServer {
  options: GatewayServerOptions;
  /** The server's own configuration (its target and the options that apply to it). */
  config: ServeConfig;
  wiring: MiddlewareWiring;
}

/** The members of `value` that are set (so spreading them never overwrites with `undefined`). */
const defined = <T extends object>(value: T | undefined): { [K in keyof T]?: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };

/** The backend target of a server entry (`${VAR}` resolved in headers and the token). */
function targetOf(name: string, s: GatewayServerConfig): BackendTarget {
  const where = `servers.${name}`;
  if (s.command !== undefined) return parseBackendTarget({ command: [s.command, ...s.args] });
  const header = Object.entries(s.headers).map(
    ([k, v]) => `${k}: ${interpolateEnv(v, `${where}.headers.${k}`)}`,
  );
  const authToken = s.authToken === undefined ? undefined : interpolateEnv(s.authToken, `${where}.authToken`);
  try {
    return parseBackendTarget({ positional: [s.url as string], flags: { header, authToken } });
  } catch (error) {
    throw new SwitchboardError('INVALID_OPTIONS', `${where}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The configuration one server runs with: the top-level settings, overridden by its own (its own
 * `resilience` sections and `backendTls` replace the top-level ones; its `env` adds to `stdio.env`).
 * Metrics and recording stay with the gateway's frontends.
 */
export function serverConfig(name: string, s: GatewayServerConfig, config: ServeConfig): ServeConfig {
  const env = Object.fromEntries(
    Object.entries(s.env).map(([k, v]) => [k, interpolateEnv(v, `servers.${name}.env.${k}`)]),
  );
  return {
    ...config,
    backend: targetOf(name, s),
    servers: undefined,
    stdio: {
      env: { ...config.stdio.env, ...env },
      inheritEnv: s.inheritEnv ?? config.stdio.inheritEnv,
      ...(s.cwd !== undefined || config.stdio.cwd !== undefined ? { cwd: s.cwd ?? config.stdio.cwd } : {}),
    },
    sessionMode: s.sessionMode ?? config.sessionMode,
    backendEra: s.backendEra ?? config.backendEra,
    requestTimeout: s.requestTimeout ?? config.requestTimeout,
    maxRequestTimeout: s.maxRequestTimeout ?? config.maxRequestTimeout,
    restart: { ...config.restart, ...defined(s.restart) },
    backendTls: s.backendTls ?? config.backendTls,
    resilience: { ...config.resilience, ...defined(s.resilience) },
    observability: { ...config.observability, metrics: false, record: undefined },
  };
}

/**
 * The era bridge of one server, from its configuration. A configured `eraBridge.stateKey` is turned
 * into a key per server (HMAC of its name), so a `requestState` one server's bridge issued is refused by
 * every other's.
 */
function eraBridgeOptions(
  name: string,
  sc: ServeConfig,
  log: Logger,
): Omit<EraBridgeOptions, 'connect' | 'sessionMode'> {
  const key = sc.eraBridge.stateKey;
  return {
    ...eraBridgeSettings(sc, log, 'server'),
    // One key per server: a state issued by one server is refused by another.
    stateKey:
      key === undefined
        ? undefined
        : createHmac('sha256', parseStateKey(key)).update(`gateway-server:${name}`).digest(),
  };
}

/**
 * Builds every configured server: its target, its options, its backend middleware (health, links,
 * bulkhead, breaker, retry, tracing — one set per server), the command policy and SSRF guard checks.
 *
 * @param perServer - extra middleware per server (e.g. metrics), outermost
 * @param onStderr - each redacted stderr line of a server's child (the dashboard's operator view)
 * @throws SwitchboardError `INVALID_OPTIONS`, `COMMAND_REFUSED`, `SSRF_BLOCKED` naming the server
 */
export async function buildServers(
  config: ServeConfig,
  log: Logger,
  security: SecurityWiring,
  perServer: (name: string) => TransportMiddleware | undefined,
  onStderr?: (server: string, sessionId: string | undefined, line: string) => void,
): Promise<BuiltServer[]> {
  const sec = config.security;
  const commands = new CommandPolicy({
    allow: sec.commands.allow,
    argPattern: sec.commands.argPattern,
    allowFlags: sec.commands.allowFlags,
  });
  const envPolicy = new ChildEnvPolicy({ allow: sec.commands.allowEnv });
  const built: BuiltServer[] = [];
  for (const [name, entry] of Object.entries(config.servers ?? {})) {
    const sc = serverConfig(name, entry, config);
    const target = sc.backend as BackendTarget;
    const named = (error: unknown): never => {
      if (error instanceof SwitchboardError) {
        throw new SwitchboardError(error.code, `servers.${name}: ${error.message}`, { cause: error });
      }
      throw error;
    };
    const admitted =
      target.kind === 'stdio'
        ? (() => {
            try {
              return commands.check(target.command, target.args);
            } catch (error) {
              return named(error);
            }
          })()
        : undefined;
    if (target.kind === 'uri') {
      await security.guard.checkUri(target.uri).catch((error: unknown) => {
        if (error instanceof SwitchboardError && error.code === 'CONNECTION_FAILED') {
          log.warn(
            { server: name, err: error.message },
            'server host does not resolve yet; it is checked on every connection',
          );
          return;
        }
        named(error);
      });
    }
    if (sec.childEnv.length > 0 && sc.sessionMode === 'shared') {
      throw new SwitchboardError(
        'INVALID_OPTIONS',
        `servers.${name}: childEnv needs sessionMode per-session`,
      );
    }
    // The same environment policy as a single backend: code-loading variables refused, proxy secrets and
    // code-loading variables never inherited.
    try {
      envPolicy.checkExplicit(sc.stdio.env, `servers.${name}.env`);
    } catch (error) {
      named(error);
    }
    const inherited = sc.stdio.inheritEnv && target.kind === 'stdio' ? envPolicy.inherited().env : undefined;
    const serverLog = log.child({ server: name });
    const wiring = createMiddlewareWiring(sc, serverLog);
    const factory = backendFactory(
      sc,
      serverLog,
      {
        guard: security.guard,
        command: () => admitted,
        childEnv: (sessionId) => security.childEnv(sessionId),
        spawnEnv: (perUser) => ({ ...inherited, ...sc.stdio.env, ...perUser }),
      },
      onStderr && ((sessionId, line) => onStderr(name, sessionId, line)),
    );
    const connect = wiring.wrapConnect(factory);
    // Describing the server once is a startup error for a bad URI or option (nothing spawns or dials).
    await connect(undefined).close();
    const metrics = perServer(name);
    built.push({
      config: sc,
      wiring,
      options: {
        name,
        connect,
        sessionMode: sc.sessionMode,
        restart: {
          maxFastFailures: sc.restart.maxFastFailures,
          initialDelayMs: sc.restart.initialDelay,
          maxDelayMs: sc.restart.maxDelay,
        },
        eraBridge: eraBridgeOptions(name, sc, serverLog),
        wrap: (backend, sessionId) => pipe(wiring.wrapBackend(backend, sessionId), metrics),
        filters: { tools: entry.tools, prompts: entry.prompts, resources: entry.resources },
        requestTimeoutMs: sc.requestTimeout,
        maxRequestTimeoutMs: sc.maxRequestTimeout,
      },
    });
  }
  return built;
}
