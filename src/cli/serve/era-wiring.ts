import type { Logger } from 'pino';
import type { ServeConfig } from '../../config/serve-config.js';
import { EraBridge, type EraBridgeOptions } from '../../era/era-bridge.js';
import { parseStateKey } from '../../era/request-state.js';
import type { Transport } from '../../transport.js';
import { restartOptions, sessionProxyOptions } from './session-wiring.js';

/**
 * The era bridge of `switchboard serve`, from its configuration: the backend's era (probed on first need
 * when `auto`), and the two hooks `runServe` plugs into the proxy.
 *
 * @param connect - the proxy's `connectBackend` before the bridge (security and middleware applied)
 * @throws SwitchboardError `INVALID_OPTIONS` for a bad `eraBridge.stateKey`
 */
export function createEraWiring(
  config: ServeConfig,
  log: Logger,
  connect: (sessionId: string | undefined) => Transport,
): EraBridge {
  const bridge = new EraBridge({
    connect,
    sessionMode: config.sessionMode,
    ...eraBridgeSettings(config, log, 'backend'),
  });
  // Probed on first need (a session whose era could differ), not at startup: a serve that nobody uses,
  // or whose callers are all refused, never touches its backend.
  return bridge;
}

/**
 * The era bridge's settings from a serve configuration (of `serve`, or of one gateway server): state
 * key and bounds, the options of the 2026-07-28 clients' shared connection (routed and reported like the
 * proxy's shared backend), restarts, and logging of the probe.
 *
 * @param what - how logs name the backend (`backend`, or `server` in a gateway)
 */
export function eraBridgeSettings(
  config: ServeConfig,
  log: Logger,
  what: 'backend' | 'server',
): Omit<EraBridgeOptions, 'connect' | 'sessionMode'> {
  const settings = config.eraBridge;
  return {
    backendEra: config.backendEra,
    stateKey: settings.stateKey === undefined ? undefined : parseStateKey(settings.stateKey),
    stateTtlMs: settings.stateTtl,
    inputTimeoutMs: settings.inputTimeout,
    probeTimeoutMs: settings.probeTimeout,
    maxSessionsPerCaller: settings.maxSessionsPerCaller,
    maxSessions: settings.maxSessions,
    // Shared mode, dual-era backend: 2026-07-28 clients share a connection of their own.
    shared: {
      ...sessionProxyOptions(config).shared,
      onDropped: (drop) =>
        log.debug({ ...drop, era: '2026-07-28' }, 'shared backend message reached no session'),
      onError: (error) =>
        log.debug({ session: 'shared-2026', side: 'backend', err: error.message }, 'relay error'),
    },
    restart: restartOptions(config),
    onEvent: (event) => {
      if (event.type === 'backend-era') {
        log.info({ [`${what}Era`]: event.era, probed: event.probed }, `${what} protocol era`);
      } else {
        log.warn({ err: event.error.message }, `${what} era probe failed; will probe again`);
      }
    },
  };
}
