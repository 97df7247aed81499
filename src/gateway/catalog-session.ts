import { SwitchboardError, toSwitchboardError } from '../errors.js';
import type { JSONRPCNotification, MessageParams } from '../protocol/messages.js';
import { MetaKey, MODERN_PROTOCOL_VERSION, SESSION_ERA_VERSIONS } from '../protocol/versions.js';
import type { Transport } from '../transport.js';
import type { CatalogItem, CatalogKind, ServerListing } from './catalog.js';
import { RpcClient } from './rpc-client.js';

/** Options of {@link CatalogSession}. */
export interface CatalogSessionOptions {
  /** The server's name (logs, ids). */
  server: string;
  /** The gateway's own connection to the server (unstarted). */
  transport: Transport;
  /** Who the gateway says it is. */
  clientInfo: { name: string; version: string };
  /** Deadline of each catalog request, in ms. */
  timeoutMs: number;
  /** Most items kept per list (the rest is dropped and reported). */
  maxItems: number;
  /** A fresh listing after a `list_changed` (or {@link CatalogSession.relist}). */
  onListing: (listing: ServerListing) => void;
  /** Failures after the handshake (a re-list that failed, an oversized list). Never thrown. */
  onError: (error: SwitchboardError) => void;
}

/**
 * Declared by the catalog session so that servers which register tools only for capable clients
 * (sampling, elicitation, roots) show all of them; each client's own session declares its own.
 */
const CATALOG_CLIENT_CAPABILITIES = {
  roots: { listChanged: true },
  sampling: {},
  elicitation: { form: {}, url: {} },
};

const LIST_METHODS: readonly { kind: CatalogKind; method: string; key: string; capability: string }[] = [
  { kind: 'tools', method: 'tools/list', key: 'tools', capability: 'tools' },
  { kind: 'prompts', method: 'prompts/list', key: 'prompts', capability: 'prompts' },
  { kind: 'resources', method: 'resources/list', key: 'resources', capability: 'resources' },
  {
    kind: 'resourceTemplates',
    method: 'resources/templates/list',
    key: 'resourceTemplates',
    capability: 'resources',
  },
];

const LIST_CHANGED = new Set([
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
]);

/** Debounce of re-lists after `list_changed` bursts, in ms. */
const RELIST_DELAY_MS = 50;
/** Most pages fetched of one list. */
const MAX_PAGES = 1000;

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * The gateway's own session with one server, for the catalog: the handshake (`initialize`, or
 * `server/discover` for a server that speaks only the 2026-07-28 era), every list with all its pages,
 * and a re-list on each `list_changed`. It answers the server's `roots/list` (no roots) and `ping`;
 * sampling and elicitation are refused (nobody sits behind this session).
 */
export class CatalogSession {
  readonly #o: CatalogSessionOptions;
  readonly #rpc: RpcClient;
  #listing: ServerListing | undefined;
  #relistTimer: NodeJS.Timeout | undefined;
  #relisting: Promise<void> | undefined;
  #again = false;
  #closed = false;

