import { randomUUID } from 'node:crypto';
import { SwitchboardError, toSwitchboardError } from '../../errors.js';
import {
  recordBytes,
  type ClientConnection,
  type QueueRecord,
  type ReplyHandlers,
  type RequestQueue,
} from '../queue-types.js';
import { ConsumedReports, reportConsumed } from './consumed-reports.js';
import { decodeRecord, encodeRecord } from './record-codec.js';
import { RedisQueueKeys, type RedisAddress } from './redis-address.js';
import {
  destroyRedisClient,
  openRedisClient,
  type RedisClient,
  type RedisClientSettings,
} from './redis-client.js';
import { drainReplies } from './reply-drain.js';
import { StreamReader, type StreamEntry } from './stream-reader.js';
import { SubmitOrder } from './submit-order.js';

/** Reply streams and connection state of a client that vanished expire after this long: 24 h. */
export const CONNECTION_TTL_MS = 24 * 60 * 60_000;
/** How often a client renews its reply stream's expiry (and re-creates it if Redis lost it). */
const KEEPALIVE_MS = 5_000;
/** Replies held per connection while its predecessor's leftovers are handed over. */
const MAX_HELD = 10_000;

interface OpenConnection {
  handlers: ReplyHandlers;
  /** Another process's reply stream this connection's replies went to before (it re-attached here). */
  drainFrom?: string | undefined;
  /** Replies that arrived while `drainFrom` is handed over (they follow it), with their entry ids. */
  held?: { record: QueueRecord; id: string }[] | undefined;
}

/** The Redis side of a client process: two connections and the process's reply stream. */
interface Attached {
  commands: RedisClient;
  reader: StreamReader;
  replies: string;
  keepalive: NodeJS.Timeout;
}

// One queue per address and settings in this process: its two Redis connections and one reply stream
// serve every open connection (a gateway with 1,000 sessions holds 2 sockets and reads 1 stream).
const shared = new Map<string, RedisRequestQueue>();

/**
 * The client side of a Redis Streams request queue. Records go to the pool stream or a worker's inbox
 * with `XADD … MAXLEN ~`. Replies of every connection of this process arrive on one reply stream
 * (`P:rx:<random>`, named in each `open` record and in the connection's hash), read by one blocking
 * `XREAD` loop and deleted once handed over. A process that re-attaches to a connection first hands over
 * what its predecessor's stream still holds for it.
 */
