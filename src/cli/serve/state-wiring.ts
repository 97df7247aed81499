import type { Logger } from 'pino';
import type { ServeConfig } from '../../config/serve-config.js';
import { startRedisState, type RedisSharedState } from '../../state/redis/redis-shared-state.js';
import type { EventStore } from '../../transports/http/server/event-store.js';
import type { SessionDirectory } from '../../transports/http/server/session-directory.js';
import { redisTls } from './redis-wiring.js';

/** What `runServe` plugs in when `state:` is configured. */
export interface StateWiring {
  readonly state: RedisSharedState;
  /** HTTP listener options: the shared event store and session directory. */
  readonly httpListen: { eventStore: EventStore; sessionDirectory: SessionDirectory };
  /** Tells other instances where to forward this instance's sessions (its first HTTP endpoint). */
  advertise(urls: readonly string[]): void;
  close(): Promise<void>;
}

/**
 * Whether a session's requests survive a takeover at the backend: a worker pool (`redis://…?stream=`)
 * with one pool connection per session, named after it (see `backendFactory`), so the next owner
 * re-attaches to it and reads the answers.
 */
function backendKeepsCalls(config: ServeConfig): boolean {
  const b = config.backend;
  return b?.kind === 'uri' && /^rediss?$/.test(b.scheme) && config.sessionMode === 'per-session';
}

/**
 * Connects `serve` to its shared state (`state:`), or returns `undefined` when the state stays in
 * memory (the default).
 *
 * @throws SwitchboardError `CONNECTION_FAILED` when Redis is unreachable at startup
 */
export async function createStateWiring(config: ServeConfig, log: Logger): Promise<StateWiring | undefined> {
  const s = config.state;
  if (s === undefined) return undefined;
  const state = await startRedisState({
    url: s.url,
    instance: s.instance,
    heartbeatMs: s.heartbeat,
    deadAfterMs: s.deadAfter,
    maxEventsPerStream: s.maxEventsPerSession,
    tls: redisTls(config),
    backendKeepsCalls: backendKeepsCalls(config),
    rerunUnsafe: config.redis.rerunUnsafe,
    onError: (error) => log.warn({ err: error.message }, 'shared state (redis)'),
    onAdopted: (session, from) => log.info({ session, from }, 'took over a session of a dead instance'),
  });
  log.info({ instance: state.instance }, 'shared state in redis');
  return {
    state,
    httpListen: { eventStore: state.eventStore, sessionDirectory: state.directory },
    advertise(urls) {
      const http = urls.find((u) => /^https?:\/\//.test(u));
      if (http !== undefined) state.advertise(http);
    },
    close: () => state.close(),
  };
}
