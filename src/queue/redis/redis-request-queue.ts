import { SwitchboardError, toSwitchboardError } from '../../errors.js';
import { recordBytes, type ClientConnection, type ReplyHandlers, type RequestQueue } from '../queue-types.js';
import { ConsumedReports } from './consumed-reports.js';
import { decodeRecord, encodeRecord } from './record-codec.js';
import { RedisQueueKeys, type RedisAddress } from './redis-address.js';
import {
  destroyRedisClient,
  ensureGroup,
  openRedisClient,
  type RedisClient,
  type RedisClientSettings,
} from './redis-client.js';
import { StreamReader, type StreamEntry } from './stream-reader.js';

/** The consumer name every client process uses on a reply stream, so a successor reads what is pending. */
const REPLY_CONSUMER = 'client';
/** Reply streams and connection state of a client that vanished expire after this long: 24 h. */
export const CONNECTION_TTL_MS = 24 * 60 * 60_000;

interface OpenConnection {
  handlers: ReplyHandlers;
  key: string;
}

// One queue per address and settings in this process: its two Redis connections serve every open
// connection (a gateway with 1,000 sessions holds 2 sockets, not 2,000).
const shared = new Map<string, RedisRequestQueue>();

/**
 * The client side of a Redis Streams request queue. Records go to the pool stream or a worker's inbox
 * with `XADD … MAXLEN ~`; replies of every connection of this process are read by one blocking
 * `XREADGROUP` loop over their reply streams, then acknowledged and deleted.
 */
export class RedisRequestQueue implements RequestQueue {
  readonly description: string;
  readonly #address: RedisAddress;
  readonly #settings: RedisClientSettings;
  readonly #keys: RedisQueueKeys;
  readonly #cacheKey: string;
  readonly #connections = new Map<string, OpenConnection>();
  readonly #byKey = new Map<string, string>();
  #ready: Promise<{ commands: RedisClient; reader: StreamReader }> | undefined;
  #errorHandlers = new Set<(error: Error) => void>();
  readonly #consumed = new ConsumedReports((conn, bytes) => {
    const state = this.#keys.connection(conn);
    this.#ready
      ?.then(async ({ commands }) => {
        await Promise.all([commands.hIncrBy(state, 'tx', bytes), commands.pExpire(state, CONNECTION_TTL_MS)]);
      })
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
    const key = this.#keys.replies(conn);
    this.#connections.set(conn, { handlers, key });
    this.#byKey.set(key, conn);
    this.#errorHandlers.add(handlers.onError);
    try {
      const { commands, reader } = await this.#connect();
      if (!(await this.#anyWorkerAlive(commands))) {
        throw new SwitchboardError(
          'CONNECTION_FAILED',
          `No worker serves ${this.description} (none has a live heartbeat); start one with: switchboard worker --queue '${this.description}' …`,
        );
      }
      await ensureGroup(commands, key, this.#address.group);
      await commands.pExpire(key, CONNECTION_TTL_MS);
      // `0`: a process re-attaching to this connection first gets what its predecessor left unread.
      reader.add(key, '0');
      return this.#connection(conn, key, commands);
    } catch (error) {
      await this.#forget(conn);
      throw toSwitchboardError(error, 'CONNECTION_FAILED');
    }
  }

  #connection(conn: string, key: string, commands: RedisClient): ClientConnection {
    const keys = this.#keys;
    const { maxLen, deadAfterMs } = this.#address;
    let closed = false;
    return {
      submit: async (record, worker) => {
        await commands.xAdd(
          worker === undefined ? keys.pool : keys.inbox(worker),
          '*',
          encodeRecord(record),
          {
            TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: maxLen },
          },
        );
      },
      consumedByWorker: async () => Number((await commands.hGet(keys.connection(conn), 'rx')) ?? 0),
      workerAlive: async (worker) => {
        void deadAfterMs;
        return (await commands.exists(keys.heartbeat(worker))) === 1;
      },
      close: async () => {
        if (closed) return;
        closed = true;
        this.#byKey.delete(key);
        await commands.unlink(key).catch(() => undefined);
        await this.#forget(conn);
      },
    };
  }

  async #anyWorkerAlive(commands: RedisClient): Promise<boolean> {
    const workers = await commands.sMembers(this.#keys.workers);
    if (workers.length === 0) return false;
    return (await commands.exists(workers.map((w) => this.#keys.heartbeat(w)))) > 0;
  }

  #connect(): Promise<{ commands: RedisClient; reader: StreamReader }> {
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
      const reader = new StreamReader({
        reader: readerClient,
        control: commands,
        group: this.#address.group,
        consumer: REPLY_CONSUMER,
        blockMs: this.#address.blockMs,
        onEntries: (key, entries) => this.#onReplies(commands, key, entries),
        onError,
        recover: async (keys) => {
          // A reply stream deleted under us (its connection closed meanwhile, or expired): re-create
          // the group only for connections still open.
          for (const key of keys)
            if (this.#byKey.has(key)) await ensureGroup(commands, key, this.#address.group);
        },
      });
      await reader.start();
      return { commands, reader };
    })();
    const ready = this.#ready;
    ready.catch(() => {
      if (this.#ready === ready) this.#ready = undefined;
    });
    return ready;
  }

  #onReplies(commands: RedisClient, key: string, entries: StreamEntry[]): void {
    const conn = this.#byKey.get(key);
    const open = conn === undefined ? undefined : this.#connections.get(conn);
    let bytes = 0;
    const ids: string[] = [];
    for (const entry of entries) {
      ids.push(entry.id);
      const record = decodeRecord(entry.fields);
      if (record === undefined || open === undefined) continue;
      bytes += recordBytes(record);
      open.handlers.onRecord(record);
    }
    // Acknowledge and delete once handed over (auto-pipelined into one round trip).
    const group = this.#address.group;
    void commands.xAck(key, group, ids).catch(() => undefined);
    void commands.xDel(key, ids).catch(() => undefined);
    if (conn !== undefined) this.#consumed.add(conn, bytes);
  }

  async #forget(conn: string): Promise<void> {
    const open = this.#connections.get(conn);
    if (open === undefined) return;
    this.#connections.delete(conn);
    this.#byKey.delete(open.key);
    this.#errorHandlers.delete(open.handlers.onError);
    const ready = this.#ready;
    ready?.then(({ reader }) => reader.remove(open.key)).catch(() => undefined);
    if (this.#connections.size > 0) return;
    // The last connection closed: release the Redis connections (a later open reconnects).
    this.#consumed.flush();
    this.#ready = undefined;
    if (shared.get(this.#cacheKey) === this) shared.delete(this.#cacheKey);
    const parts = await ready?.catch(() => undefined);
    if (parts) {
      await parts.reader.close();
      await parts.commands.close().catch(() => destroyRedisClient(parts.commands));
    }
  }
}
