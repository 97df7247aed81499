import { randomUUID } from 'node:crypto';
import { SwitchboardError, toSwitchboardError } from '../../errors.js';
import type {
  ClaimResult,
  ConnectionState,
  QueueRecord,
  QueueStats,
  ReceivedRecord,
  ToolSafety,
  WorkerHandlers,
  WorkerQueue,
} from '../queue-types.js';
import { ConsumedReports, reportConsumed } from './consumed-reports.js';
import { DeadWorkerJanitor, lockMs } from './dead-worker-janitor.js';
import { declareDead } from './declare-dead.js';
import { runScript, scriptCommand } from './lua-script.js';
import { decodeRecord, encodeRecord, RECLAIMED_FROM } from './record-codec.js';
import { RedisQueueKeys, type RedisAddress } from './redis-address.js';
import {
  destroyRedisClient,
  ensureGroup,
  openRedisClient,
  type RedisClient,
  type RedisClientSettings,
} from './redis-client.js';
import { ReplyRoutes } from './reply-routes.js';
import { CONNECTION_TTL_MS } from './redis-request-queue.js';
import { StreamReader, type StreamEntry } from './stream-reader.js';
import { SubmitOrder } from './submit-order.js';

/**
 * Longest a busy worker's next read waits to leave with its next answer (see `StreamReader` `hold`):
 * only while answers flow (one stored within twice this), so a worker busy with slow calls reads at once.
 */
const HOLD_MS = 5;

/**
 * Records open (handed over, not answered) from which a worker counts as backlogged: its backend has
 * that many calls to work through while a read is under way, so the read can wait to bring several.
 */
const BACKLOG = 4;

/** Joins stream key and entry id into a record handle. */
export const HANDLE_SEPARATOR = '\n';

/**
 * Moves a connection from a dead owner (ARGV[1]) to us (ARGV[2]) only if the dead one still owns it.
 * Returns {1, us} when moved now, else {0, the owner it has} ('' when it has none).
 */
const TAKE_OVER = `local owner = redis.call('HGET', KEYS[1], 'owner')
if owner == ARGV[1] then
  redis.call('HSET', KEYS[1], 'owner', ARGV[2])
  redis.call('SREM', KEYS[2], ARGV[3])
  redis.call('SADD', KEYS[3], ARGV[3])
  return {1, ARGV[2]}
end
return {0, owner or ''}`;

/**
 * A new connection (KEYS[1] its hash, ARGV[4] its id) goes to the live worker serving the fewest
 * connections, this one (ARGV[1]) on a tie: the members of the pool (KEYS[2]) with a heartbeat
 * (ARGV[2] + id) that is not 'paused', counted by their sets of connections (ARGV[3] + id). Returns
 * {1, owner} when assigned now, {0, owner} when the connection had an owner. ARGV[5]: the hash's TTL.
 * ARGV[6] '1': this worker is paused (a read issued before it paused brought the `open`), so any live
 * worker that is not paused gets the connection first, whatever it serves.
 * ARGV[7] + this worker's id: its adoption lock. A worker declared dead (which has not found out yet: it
 * was stopped, and this read was under way) gets nothing; with no other live worker the answer is
 * {0, ''} (no owner: the record stays pending, for the pool to reclaim).
 * The heartbeat, set and lock keys are built here from their prefixes, not passed as KEYS: a standalone
 * Redis (what this queue supports, docs/scale-out.md) allows that.
 */
const ASSIGN = `local owner = redis.call('HGET', KEYS[1], 'owner')
if owner then return {0, owner} end
local fenced = redis.call('EXISTS', ARGV[7] .. ARGV[1]) == 1
local best = ARGV[1]
local fewest = redis.call('SCARD', ARGV[3] .. best)
if ARGV[6] == '1' or fenced then fewest = math.huge end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if worker ~= ARGV[1] then
    local beat = redis.call('GET', ARGV[2] .. worker)
    if beat and beat ~= 'paused' then
      local n = redis.call('SCARD', ARGV[3] .. worker)
      if n < fewest then best, fewest = worker, n end
    end
  end
end
if fenced and best == ARGV[1] then return {0, ''} end
redis.call('HSET', KEYS[1], 'owner', best)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('SADD', ARGV[3] .. best, ARGV[4])
return {1, best}`;

/** A paused worker's heartbeat value: alive (its connections are not adopted), but takes no new ones. */
const PAUSED = 'paused';