export class RedisRequestQueue implements RequestQueue {
  readonly description: string;
  readonly #address: RedisAddress;
  readonly #settings: RedisClientSettings;
  readonly #keys: RedisQueueKeys;
  readonly #cacheKey: string;
  readonly #connections = new Map<string, OpenConnection>();
  #ready: Promise<Attached> | undefined;
  #errorHandlers = new Set<(error: Error) => void>();
  readonly #consumed = new ConsumedReports((counts) => {
    this.#ready
      ?.then(({ commands }) =>
        reportConsumed(commands, counts, (conn) => this.#keys.connection(conn), 'tx', CONNECTION_TTL_MS),
      )
      .catch(() => undefined);
  });

  private constructor(address: RedisAddress, settings: RedisClientSettings, cacheKey: string) {
    this.#address = address;
    this.#settings = settings;
    this.#keys = new RedisQueueKeys(address);
    this.#cacheKey = cacheKey;
    this.description = address.redacted;
  }

  /** The process-wide queue of `address` (created on first use, closed when its last connection closes). */
  static for(address: RedisAddress, settings: RedisClientSettings = {}): RedisRequestQueue {
    const key = JSON.stringify([address, settings.tls ?? null, settings.connectTimeoutMs ?? null]);
    let queue = shared.get(key);
    if (queue === undefined) {
      queue = new RedisRequestQueue(address, settings, key);
      shared.set(key, queue);
    }
    return queue;
  }

  async open(conn: string, handlers: ReplyHandlers): Promise<ClientConnection> {
    if (this.#connections.has(conn)) {
      throw new SwitchboardError('CONNECTION_FAILED', `Connection ${conn} is already open in this process`);
    }
    const open: OpenConnection = { handlers };
    this.#connections.set(conn, open);
    this.#errorHandlers.add(handlers.onError);
    try {
      const attached = await this.#connect();
      const { commands, replies } = attached;
      if (!(await this.#anyWorkerAlive(commands))) {
        throw new SwitchboardError(
          'CONNECTION_FAILED',
          `No worker serves ${this.description} (none has a live heartbeat); start one with: switchboard worker --queue '${this.description}' …`,
        );
      }
      // The connection's replies come to this process's stream from now on; a predecessor's stream
      // (a process that held this connection and died) is handed over once the worker switched.
      const state = this.#keys.connection(conn);
      const [previous] = await Promise.all([
        commands.hGet(state, 'out'),
        commands.hSet(state, 'out', replies),
        commands.pExpire(state, CONNECTION_TTL_MS),
      ]);
      const prefix = this.#keys.clientReplies('');
      if (typeof previous === 'string' && previous !== replies && previous.startsWith(prefix)) {
        open.drainFrom = previous;
      }
      return this.#connection(conn, attached);
    } catch (error) {
      await this.#forget(conn);
      throw toSwitchboardError(error, 'CONNECTION_FAILED');
    }
  }

  #connection(conn: string, { commands, reader, replies }: Attached): ClientConnection {
    const keys = this.#keys;
    const maxLen = String(this.#address.maxLen);
    const order = new SubmitOrder(reader, commands);
    let closed = false;
    return {
      submit: async (record, worker) => {
        const fields: string[] = [];
        const named = record.type === 'open' ? { ...record, replyTo: replies } : record;
        for (const [name, value] of Object.entries(encodeRecord(named))) fields.push(name, value);
        const stream = worker === undefined ? keys.pool : keys.inbox(worker);
        await order.send(['XADD', stream, 'MAXLEN', '~', maxLen, '*', ...fields]);
      },
      consumedByWorker: async () => Number((await commands.hGet(keys.connection(conn), 'rx')) ?? 0),
      workerAlive: async (worker) => (await commands.exists(keys.heartbeat(worker))) === 1,
      close: async () => {
        if (closed) return;
        closed = true;
        await this.#forget(conn);
      },
    };
  }

  async #anyWorkerAlive(commands: RedisClient): Promise<boolean> {
    const workers = await commands.sMembers(this.#keys.workers);
    if (workers.length === 0) return false;
    return (await commands.exists(workers.map((w) => this.#keys.heartbeat(w)))) > 0;
  }

  #connect(): Promise<Attached> {
    this.#ready ??= (async () => {
      const onError = (error: Error): void => {
        for (const h of this.#errorHandlers) h(error);
      };
      const commands = await openRedisClient(this.#address, this.#settings, onError);
      let readerClient: RedisClient;
      try {
        readerClient = await openRedisClient(this.#address, this.#settings, onError);
      } catch (error) {
        destroyRedisClient(commands);
        throw error;
      }
      const replies = this.#keys.clientReplies(randomUUID());
      const ensure = (): Promise<void> => ensureReplyStream(commands, replies);
      try {
        await ensure();
      } catch (error) {
        destroyRedisClient(commands);
        destroyRedisClient(readerClient);
        throw toSwitchboardError(error, 'CONNECTION_FAILED');
      }
      const reader = new StreamReader({
        reader: readerClient,
        control: commands,
        blockMs: this.#address.blockMs,
        onEntries: (key, entries) => this.#onReplies(commands, reader, key, entries),
        onError,
        recover: ensure,
      });
      await reader.start();
      reader.add(replies, '0');
      // A reply stream outlives a vanished process by its expiry only; Redis may also have lost it.
      const keepalive = setInterval(() => void ensure().catch(() => undefined), KEEPALIVE_MS);
      keepalive.unref();
      return { commands, reader, replies, keepalive };
    })();
    const ready = this.#ready;
    ready.catch(() => {
      if (this.#ready === ready) this.#ready = undefined;
    });
    return ready;
  }

  #onReplies(commands: RedisClient, reader: StreamReader, key: string, entries: StreamEntry[]): void {
    // Deleted once handed over (below, synchronously), ahead of the next read: in the same write as
    // it and whatever the handlers send in turn (a client's next request), no round trip of its own.
    const ids: string[] = [];
    for (const entry of entries) {
      const record = decodeRecord(entry.fields);
      // A connection closed here meanwhile: its late replies are dropped (and deleted with the rest).
      const open = record === undefined ? undefined : this.#connections.get(record.conn);
      if (record === undefined || open === undefined) {
        ids.push(entry.id);
        continue;
      }
      // Held ones are deleted once handed over, after the drain.
      if (open.held !== undefined) {
        if (open.held.length < MAX_HELD) open.held.push({ record, id: entry.id });
        else {
          ids.push(entry.id);
          open.handlers.onError(
            new SwitchboardError('WRITE_FAILED', 'Too many replies held for a re-attached connection'),
          );
        }
        continue;
      }
      if (record.type === 'bind' && open.drainFrom !== undefined) {
        // The worker switched to our stream: everything it sent before is in the old one.
        const from = open.drainFrom;
        open.drainFrom = undefined;
        open.held = [{ record, id: entry.id }];
        void this.#drain(commands, key, record.conn, open, from);
        continue;
      }
      ids.push(entry.id);
      this.#hand(record.conn, open, record);
    }
    if (ids.length === 0) return;
    const args = ['XDEL', key, ...ids];
    (reader.sendAhead(args) ?? commands.sendCommand(args)).catch(() => undefined);
  }

  /** Hands over what `from` holds for `conn`, then the replies held meanwhile (from `key`, ours). */
  async #drain(
    commands: RedisClient,
    key: string,
    conn: string,
    open: OpenConnection,
    from: string,
  ): Promise<void> {
    try {
      await drainReplies(commands, from, conn, (record) => this.#hand(conn, open, record));
    } catch (error) {
      open.handlers.onError(toSwitchboardError(error, 'CONNECTION_FAILED'));
    } finally {
      const held = open.held ?? [];
      open.held = undefined;
      for (const { record } of held) this.#hand(conn, open, record);
      if (held.length > 0) {
        commands.sendCommand(['XDEL', key, ...held.map((h) => h.id)]).catch(() => undefined);
      }
    }
  }

  #hand(conn: string, open: OpenConnection, record: QueueRecord): void {
    if (this.#connections.get(conn) !== open) return;
    this.#consumed.add(conn, recordBytes(record));
    open.handlers.onRecord(record);
  }

  async #forget(conn: string): Promise<void> {
    const open = this.#connections.get(conn);
    if (open === undefined) return;
    this.#connections.delete(conn);
    this.#errorHandlers.delete(open.handlers.onError);
    if (this.#connections.size > 0) return;
    // The last connection closed: release the Redis connections and the reply stream (a later open
    // reconnects with a new one).
    this.#consumed.flush();
    const ready = this.#ready;
    this.#ready = undefined;
    if (shared.get(this.#cacheKey) === this) shared.delete(this.#cacheKey);
    const parts = await ready?.catch(() => undefined);
    if (parts) {
      clearInterval(parts.keepalive);
      await parts.reader.close();
      await parts.commands.unlink(parts.replies).catch(() => undefined);
      await parts.commands.close().catch(() => destroyRedisClient(parts.commands));
    }
  }
}

/**
 * Renews the expiry of a client's reply stream, creating it empty when it does not exist (an `XADD`
 * trimmed to nothing at once): workers write replies with `NOMKSTREAM`, so a stream that is gone tells
 * them the client is gone.
 */
async function ensureReplyStream(commands: RedisClient, key: string): Promise<void> {
  const renewed = await commands.sendCommand(['PEXPIRE', key, String(CONNECTION_TTL_MS)]);
  if (Number(renewed) === 1) return;
  await commands.sendCommand(['XADD', key, 'MAXLEN', '0', '*', 't', 'x']);
  await commands.sendCommand(['PEXPIRE', key, String(CONNECTION_TTL_MS)]);
}
