import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { toSwitchboardError } from '../../errors.js';
import type { RequestId } from '../../protocol/messages.js';
import {
  destroyRedisClient,
  openRedisClient,
  type RedisClientSettings,
} from '../../queue/redis/redis-client.js';
import {
  MAX_JOURNALED_REQUEST_CHARS,
  type LocateResult,
  type PendingRequest,
  type SessionDirectory,
  type SessionJournal,
  type SessionSnapshot,
} from '../../transports/http/server/session-directory.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../transports/http/server/options.js';
import { MAX_EPOCH } from '../../transports/http/server/event-store.js';
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
  /**
   * The backend keeps a session's requests across a takeover (a worker pool whose connection is
   * named after the session): journal which requests reached it, so the next owner waits for their
   * answers instead of running them again. Default false.
   */
  backendKeepsCalls?: boolean | undefined;
  /** After a takeover, run again even requests that may have side effects (default false). */
  rerunUnsafe?: boolean | undefined;
  /**
   * Longest a POST's response headers wait for its journal entry, in ms (default 2,000): beyond, they
   * go out anyway (the write goes on; a failed one is reported through `onError`), and until it lands
   * that request would be unknown to an instance taking over.
   */
  journalWaitMs?: number | undefined;
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

/**
 * Moves a session from a dead instance (or a former life of this one) to us, only if that instance
 * still owns it, and starts a new owner epoch: returns the epoch (≥ 1), or 0 when someone else won.
 */
const TAKE_OVER = `if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'owner', ARGV[2])
  return redis.call('HINCRBY', KEYS[1], 'epoch', 1)
end
return 0`;

/** Hash fields of one pending request: its entry, its text, its forwarded marker. */
const entryField = (id: RequestId): string => JSON.stringify(id);
const messageField = (id: RequestId): string => `m${JSON.stringify(id)}`;
const forwardedField = (id: RequestId): string => `f${JSON.stringify(id)}`;

/**
 * The forwarded marker (ARGV[2]) of a request, only while its entry (ARGV[1]) is pending in KEYS[1]: the
 * pool's answer can reach this instance (on the reply stream's connection) before the acknowledgement of
 * the request's own write does, and then the request was done — and its entry removed — before the
 * marker is set. A marker without an entry would stay in the journal for good.
 */
const MARK_FORWARDED = `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[2], '1')
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

  const deadline = coarseDeadline(options.journalWaitMs ?? 2_000);
  const keepsCalls = options.backendKeepsCalls === true;

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
      const { id, message, method, streamId, progressToken } = request;
      const fields: Record<string, string> = {
        [entryField(id)]: JSON.stringify({ method, streamId, progressToken }),
      };
      if (message !== undefined && message.length <= MAX_JOURNALED_REQUEST_CHARS)
        fields[messageField(id)] = message;
      const written = redis.hSet(keys.pending(sessionId), fields).then(noop, report);
      // The hash is created anew whenever its last entry went: every write renews its expiry (sent in
      // the same round trip), so the entries of a session nobody ends or takes over do not stay forever.
      redis.pExpire(keys.pending(sessionId), SESSION_TTL_MS).catch(report);
      // While Redis is unreachable nothing is held back (the write waits in the client's queue).
      return redis.isReady ? Promise.race([written, deadline()]) : undefined;
    },
    ...(keepsCalls
      ? {
          requestForwarded(sessionId: string, id: RequestId) {
            redis
              .eval(MARK_FORWARDED, {
                keys: [keys.pending(sessionId)],
                arguments: [entryField(id), forwardedField(id)],
              })
              .catch(report);
          },
        }
      : {}),
    requestDone(sessionId, id: RequestId) {
      redis
        .hDel(keys.pending(sessionId), [entryField(id), messageField(id), forwardedField(id)])
        .catch(report);
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

  const snapshot = async (
    sessionId: string,
    previousOwner: string,
    epoch: number,
  ): Promise<SessionSnapshot> => {
    const [record, pendingRaw, lastSeq] = await Promise.all([
      redis.hGetAll(keys.session(sessionId)),
      redis.hGetAll(keys.pending(sessionId)),
      events.lastSeqs(sessionId),
    ]);
    return {
      sessionId,
      owner: record.principal,
      protocolVersion: record.ver,
      initialize: record.init,
      initialized: record.initialized === '1',
      pending: pendingOf(pendingRaw),
      epoch,
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
      }
      // Also when the registry names this instance (a former life of it under the same name): a new
      // epoch keeps its stream numbers apart from those that life handed out.
      const epoch = Number(
        await redis.eval(TAKE_OVER, { keys: [keys.session(sessionId)], arguments: [owner, instance] }),
      );
      // Someone else was faster: look again (forward to the new owner).
      if (epoch === 0) return directory.locate(sessionId);
      if (!(epoch <= MAX_EPOCH)) {
        report(new Error(`Session ${sessionId} was taken over ${epoch} times: not taken over again`));
        return { action: 'unknown' };
      }
      if (owner !== instance) {
        adopted++;
        options.onAdopted?.(sessionId, owner);
      }
      touch(sessionId);
      return { action: 'adopt', snapshot: await snapshot(sessionId, owner, epoch) };
    },
    async forward(target: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
      const hash = target.lastIndexOf('#');
      const owner = target.slice(hash + 1);
      const ok = await forwardRequest(target.slice(0, hash), instance, req, res, DEFAULT_MAX_BODY_BYTES);
      // The owner did not answer: wait until its heartbeat is gone, then the caller looks again.
      if (!ok) await awaitDeath(owner);
      return ok;
    },
    rerunUnsafe: options.rerunUnsafe === true,
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

function noop(): void {
  // A settled journal write.
}

/**
 * A promise that resolves `waitMs` (at most; at least three quarters of it) after the call: one timer
 * per quarter of `waitMs` however many requests wait, instead of one per request.
 */
function coarseDeadline(waitMs: number): () => Promise<void> {
  let current: Promise<void> = Promise.resolve();
  let at = 0;
  return () => {
    const now = Date.now();
    if (at - now < (waitMs * 3) / 4) {
      at = now + waitMs;
      current = new Promise((resolve) => setTimeout(resolve, waitMs).unref());
    }
    return current;
  };
}

/** The pending requests of a session from its journal hash (malformed entries are skipped). */
function pendingOf(raw: Record<string, string>): PendingRequest[] {
  const pending: PendingRequest[] = [];
  for (const [field, value] of Object.entries(raw)) {
    // Texts (`m…`) and forwarded markers (`f…`) belong to an entry; an id field is JSON (`"…"` or a number).
    if (field.startsWith('m') || field.startsWith('f')) continue;
    try {
      const id = JSON.parse(field) as RequestId;
      const entry = JSON.parse(value) as Omit<PendingRequest, 'id' | 'message' | 'forwarded'>;
      pending.push({
        id,
        method: entry.method,
        streamId: entry.streamId,
        progressToken: entry.progressToken,
        message: raw[messageField(id)],
        forwarded: raw[forwardedField(id)] === '1',
      });
    } catch {
      // A malformed entry (written by something else) is skipped.
    }
  }
  return pending;
}

function capabilitiesOf(initialize: string): string | undefined {
  try {
    const caps = (JSON.parse(initialize) as { params?: { capabilities?: unknown } }).params?.capabilities;
    return caps === undefined ? undefined : JSON.stringify(caps);
  } catch {
    return undefined;
  }
}