  /** @param options - the connection, timeouts, listeners */
  constructor(options: CatalogSessionOptions) {
    this.#o = options;
    this.#rpc = new RpcClient(options.transport, {
      idPrefix: `switchboard-catalog-${options.server}-`,
      onRequest: (method) => {
        if (method === 'roots/list') return { roots: [] };
        if (method === 'ping') return {};
        throw new SwitchboardError(
          'UNROUTABLE',
          `${method} is not available on the gateway's catalog session`,
        );
      },
      onNotification: (n) => this.#notification(n),
      onError: () => undefined,
    });
  }

  /** The last listing. */
  get listing(): ServerListing | undefined {
    return this.#listing;
  }

  /**
   * Connects, shakes hands and lists everything.
   *
   * @throws SwitchboardError when the server cannot be reached or refuses the handshake
   */
  async start(): Promise<ServerListing> {
    await this.#rpc.start();
    const base = await this.#handshake();
    const lists = await this.#fetchLists(base);
    this.#listing = { ...base, ...lists };
    if (base.era === 'stateless') this.#listen(base.capabilities);
    return this.#listing;
  }

  /** Lists everything again soon (coalesces bursts); the result goes to `onListing`. */
  relist(): void {
    if (this.#closed || this.#listing === undefined) return;
    clearTimeout(this.#relistTimer);
    this.#relistTimer = setTimeout(() => this.#relist(), RELIST_DELAY_MS);
    this.#relistTimer.unref();
  }

  /** Closes the session (idempotent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#relistTimer);
    await this.#rpc.close();
  }

  #meta(): Record<string, unknown> {
    return {
      [MetaKey.protocolVersion]: MODERN_PROTOCOL_VERSION,
      [MetaKey.clientCapabilities]: CATALOG_CLIENT_CAPABILITIES,
      [MetaKey.clientInfo]: this.#o.clientInfo,
    };
  }

  #params(era: ServerListing['era'], params: MessageParams = {}): MessageParams {
    return era === 'stateless' ? { ...params, _meta: this.#meta() } : params;
  }

  async #handshake(): Promise<Omit<ServerListing, CatalogKind>> {
    let result: Record<string, unknown>;
    try {
      result = await this.#rpc.request(
        'initialize',
        {
          protocolVersion: SESSION_ERA_VERSIONS[0] as string,
          capabilities: CATALOG_CLIENT_CAPABILITIES,
          clientInfo: this.#o.clientInfo,
        },
        this.#o.timeoutMs,
      );
    } catch (error) {
      // An error *answer* may be a server of the 2026-07-28 era only: ask it the modern way.
      if (!(error instanceof SwitchboardError) || error.details.rpcCode === undefined) throw error;
      const discovered = await this.#rpc.request(
        'server/discover',
        { _meta: this.#meta() },
        this.#o.timeoutMs,
      );
      const meta = asRecord(discovered._meta);
      return {
        era: 'stateless',
        capabilities: asRecord(discovered.capabilities) ?? {},
        serverInfo: asRecord(meta?.[MetaKey.serverInfo]),
        instructions: typeof discovered.instructions === 'string' ? discovered.instructions : undefined,
      };
    }
    await this.#rpc.notify('notifications/initialized');
    return {
      era: 'session',
      capabilities: asRecord(result.capabilities) ?? {},
      serverInfo: asRecord(result.serverInfo),
      instructions: typeof result.instructions === 'string' ? result.instructions : undefined,
    };
  }

  async #fetchLists(base: Omit<ServerListing, CatalogKind>): Promise<Pick<ServerListing, CatalogKind>> {
    const out: Record<CatalogKind, CatalogItem[]> = {
      tools: [],
      prompts: [],
      resources: [],
      resourceTemplates: [],
    };
    for (const { kind, method, key, capability } of LIST_METHODS) {
      if (base.capabilities[capability] === undefined) continue;
      try {
        out[kind] = await this.#fetchAll(base.era, method, key);
      } catch (error) {
        // A server without templates may answer "method not found": that list is simply empty.
        if (
          kind === 'resourceTemplates' &&
          error instanceof SwitchboardError &&
          error.details.rpcCode !== undefined
        )
          continue;
        throw error;
      }
    }
    return out;
  }

  async #fetchAll(era: ServerListing['era'], method: string, key: string): Promise<CatalogItem[]> {
    const items: CatalogItem[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await this.#rpc.request(
        method,
        this.#params(era, cursor === undefined ? {} : { cursor }),
        this.#o.timeoutMs,
      );
      const list = result[key];
      if (Array.isArray(list)) {
        for (const item of list) {
          if (items.length >= this.#o.maxItems) {
            this.#o.onError(
              new SwitchboardError(
                'INVALID_OPTIONS',
                `${method}: more than ${this.#o.maxItems} items; the rest is ignored`,
              ),
            );
            return items;
          }
          const record = asRecord(item);
          if (record) items.push(record);
        }
      }
      cursor =
        typeof result.nextCursor === 'string' && result.nextCursor !== '' ? result.nextCursor : undefined;
      if (cursor === undefined) return items;
    }
    return items;
  }

  /** 2026-07-28 servers announce list changes on a `subscriptions/listen` stream only. */
  #listen(capabilities: Readonly<Record<string, unknown>>): void {
    const notifications = {
      ...(capabilities.tools !== undefined ? { toolsListChanged: true } : {}),
      ...(capabilities.prompts !== undefined ? { promptsListChanged: true } : {}),
      ...(capabilities.resources !== undefined ? { resourcesListChanged: true } : {}),
    };
    if (Object.keys(notifications).length === 0) return;
    this.#rpc
      .request('subscriptions/listen', { notifications, _meta: this.#meta() }, 0)
      .catch(() => undefined);
  }

  #notification(n: JSONRPCNotification): void {
    if (LIST_CHANGED.has(n.method)) this.relist();
  }

  #relist(): void {
    if (this.#closed) return;
    if (this.#relisting) {
      this.#again = true;
      return;
    }
    const base = this.#listing;
    if (base === undefined) return;
    this.#relisting = this.#fetchLists(base)
      .then((lists) => {
        if (this.#closed) return;
        this.#listing = { ...base, ...lists };
        this.#o.onListing(this.#listing);
      })
      .catch((error: unknown) => this.#o.onError(toSwitchboardError(error)))
      .finally(() => {
        this.#relisting = undefined;
        if (this.#again) {
          this.#again = false;
          this.relist();
        }
      });
  }
}