/**
 * Joining: the heartbeat (KEYS[1], ARGV[1] value, ARGV[2] TTL in ms) and membership of the pool's set
 * of workers (KEYS[3], ARGV[3] this worker's id), and any adoption lock on this worker id (KEYS[2])
 * removed: a lock left from an earlier process under the same id is not about this one.
 */
const JOIN = `redis.call('DEL', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
return 1`;

/**
 * A heartbeat (returns 1), unless another worker holds the adoption lock on this one (KEYS[2]): it found
 * the heartbeat expired and is taking this worker's connections and requests (or took them and retired
 * this worker). Then the adopter's id, and no heartbeat: this worker was declared dead while it lived
 * (stopped, paused, cut off from Redis for `deadAfter`). Membership of the set of workers (KEYS[3]) is
 * renewed in the same step, so a worker stopped between a heartbeat and its renewal cannot put itself
 * back into the set after its adopter retired it.
 */
const BEAT = `local adopter = redis.call('GET', KEYS[2])
if adopter then return adopter end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
return 1`;

/**
 * Stores a reply (`XADD NOMKSTREAM … MAXLEN ~`, KEYS[1]) and acknowledges and deletes the request it
 * answers (KEYS[2], id ARGV[3]) in one step: the request is never left pending behind a stored answer.
 * ARGV[1] maxlen, ARGV[2] group, ARGV[4…] the entry's fields. Returns the entry id, or nil when the
 * reply stream is gone (the client closed).
 */
const REPLY_AND_SETTLE = `local id = redis.call('XADD', KEYS[1], 'NOMKSTREAM', 'MAXLEN', '~', ARGV[1], '*', unpack(ARGV, 4))
redis.call('XACK', KEYS[2], ARGV[2], ARGV[3])
redis.call('XDEL', KEYS[2], ARGV[3])
return id`;

/**
 * The worker side of a Redis Streams request queue: one consumer of the pool's consumer group, reading
 * the pool stream (new connections) and its own inbox (connections it claimed) with blocking
 * `XREADGROUP`; heartbeats as a key with a TTL; acknowledgements (`XACK` + `XDEL`) and flow-control
 * counters batched per event-loop turn.
 */
