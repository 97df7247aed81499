import type { Logger } from 'pino';
import type { ServeConfig } from '../../config/serve-config.js';
import { EraBridge } from '../../era/era-bridge.js';
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
  const settings = config.eraBridge;
  const bridge = new EraBridge({
    connect,
    backendEra: config.backendEra,
    sessionMode: config.sessionMode,
    stateKey: settings.stateKey === undefined ? undefined : parseStateKey(settings.stateKey),
    stateTtlMs: settings.stateTtl,
    inputTimeoutMs: settings.inputTimeout,
    probeTimeoutMs: settings.probeTimeout,
    maxSessionsPerCaller: settings.maxSessionsPerCaller,
    maxSessions: settings.maxSessions,
    // Shared mode, dual-era backend: 2026-07-28 clients share a connection of their own, routed and
    // reported exactly like the proxy's shared backend.
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
        log.info({ backendEra: event.era, probed: event.probed }, 'backend protocol era');
      } else {
        log.warn({ err: event.error.message }, 'backend era probe failed; will probe again');
      }
    },
  });
  // Probed on first need (a session whose era could differ), not at startup: a serve that nobody uses,
  // or whose callers are all refused, never touches its backend.
  return bridge;
}
