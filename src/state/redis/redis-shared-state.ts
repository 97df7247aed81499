import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { toSwitchboardError } from '../../errors.js';
import type { RequestId } from '../../protocol/messages.js';
import {
  destroyRedisClient,
  openRedisClient,
  type RedisClientSettings,
} from '../../queue/redis/redis-client.js';
import type {
  LocateResult,
  PendingRequest,
  SessionDirectory,
  SessionJournal,
  SessionSnapshot,
} from '../../transports/http/server/session-directory.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../transports/http/server/options.js';
import { forwardRequest } from '../http-forward.js';
import { RedisEventStore } from './redis-event-store.js';
import { parseStateAddress, StateKeys } from './redis-state-address.js';

/** Options of {@link startRedisState}. */
export interface RedisStateOptions extends RedisClientSettings {
  /** `redis[s]://[user:password@]host:port/db[?prefix=…]`. */
  url: string;
  /** This instance's name (default: random). */
  instance?: string | undefined;
  /** Heartbeat interval in ms (default 1,000). */
  heartbeatMs?: number | undefined;
  /** An instance without a heartbeat this long is dead (default 5,000). */
  deadAfterMs?: number | undefined;
  /** Events kept per stream (default 10,000). */
  maxEventsPerStream?: number | undefined;
  /** Reports Redis trouble (never thrown). */
  onError?: ((error: Error) => void) | undefined;
  /** A session was taken over from a dead instance. */
  onAdopted?: ((sessionId: string, from: string) => void) | undefined;
}

/** Shared state of one gateway instance: pass `eventStore` and `directory` to the HTTP listener. */
export interface RedisSharedState {
  readonly instance: string;
  readonly eventStore: RedisEventStore;
  readonly directory: SessionDirectory;
  /** `true` while Redis answers (for readiness). */
  readonly reachable: boolean;
  /** Sessions taken over from dead instances so far. */
  readonly adopted: number;
  /** The URL other instances forward this instance's sessions to (its HTTP MCP endpoint). */
  advertise(url: string): void;
  /** Stops the heartbeat (the instance then looks dead: its sessions get adopted) and disconnects. */
  close(): Promise<void>;
}

const SESSION_TTL_MS = 24 * 60 * 60_000;

/** Moves a session from a dead instance to us, only if the dead one still owns it. */
const TAKE_OVER = `if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'owner', ARGV[2])
  return 1
end
return 0`;

/**
 * Connects the shared state of a gateway instance to Redis: instance heartbeats (a key with a TTL that
 * carries the instance's forwarding URL), the session registry (owner instance, principal, initialize
 * parameters, client capabilities, protocol version, requests in flight with their streams) and the SSE
 * event store.
 *
 * Routing of a request for a session this instance does not hold: owner alive → the request is
 * forwarded over HTTP to the owner (see `forwardRequest`); owner dead (its heartbeat expired, or it
 * refused the connection and then expired) → this instance takes the session over (compare-and-set on
 * the owner) and re-creates it from the registry.
 *
 * @throws SwitchboardError `CONNECTION_FAILED` / `INVALID_URI`
 */