export class RedisWorkerQueue implements WorkerQueue {
  readonly workerId: string;
  readonly description: string;
  readonly #address: RedisAddress;
  readonly #settings: RedisClientSettings;
  readonly #keys: RedisQueueKeys;
  #commands: RedisClient | undefined;
  #reader: StreamReader | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #handlers: WorkerHandlers | undefined;
  #acks = new Map<string, string[]>();
  readonly #consumed = new ConsumedReports((counts) => {
    const commands = this.#commands;
    if (commands === undefined) return;
    // A counter may outlive its connection (released meanwhile): never without an expiry.
    reportConsumed(commands, counts, (conn) => this.#keys.connection(conn), 'rx', CONNECTION_TTL_MS).catch(
      (error: unknown) => this.#handlers?.onError(toSwitchboardError(error)),
    );
  });
  readonly #routes = new ReplyRoutes(async (conn) => {
    const recorded = await this.#live().hGet(this.#keys.connection(conn), 'out');
    return recorded !== null && recorded !== undefined && this.#isReplyStream(recorded)
      ? recorded
      : this.#keys.replies(conn);
  });
  #flushScheduled = false;
  /** Records handed over and not yet acknowledged (requests in flight, mostly). */
  #open = 0;
  /** When the last reply was sent (`performance.now()`). */
  #lastReply = -Infinity;
  #order: SubmitOrder | undefined;
  #closed = false;
  /** Declared dead by the pool while alive: it serves nothing more and leaves every key to its adopter. */
  #fenced = false;
  /** When the last heartbeat that renewed this worker's lease was sent (`performance.now()`). */
  #leaseFrom = -Infinity;
  /** Entries read while the lease may have lapsed, until a heartbeat tells whether this worker serves on. */
  #held: { key: string; entries: StreamEntry[] }[] | undefined;
  #joined = false;
  /** Paused: takes no records, and no new connections are assigned to it. */
  #paused = false;
  #janitor: DeadWorkerJanitor | undefined;

  /**
   * @param address - the parsed `redis://` URI
   * @param settings - TLS and connection settings
   */
  constructor(address: RedisAddress, settings: RedisClientSettings = {}) {
    this.#address = address;
    this.#settings = settings;
    this.#keys = new RedisQueueKeys(address);
    this.workerId = address.worker ?? randomUUID().slice(0, 12);
    this.description = address.redacted;
  }

  get reachable(): boolean {
    return !this.#closed && !this.#fenced && this.#commands?.isReady === true;
  }

  async start(handlers: WorkerHandlers): Promise<void> {
    this.#handlers = handlers;
    const commands = await openRedisClient(this.#address, this.#settings, handlers.onError);
    this.#commands = commands;
    let readerClient: RedisClient;
    try {
      readerClient = await openRedisClient(this.#address, this.#settings, handlers.onError);
    } catch (error) {
      destroyRedisClient(commands);
      throw error;
    }
    const { group } = this.#address;
    const inbox = this.#keys.inbox(this.workerId);
    try {
      await ensureGroup(commands, this.#keys.pool, group);
      await ensureGroup(commands, inbox, group);
      await this.#beat();
    } catch (error) {
      destroyRedisClient(commands);
      destroyRedisClient(readerClient);
      throw toSwitchboardError(error, 'CONNECTION_FAILED');
    }
    this.#heartbeat = setInterval(() => {
      this.#beat().catch((error: unknown) =>
        handlers.onError(toSwitchboardError(error, 'CONNECTION_FAILED')),
      );
    }, this.#address.heartbeatMs);
    this.#heartbeat.unref();
    this.#reader = new StreamReader({
      reader: readerClient,
      control: commands,
      group: { name: group, consumer: this.workerId },
      blockMs: this.#address.blockMs,
      onEntries: this.#onEntries,
      onError: handlers.onError,
      hold: {
        busy: () => this.#open > 0 && performance.now() - this.#lastReply < 2 * HOLD_MS,
        maxMs: HOLD_MS,
        backlogged: () => this.#open >= BACKLOG,
      },
      recover: async (keys) => {
        for (const key of keys) await ensureGroup(commands, key, group);
      },
    });
    await this.#reader.start();
    this.#order = new SubmitOrder(this.#reader, commands);
    this.#reader.add(this.#keys.pool);
    // `0`: a worker restarted under the same id first takes back what it had read and not finished.
    this.#reader.add(inbox, '0');
    this.#janitor = new DeadWorkerJanitor({
      commands,
      reader: this.#reader,
      keys: this.#keys,
      address: this.#address,
      workerId: this.workerId,
      deliver: (received) => this.#deliver(received),
      takeOver: (conn, from) => this.#takeOver(conn, from),
      onAdopted: (conn, from) => handlers.onAdopted?.(conn, from),
      onError: handlers.onError,
    });
  }

  /** Connections adopted from dead workers, and records reclaimed from them, so far. */
  get adoption(): { connections: number; reclaimed: number } {
    return this.#janitor?.counts ?? { connections: 0, reclaimed: 0 };
  }

  remember(conn: string, state: Partial<ConnectionState>): void {
    const fields: Record<string, string> = {};
    if (state.initialize !== undefined) fields.init = state.initialize;
    if (state.initialized) fields.initialized = '1';
    if (Object.keys(fields).length === 0 || this.#closed) return;
    this.#commands?.hSet(this.#keys.connection(conn), fields).catch((error: unknown) => {
      this.#handlers?.onError(toSwitchboardError(error));
    });
  }

  async connectionState(conn: string): Promise<ConnectionState> {
    const [init, initialized] = await this.#live().hmGet(this.#keys.connection(conn), [
      'init',
      'initialized',
    ]);
    return { initialize: init ?? undefined, initialized: initialized === '1' };
  }

  noteTools(safety: Record<string, ToolSafety>): void {
    if (Object.keys(safety).length === 0 || this.#closed) return;
    this.#commands?.hSet(this.#keys.tools, safety).catch((error: unknown) => {
      this.#handlers?.onError(toSwitchboardError(error));
    });
  }

  async toolSafety(name: string): Promise<ToolSafety | undefined> {
    const value = await this.#live().hGet(this.#keys.tools, name);
    return value === 'safe' || value === 'unsafe' ? value : undefined;
  }

  async stats(): Promise<QueueStats> {
    const commands = this.#live();
    const { group } = this.#address;
    let depth = 0;
    let pending = 0;
    for (const key of [this.#keys.pool, this.#keys.inbox(this.workerId)]) {
      const groups = (await commands.xInfoGroups(key)) as unknown as {
        name: string;
        pending: number;
        lag?: number | null;
      }[];
      const g = groups.find((x) => x.name === group);
      depth += Number(g?.lag ?? 0);
      if (key !== this.#keys.pool) pending += Number(g?.pending ?? 0);
    }
    return { depth, pending };
  }

  /** Moves `conn` from the dead worker `from` to us; `false` when someone else was faster. */
  async #takeOver(conn: string, from: string): Promise<boolean> {
    return (await this.#moveFrom(conn, from)).moved;
  }

  /** {@link TAKE_OVER}: whether `conn` moved here now, and the owner it has after the attempt. */
  async #moveFrom(conn: string, from: string): Promise<{ moved: boolean; owner: string }> {
    const reply = await this.#live().eval(TAKE_OVER, {
      keys: [this.#keys.connection(conn), this.#keys.owned(from), this.#keys.owned(this.workerId)],
      arguments: [from, this.workerId, conn],
    });
    const [moved, owner] = Array.isArray(reply) ? (reply as unknown[]) : [];
    return { moved: Number(moved) === 1, owner: typeof owner === 'string' ? owner : '' };
  }

  pause(): void {
    this.#reader?.pause();
    this.#markPaused(true);
  }

  resume(): void {
    this.#reader?.resume();
    this.#markPaused(false);
  }

  /** Tells the pool at once (in the heartbeat) whether new connections may be given to this worker. */
  #markPaused(paused: boolean): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    if (!this.#joined || this.#closed) return;
    this.#writeBeat().catch((error: unknown) =>
      this.#handlers?.onError(toSwitchboardError(error, 'CONNECTION_FAILED')),
    );
  }

  async claim(conn: string): Promise<ClaimResult> {
    const commands = this.#live();
    const assigned = await runScript(
      commands,
      ASSIGN,
      [this.#keys.connection(conn), this.#keys.workers],
      [
        this.workerId,
        this.#keys.heartbeat(''),
        this.#keys.owned(''),
        conn,
        String(CONNECTION_TTL_MS),
        this.#paused ? '1' : '0',
        this.#keys.adopting(''),
      ],
    );
    const [fresh, owner] = Array.isArray(assigned) ? (assigned as unknown[]) : [];
    if (typeof owner !== 'string' || owner === '') return { owner: 'unknown' };
    if (owner === this.workerId) return { owner: 'self' };
    if (Number(fresh) === 1) return { owner: 'other', worker: owner, alive: true };
    // The owner died: declared dead here (its adoption lock, so that it stops should it only have been
    // stopped), its connections are this worker's to adopt, the rest of it is adopted by the janitor.
    const adopter = await declareDead(commands, this.#keys, owner, this.workerId, lockMs(this.#address));
    if (adopter === undefined) return { owner: 'other', worker: owner, alive: true };
    if (adopter !== this.workerId) return { owner: 'other', worker: owner, alive: false };
    // Not moved here by this claim: the connection may have moved since the assignment read its owner
    // (this worker's janitor adopting that owner, most likely). The answer is the owner it has now: a
    // stale "other, the dead one" would send its records, reclaimed ones too, back as new records.
    const now = (await this.#moveFrom(conn, owner)).owner;
    if (now === this.workerId) return { owner: 'self', adoptedFrom: owner };
    if (now === '' || now === owner) return { owner: 'other', worker: owner, alive: false };
    return { owner: 'other', worker: now, alive: (await commands.exists(this.#keys.heartbeat(now))) === 1 };
  }

  async forward(received: ReceivedRecord, worker: string): Promise<void> {
    this.#routes.delete(received.record.conn);
    const fields = encodeRecord(received.record);
    // A record reclaimed from a dead worker stays one: its new reader decides whether to run it again.
    if (received.reclaimedFrom !== undefined) fields[RECLAIMED_FROM] = received.reclaimedFrom;
    await this.#live().xAdd(this.#keys.inbox(worker), '*', fields, this.#trim());
    this.ack(received.handle);
  }

  reply(record: QueueRecord, settles?: string): Promise<boolean> {
    const route = this.#routes.get(record.conn);
    if (typeof route === 'string') return this.#store(route, record, settles);
    return route.then((key) => this.#store(key, record, settles));
  }

  /** Appends `record` to the reply stream `key`, settling the request `settles` in the same command. */
  async #store(key: string, record: QueueRecord, settles: string | undefined): Promise<boolean> {
    const commands = this.#live();
    const fields: string[] = [];
    for (const [name, value] of Object.entries(encodeRecord(record))) fields.push(name, value);
    const maxLen = String(this.#address.maxLen);
    const i = settles === undefined ? -1 : settles.indexOf(HANDLE_SEPARATOR);
    this.#lastReply = performance.now();
    const order = this.#order;
    const send = (args: string[]): Promise<unknown> =>
      order === undefined ? commands.sendCommand(args) : order.send(args);
    // NOMKSTREAM: a client that closed (and deleted its reply stream) does not get it back.
    if (settles === undefined || i < 0) {
      return (await send(['XADD', key, 'NOMKSTREAM', 'MAXLEN', '~', maxLen, '*', ...fields])) !== null;
    }
    this.#settled();
    const script = scriptCommand(
      REPLY_AND_SETTLE,
      [key, settles.slice(0, i)],
      [maxLen, this.#address.group, settles.slice(i + 1), ...fields],
    );
    return (await send(script)) !== null;
  }

  ack(handle: string): void {
    this.#settled();
    this.#queueAck(handle);
  }

  #queueAck(handle: string): void {
    const i = handle.indexOf(HANDLE_SEPARATOR);
    if (i < 0) return;
    const key = handle.slice(0, i);
    const list = this.#acks.get(key);
    if (list === undefined) this.#acks.set(key, [handle.slice(i + 1)]);
    else list.push(handle.slice(i + 1));
    this.#scheduleFlush();
  }

  consumed(conn: string, bytes: number): void {
    this.#consumed.add(conn, bytes);
  }

  async consumedByClient(conn: string): Promise<number> {
    return Number((await this.#live().hGet(this.#keys.connection(conn), 'tx')) ?? 0);
  }

  async release(conn: string): Promise<void> {
    this.#routes.delete(conn);
    const commands = this.#live();
    await commands.unlink(this.#keys.connection(conn));
    await commands.sRem(this.#keys.owned(this.workerId), conn);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#janitor?.close();
    await this.#reader?.close();
    const commands = this.#commands;
    if (commands === undefined) return;
    if (this.#fenced) {
      // The adopter owns this worker's keys now (it reads its inbox and set of connections): none is touched.
      destroyRedisClient(commands);
      return;
    }
    this.#consumed.flush();
    this.#flush();
    try {
      // Leaving on purpose: nothing of ours is left to adopt.
      await commands.unlink(this.#keys.heartbeat(this.workerId));
      await commands.sRem(this.#keys.workers, this.workerId);
      await commands.unlink(this.#keys.owned(this.workerId));
      await commands.close();
    } catch {
      destroyRedisClient(commands);
    }
  }

  async #beat(): Promise<void> {
    if (!(await this.#writeBeat())) return;
    this.#janitor?.tick();
  }

  /** Writes the heartbeat (joining first); `false` when fenced (see {@link #fence}). */
  async #writeBeat(): Promise<boolean> {
    if (this.#fenced) return false;
    const commands = this.#live();
    const keys = [
      this.#keys.heartbeat(this.workerId),
      this.#keys.adopting(this.workerId),
      this.#keys.workers,
    ];
    const args = [
      this.#paused ? PAUSED : String(Date.now()),
      String(this.#address.deadAfterMs),
      this.workerId,
    ];
    const sent = performance.now();
    if (!this.#joined) {
      await commands.eval(JOIN, { keys, arguments: args });
      this.#joined = true;
      this.#leaseFrom = sent;
      return true;
    }
    const beat = await commands.eval(BEAT, { keys, arguments: args });
    if (typeof beat !== 'string') {
      this.#leaseFrom = Math.max(this.#leaseFrom, sent);
      return true;
    }
    this.#fence(beat);
    return false;
  }

  /**
   * This worker was declared dead while it lived, and another worker is adopting its connections and
   * reclaiming its requests. Serving them from here too would answer requests twice and split its
   * inbox between two readers, so it stops: no more reads, heartbeats or janitor rounds, and the
   * listener is told (it drops its connections without a word to their clients, who are re-bound to
   * the adopter). A process that wants to serve again joins anew (`switchboard worker` exits).
   */
  #fence(adopter: string): void {
    if (this.#fenced) return;
    this.#fenced = true;
    clearInterval(this.#heartbeat);
    this.#janitor?.close();
    this.#reader?.pause();
    const error = new SwitchboardError(
      'WORKER_LOST',
      `Worker ${this.workerId} was declared dead by the pool (no heartbeat for ${this.#address.deadAfterMs} ms); ` +
        `worker ${adopter} adopted its connections: it stops serving`,
      { details: { worker: this.workerId } },
    );
    this.#handlers?.onFenced?.(error);
  }

  #trim(): { TRIM: { strategy: 'MAXLEN'; strategyModifier: '~'; threshold: number } } {
    return { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: this.#address.maxLen } };
  }

  #live(): RedisClient {
    const commands = this.#commands;
    if (commands === undefined || this.#closed)
      throw toSwitchboardError('The worker queue is closed', 'TRANSPORT_CLOSED');
    return commands;
  }

  /**
   * Entries read from the pool or an inbox. While the lease holds (a heartbeat sent less than
   * `deadAfter` ago: the heartbeat key cannot have expired, so nobody can have declared this worker
   * dead), they are handed over at once. Otherwise this process stalled past `deadAfter` (stopped,
   * starved) and another worker may have declared it dead and be reclaiming these very records: a
   * stopped worker's read brings, when it resumes, what Redis gave it meanwhile, before its next
   * heartbeat could tell it that it was fenced. Reading stops and a heartbeat goes first; the entries
   * are handed over if it renewed the lease, and left to the adopter if this worker is fenced.
   */
  readonly #onEntries = (key: string, entries: StreamEntry[]): void => {
    if (this.#held !== undefined) {
      this.#held.push({ key, entries });
      return;
    }
    if (performance.now() - this.#leaseFrom < this.#address.deadAfterMs) {
      this.#take(key, entries);
      return;
    }
    this.#held = [{ key, entries }];
    this.#reader?.pause();
    const settle = (serving: boolean): void => {
      const held = this.#held ?? [];
      this.#held = undefined;
      if (!serving || this.#fenced || this.#closed) return;
      if (!this.#paused) this.#reader?.resume();
      for (const h of held) this.#take(h.key, h.entries);
    };
    this.#writeBeat().then(settle, (error: unknown) => {
      // Redis unreachable from here: the lease cannot be renewed, nor can anything be acknowledged. The
      // entries go on as before this check (an adopter, if any, fences this worker at the next beat).
      this.#handlers?.onError(toSwitchboardError(error, 'CONNECTION_FAILED'));
      settle(true);
    });
  };

  #take(key: string, entries: StreamEntry[]): void {
    for (const entry of entries) {
      const handle = `${key}${HANDLE_SEPARATOR}${entry.id}`;
      const record = decodeRecord(entry.fields);
      if (record === undefined) {
        this.#queueAck(handle);
        continue;
      }
      const from = entry.fields[RECLAIMED_FROM];
      this.#deliver(
        typeof from === 'string' && from !== ''
          ? { record, handle, deliveries: 1, reclaimedFrom: from }
          : { record, handle, deliveries: 1 },
      );
    }
  }

  #settled(): void {
    if (this.#open > 0) this.#open--;
  }

  /** Hands a record over; an `open` naming the client's reply stream routes the replies there first. */
  #deliver(received: ReceivedRecord): void {
    this.#open++;
    const { record } = received;
    if (record.type === 'open' && record.replyTo !== undefined && this.#isReplyStream(record.replyTo)) {
      this.#routes.set(record.conn, record.replyTo);
    }
    this.#handlers?.onRecord(received);
  }

  /** Only a client reply stream of this queue: a record cannot make the worker write elsewhere. */
  #isReplyStream(key: string): boolean {
    const prefix = this.#keys.clientReplies('');
    return key.length > prefix.length && key.startsWith(prefix);
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  /** Sends the batched acknowledgements, and the counters when closing (one pipelined round trip). */
  #flush(): void {
    const commands = this.#commands;
    if (commands === undefined) return;
    const report = (error: unknown): void => this.#handlers?.onError(toSwitchboardError(error));
    const { group } = this.#address;
    for (const [key, ids] of this.#acks) {
      commands.xAck(key, group, ids).catch(report);
      commands.xDel(key, ids).catch(report);
    }
    this.#acks.clear();
  }
}
