import { toSwitchboardError } from '../../errors.js';
import type { ReceivedRecord } from '../queue-types.js';
import { declareDead } from './declare-dead.js';
import { decodeRecord } from './record-codec.js';
import type { RedisAddress, RedisQueueKeys } from './redis-address.js';
import type { RedisClient } from './redis-client.js';
import type { StreamReader } from './stream-reader.js';

/** What the janitor needs of its worker. */
export interface JanitorOptions {
  commands: RedisClient;
  reader: StreamReader;
  keys: RedisQueueKeys;
  address: RedisAddress;
  workerId: string;
  /** Hands a reclaimed record to the worker's listener. */
  deliver: (received: ReceivedRecord) => void;
  /** Moves a connection from the dead owner to this worker. */
  takeOver: (conn: string, from: string) => Promise<boolean>;
  /** A connection was adopted (re-bind its client, re-initialize its backend). */
  onAdopted: (conn: string, from: string) => void;
  onError: (error: Error) => void;
}

const CLAIM_BATCH = 256;

/** The adoption lock's TTL while an adoption runs (renewed every round). */
export const lockMs = (address: RedisAddress): number => address.deadAfterMs * 6;

/**
 * How long the adoption lock stays on a retired worker: a worker stopped for that long and resumed
 * still finds it at its next heartbeat and stops (without it, it would beat again and rejoin the pool
 * as if nothing had happened). One small key per retired worker id.
 */
export const RETIRED_MARK_MS = 24 * 60 * 60 * 1000;

/**
 * Finds dead workers of the pool (no heartbeat for `deadAfter`) and takes over their work, one adopter
 * per dead worker (a lock with a TTL):
 *
 * 1. every connection the dead worker owned moves to this worker (its client is re-bound here);
 * 2. records it had read and not finished (its entries in its inbox's pending list) are claimed, in
 *    every round until it is retired, and handed over marked `reclaimedFrom` (the listener re-runs them
 *    only where that is safe);
 * 3. records still unread in its inbox are read from here on, until the inbox stayed empty for
 *    `deadAfter`; then the inbox and the worker's entry in the pool are removed, and the lock is kept
 *    as a mark of the retirement for {@link RETIRED_MARK_MS}.
 *
 * Open records on the pool stream that a worker read and never handled (it died between reading and
 * claiming) are reclaimed too, after `deadAfter`.
 */
export class DeadWorkerJanitor {
  readonly #o: JanitorOptions;
  /** Dead workers being adopted here → when their inbox was first seen empty. */
  readonly #adopting = new Map<string, number | undefined>();
  #running = false;
  #closed = false;
  #connections = 0;
  #reclaimed = 0;

  constructor(options: JanitorOptions) {
    this.#o = options;
  }