export async function startRedisState(options: RedisStateOptions): Promise<RedisSharedState> {
  const address = parseStateAddress(options.url);
  const keys = new StateKeys(address.prefix);
  const onError = options.onError ?? (() => undefined);
  const redis = await openRedisClient(address, options, onError);
  const instance = options.instance ?? randomUUID().slice(0, 12);
  const heartbeatMs = options.heartbeatMs ?? 1_000;
  const deadAfterMs = options.deadAfterMs ?? 5_000;
  const events = new RedisEventStore(redis, keys, {
    maxEventsPerStream: options.maxEventsPerStream,
    onError,
  });
  let url: string | undefined;
  let adopted = 0;
  let closed = false;
  const report = (error: unknown): void => onError(toSwitchboardError(error));

  const beat = async (): Promise<void> => {
    await redis.set(keys.instance(instance), JSON.stringify({ url: url ?? null }), {
      expiration: { type: 'PX', value: deadAfterMs },
    });
  };
  await beat();
  const timer = setInterval(() => void beat().catch(report), heartbeatMs);
  timer.unref();

  const touch = (sessionId: string): void => {
    redis.pExpire(keys.session(sessionId), SESSION_TTL_MS).catch(report);
    redis.pExpire(keys.pending(sessionId), SESSION_TTL_MS).catch(report);
  };

  const journal: SessionJournal = {
    opened(sessionId, principal, initialize) {
      const capabilities = capabilitiesOf(initialize);
      redis
        .hSet(keys.session(sessionId), {
          owner: instance,
          init: initialize,
          ...(principal !== undefined ? { principal } : {}),
          ...(capabilities !== undefined ? { caps: capabilities } : {}),
        })
        .catch(report);
      touch(sessionId);
    },
    initialized(sessionId, protocolVersion) {
      redis
        .hSet(keys.session(sessionId), {
          initialized: '1',
          ...(protocolVersion !== undefined ? { ver: protocolVersion } : {}),
        })
        .catch(report);
    },
    requestStarted(sessionId, request) {
      const { id, ...rest } = request;
      redis.hSet(keys.pending(sessionId), JSON.stringify(id), JSON.stringify(rest)).catch(report);
    },
    requestDone(sessionId, id: RequestId) {
      redis.hDel(keys.pending(sessionId), JSON.stringify(id)).catch(report);
    },
    ended(sessionId) {
      redis.unlink([keys.session(sessionId), keys.pending(sessionId)]).catch(report);
    },
  };

  /** Resolves once `owner`'s heartbeat is gone (or after twice `deadAfter`). */
  const awaitDeath = async (owner: string): Promise<void> => {
    const deadline = Date.now() + 2 * deadAfterMs;
    while (Date.now() < deadline && (await redis.exists(keys.instance(owner))) === 1) {
      await new Promise((r) => setTimeout(r, Math.min(200, heartbeatMs)));
    }
  };

  const snapshot = async (sessionId: string, previousOwner: string): Promise<SessionSnapshot> => {
    const [record, pendingRaw, lastSeq] = await Promise.all([
      redis.hGetAll(keys.session(sessionId)),
      redis.hGetAll(keys.pending(sessionId)),
      events.lastSeqs(sessionId),
    ]);
    const pending: PendingRequest[] = [];
    for (const [id, value] of Object.entries(pendingRaw)) {
      try {
        pending.push({
          id: JSON.parse(id) as RequestId,
          ...(JSON.parse(value) as Omit<PendingRequest, 'id'>),
        });
      } catch {
        // A malformed entry (written by something else) is skipped.
      }
    }
    const streamIds = [...Object.keys(lastSeq).map(Number), ...pending.map((p) => p.streamId)];
    return {
      sessionId,
      owner: record.principal,
      protocolVersion: record.ver,
      initialize: record.init,
      initialized: record.initialized === '1',
      pending,
      lastStreamId: streamIds.length > 0 ? Math.max(...streamIds) : 0,
      lastSeq,
      previousOwner,
    };
  };

  const directory: SessionDirectory = {
    journal,
    async locate(sessionId): Promise<LocateResult> {
      const owner = await redis.hGet(keys.session(sessionId), 'owner');
      if (owner === null || owner === undefined) return { action: 'unknown' };
      if (owner !== instance) {
        const heartbeat = await redis.get(keys.instance(owner));
        if (heartbeat !== null) {
          const target = (JSON.parse(heartbeat) as { url: string | null }).url;
          if (target !== null) return { action: 'forward', target: `${target}#${owner}` };
        }
        if (heartbeat !== null) await awaitDeath(owner);
        const moved = await redis.eval(TAKE_OVER, {
          keys: [keys.session(sessionId)],
          arguments: [owner, instance],
        });
        // Someone else was faster: look again (forward to the new owner).
        if (Number(moved) !== 1) return directory.locate(sessionId);
        adopted++;
        options.onAdopted?.(sessionId, owner);
      }
      touch(sessionId);
      return { action: 'adopt', snapshot: await snapshot(sessionId, owner) };
    },
    async forward(target: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
      const hash = target.lastIndexOf('#');
      const owner = target.slice(hash + 1);
      const ok = await forwardRequest(target.slice(0, hash), instance, req, res, DEFAULT_MAX_BODY_BYTES);
      // The owner did not answer: wait until its heartbeat is gone, then the caller looks again.
      if (!ok) await awaitDeath(owner);
      return ok;
    },
  };

  return {
    instance,
    eventStore: events,
    directory,
    get reachable() {
      return !closed && redis.isReady;
    },
    get adopted() {
      return adopted;
    },
    advertise(value) {
      url = value;
      beat().catch(report);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      try {
        await redis.unlink(keys.instance(instance));
        await redis.close();
      } catch {
        destroyRedisClient(redis);
      }
    },
  };
}

function capabilitiesOf(initialize: string): string | undefined {
  try {
    const caps = (JSON.parse(initialize) as { params?: { capabilities?: unknown } }).params?.capabilities;
    return caps === undefined ? undefined : JSON.stringify(caps);
  } catch {
    return undefined;
  }
}
