import type { Logger } from 'pino';
import type { ServeConfig } from '../../config/serve-config.js';
import { EraBridge } from '../../era/era-bridge.js';
import { parseStateKey } from '../../era/request-state.js';
import type { Transport } from '../../transport.js';

/**
 * The era bridge of `switchboard serve`, from its configuration: the backend's era (probed in the
 * background when `auto`), and the two hooks `runServe` plugs into the proxy.
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
    onEvent: (event) => {
      if (event.type === 'backend-era') {
        log.info({ backendEra: event.era, probed: event.probed }, 'backend protocol era');
      } else {
        log.warn({ err: event.error.message }, 'backend era probe failed; will probe again');
      }
    },
  });
  bridge.prepare();
  return bridge;
}