  /** Connections adopted and records reclaimed so far. */
  get counts(): { connections: number; reclaimed: number } {
    return { connections: this.#connections, reclaimed: this.#reclaimed };
  }

  /** One round (called on every heartbeat; a round still running is not overlapped). */
  tick(): void {
    if (this.#running || this.#closed) return;
    this.#running = true;
    this.#round()
      .catch((error: unknown) => this.#o.onError(toSwitchboardError(error)))
      .finally(() => (this.#running = false));
  }

  close(): void {
    this.#closed = true;
  }

  async #round(): Promise<void> {
    const { commands, keys, workerId, address } = this.#o;
    const workers = await commands.sMembers(keys.workers);
    for (const worker of workers) {
      if (worker === workerId || this.#closed) continue;
      if ((await commands.exists(keys.heartbeat(worker))) === 1) continue;
      if (!this.#adopting.has(worker)) {
        // Alive (only late, perhaps), or another worker adopts it (or a connection's claim here took
        // the lock, and the rest of the adoption is done now).
        if ((await declareDead(commands, keys, worker, workerId, lockMs(address))) !== workerId) continue;
        this.#adopting.set(worker, undefined);
        await this.#adoptConnections(worker);
        // Unread records of its inbox are read here from now on (as this worker's consumer).
        this.#o.reader.add(keys.inbox(worker));
      }
      // What the dead worker had read and not finished, every round: a stopped worker's blocking read
      // stays registered in Redis and is served records added to its inbox after the adoption began
      // (before this worker's own read), which then wait in its list of pending records.
      await this.#reclaimHeldBy(keys.inbox(worker), worker);
      await commands.pExpire(keys.adopting(worker), lockMs(address));
      await this.#retireWhenEmpty(worker);
    }
    await this.#reclaim(keys.pool, address.deadAfterMs);
  }

  async #adoptConnections(dead: string): Promise<void> {
    const conns = await this.#o.commands.sMembers(this.#o.keys.owned(dead));
    for (const conn of conns) {
      if (this.#closed) return;
      if (await this.#o.takeOver(conn, dead)) {
        this.#connections++;
        this.#o.onAdopted(conn, dead);
      }
    }
  }

  /**
   * Claims what the dead worker `dead` read from `key` and did not acknowledge for `reclaimIdle` ms (its
   * entries of the group's pending list: this worker's own pending records there are left alone), and
   * hands it over marked `reclaimedFrom` it.
   */
  async #reclaimHeldBy(key: string, dead: string): Promise<void> {
    const { commands, address, workerId } = this.#o;
    for (let round = 0; round < 100 && !this.#closed; round++) {
      const pending = await commands.xPendingRange(key, address.group, '-', '+', CLAIM_BATCH, {
        IDLE: address.reclaimIdleMs,
        consumer: dead,
      });
      if (pending.length === 0) return;
      const ids = pending.map((p) => p.id);
      const claimed = await commands.xClaim(key, address.group, workerId, address.reclaimIdleMs, ids);
      await this.#handOver(key, claimed, dead);
      if (pending.length < CLAIM_BATCH) return;
    }
  }

  /** `XAUTOCLAIM`s what was read and not acknowledged on `key` for longer than `minIdleMs`. */
  async #reclaim(key: string, minIdleMs: number): Promise<void> {
    const { commands, address, workerId } = this.#o;
    let start = '0-0';
    for (let round = 0; round < 100 && !this.#closed; round++) {
      const reply = await commands.xAutoClaim(key, address.group, workerId, minIdleMs, start, {
        COUNT: CLAIM_BATCH,
      });
      await this.#handOver(key, reply.messages, undefined);
      start = reply.nextId;
      if (start === '0-0') return;
    }
  }

  /**
   * Hands claimed entries of `key` over as reclaimed (from the dead worker `from`, when known); one that
   * is not a record is acknowledged and dropped.
   */
  async #handOver(
    key: string,
    messages: readonly ({ id: string; message: Record<string, string> } | null)[],
    from: string | undefined,
  ): Promise<void> {
    const { commands, address } = this.#o;
    for (const m of messages) {
      if (m === null) continue;
      const record = decodeRecord(m.message);
      if (record === undefined) {
        await commands.xAck(key, address.group, m.id);
        continue;
      }
      this.#reclaimed++;
      this.#o.deliver({ record, handle: `${key}\n${m.id}`, deliveries: 2, reclaimedFrom: from });
    }
  }

  /**
   * Removes a dead worker's inbox and pool entry once nothing was left in it for `deadAfter`. The lock
   * stays (longer): the worker may only be stopped, and must not beat its way back in when it resumes.
   */
  async #retireWhenEmpty(dead: string): Promise<void> {
    const { commands, keys, address, workerId } = this.#o;
    const inbox = keys.inbox(dead);
    const length = await commands.xLen(inbox);
    if (length > 0) {
      this.#adopting.set(dead, undefined);
      return;
    }
    const since = this.#adopting.get(dead);
    if (since === undefined) {
      this.#adopting.set(dead, Date.now());
      return;
    }
    if (Date.now() - since < address.deadAfterMs) return;
    this.#o.reader.remove(inbox);
    this.#adopting.delete(dead);
    // XX: only the lock still held (a process that joined under the same id since removed it).
    await commands.set(keys.adopting(dead), workerId, {
      condition: 'XX',
      expiration: { type: 'PX', value: Math.max(RETIRED_MARK_MS, lockMs(address)) },
    });
    await commands.unlink([inbox, keys.owned(dead)]);
    await commands.sRem(keys.workers, dead);
  }
}
