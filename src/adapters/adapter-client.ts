import {
  Client,
  ProtocolError,
  type CallToolResult,
  type GetPromptResult,
  type ReadResourceResult,
} from '@modelcontextprotocol/client';
import type { z } from 'zod';
import { SwitchboardError } from '../errors.js';
import { closeQuietly } from '../introspect/client.js';
import { walkList } from '../introspect/list-surface.js';
import {
  ListKinds,
  PromptEntrySchema,
  ResourceEntrySchema,
  ResourceTemplateEntrySchema,
  ToolEntrySchema,
  type ListKind,
} from '../introspect/report.js';
import { eraOf, type ProtocolEra } from '../protocol/versions.js';
import type { AuthInfo, Transport } from '../transport.js';
import { CallerTaggingTransport, withCaller } from './caller.js';
import { Catalog, type CatalogListings, type CatalogNamespaces } from './catalog.js';

/** A progress notification of a call, as the adapters pass it on. */
export interface ProgressUpdate {
  progress: number;
  total?: number | undefined;
  message?: string | undefined;
}

/** Per-call options of {@link AdapterSource} requests. */
export interface AdapterCallOptions {
  /** Who is calling (authorization policy and rate limits apply to this caller). */
  caller?: AuthInfo | undefined;
  /** Aborting cancels the request (`notifications/cancelled` reaches the backend). */
  signal?: AbortSignal | undefined;
  /** Receives progress notifications; asking for them sends a progress token. */
  onProgress?: ((update: ProgressUpdate) => void) | undefined;
}

/**
 * What the REST and GraphQL adapters consume: a live {@link Catalog} with change events, and MCP
 * requests on behalf of a caller. {@link McpAdapterClient} implements it over any MCP connection
 * (in `serve`: an in-memory pair into the proxy core, a gateway's merged catalog included).
 */
export interface AdapterSource {
  /**
   * The current catalog, connecting first when needed.
   *
   * @throws SwitchboardError `BACKEND_UNAVAILABLE` with `details.retryAfterMs`
   */
  catalog(): Promise<Catalog>;
  /** The last catalog seen, without connecting (possibly stale while disconnected). */
  readonly lastCatalog: Catalog | undefined;
  /** Called with every new catalog; returns the unsubscribe function. */
  onCatalog(listener: (catalog: Catalog) => void): () => void;
  callTool(
    name: string,
    args: Record<string, unknown>,
    options?: AdapterCallOptions,
  ): Promise<CallToolResult>;
  readResource(uri: string, options?: AdapterCallOptions): Promise<ReadResourceResult>;
  getPrompt(
    name: string,
    args: Record<string, string>,
    options?: AdapterCallOptions,
  ): Promise<GetPromptResult>;
}

/** Something worth logging. */
export type AdapterClientEvent =
  | { type: 'connected'; era: ProtocolEra; protocolVersion: string | null; tools: number }
  | { type: 'disconnected' }
  | { type: 'connect-failed'; error: Error; retryInMs: number }
  | { type: 'catalog-changed'; revision: number; lists: readonly ListKind[] }
  | { type: 'warning'; message: string }
  | { type: 'error'; error: Error };

/** Options of {@link McpAdapterClient}. */
export interface AdapterClientOptions {
  /** A fresh, unstarted client transport to the server (called again on every reconnection). */
  connect: () => Transport;
  /** How the adapter introduces itself (default `mcp-switchboard-adapter`). */
  clientInfo?: { name: string; version: string } | undefined;
  /** Time a request may take without progress, in ms (default 65 000: just above serve's 60 s deadline). */
  requestTimeoutMs?: number | undefined;
  /** Hard cap on a request, progress or not, in ms (default 605 000). */
  maxRequestTimeoutMs?: number | undefined;
  /** Time the handshake and the first listing may take, in ms (default 30 000). */
  connectTimeoutMs?: number | undefined;
  /** Delay before retrying a failed connection: doubles from `initialDelayMs` (500) to `maxDelayMs` (30 000). */
  reconnect?: { initialDelayMs?: number | undefined; maxDelayMs?: number | undefined } | undefined;
  /** Most pages fetched per listing (default 100). */
  maxPages?: number | undefined;
  /** Namespaced tool names (a gateway's catalog). */
  namespaces?: CatalogNamespaces | undefined;
  /** Lifecycle events, for logs. Must not throw. */
  onEvent?: ((event: AdapterClientEvent) => void) | undefined;
}

interface Connection {
  client: Client;
}

const ENTRY_SCHEMAS: Record<ListKind, z.ZodType> = {
  tools: ToolEntrySchema,
  resources: ResourceEntrySchema,
  resourceTemplates: ResourceTemplateEntrySchema,
  prompts: PromptEntrySchema,
};

/**
 * An MCP client that serves adapters: it connects (both protocol eras) on first use, keeps a
 * {@link Catalog} of the server's tools, resources, templates and prompts — refreshed on every
 * `list_changed` notification — and sends requests on behalf of HTTP callers. When the connection
 * drops it reconnects on the next use; a failed connection is retried after a growing delay, and
 * requests meanwhile fail at once with `BACKEND_UNAVAILABLE` (→ HTTP 503 with `Retry-After`).
 *
 * @example
 * ```ts
 * const source = new McpAdapterClient({ connect: () => connect('stdio:', { stdio: { command: 'python', args: ['server.py'] } }) });
 * const result = await source.callTool('echo', { message: 'hi' });
 * ```
 */
export class McpAdapterClient implements AdapterSource {
  readonly #o: AdapterClientOptions;
  readonly #listeners = new Set<(catalog: Catalog) => void>();
  #connection: Connection | undefined;
  #connecting: Promise<Connection> | undefined;
  #catalog: Catalog | undefined;
  #revision = 0;
  #failures = 0;
  #retryAt = 0;
  #lastFailure: Error | undefined;
  #refreshing: Promise<void> = Promise.resolve();
  #closed = false;

  /** @param options - how to connect, timeouts, reconnection, namespaces */
  constructor(options: AdapterClientOptions) {
    this.#o = options;
  }

  get lastCatalog(): Catalog | undefined {
    return this.#catalog;
  }

  /** `true` while connected. */
  get connected(): boolean {
    return this.#connection !== undefined;
  }

  onCatalog(listener: (catalog: Catalog) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async catalog(): Promise<Catalog> {
    await this.#ready();
    return this.#catalog as Catalog;
  }

  callTool(
    name: string,
    args: Record<string, unknown>,
    options: AdapterCallOptions = {},
  ): Promise<CallToolResult> {
    return this.#request(options, (client, requestOptions) =>
      client.callTool({ name, arguments: args }, requestOptions),
    );
  }

  readResource(uri: string, options: AdapterCallOptions = {}): Promise<ReadResourceResult> {
    return this.#request(options, (client, requestOptions) => client.readResource({ uri }, requestOptions));
  }

  getPrompt(
    name: string,
    args: Record<string, string>,
    options: AdapterCallOptions = {},
  ): Promise<GetPromptResult> {
    return this.#request(options, (client, requestOptions) =>
      client.getPrompt({ name, arguments: args }, requestOptions),
    );
  }

  async #request<T>(
    options: AdapterCallOptions,
    send: (client: Client, requestOptions: Parameters<Client['callTool']>[1]) => Promise<T>,
  ): Promise<T> {
    const { client } = await this.#ready();
    try {
      return await withCaller(options.caller, () => send(client, this.#requestOptions(options)));
    } catch (error) {
      // The proxy gave up on this session's backend: a new session (after a delay) gets a new one.
      if (error instanceof ProtocolError && localCodeOf(error.data) === 'BACKEND_UNAVAILABLE') {
        this.#drop(client, error);
      }
      throw error;
    }
  }

  /** Connects now (instead of on first use); failures are reported as events, never thrown. */
  start(): void {
    this.#ready().catch(() => undefined);
  }

  /** Closes the connection; later calls fail with `BACKEND_UNAVAILABLE`. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const connection = this.#connection ?? (await this.#connecting?.catch(() => undefined));
    this.#connection = undefined;
    if (connection) await closeQuietly(connection.client);
  }

  #requestOptions(options: AdapterCallOptions): Parameters<Client['callTool']>[1] {
    const onProgress = options.onProgress;
    return {
      timeout: this.#o.requestTimeoutMs ?? 65_000,
      maxTotalTimeout: this.#o.maxRequestTimeoutMs ?? 605_000,
      resetTimeoutOnProgress: true,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(onProgress
        ? {
            onprogress: (p: { progress: number; total?: number | undefined; message?: string | undefined }) =>
              onProgress({ progress: p.progress, total: p.total, message: p.message }),
          }
        : {}),
    };
  }

  #ready(): Promise<Connection> {
    if (this.#closed) return Promise.reject(unavailable('the adapter is closed', 1000));
    if (this.#connection) return Promise.resolve(this.#connection);
    if (this.#connecting) return this.#connecting;
    const wait = this.#retryAt - Date.now();
    if (wait > 0) {
      const reason = this.#lastFailure?.message ?? 'not connected';
      return Promise.reject(unavailable(reason, wait, this.#lastFailure));
    }
    const connecting = this.#open().then(
      (connection) => {
        this.#connecting = undefined;
        this.#failures = 0;
        this.#lastFailure = undefined;
        return connection;
      },
      (error: unknown) => {
        this.#connecting = undefined;
        const failure = error instanceof Error ? error : new Error(String(error));
        const delay = this.#backoff();
        this.#lastFailure = failure;
        this.#retryAt = Date.now() + delay;
        this.#emit({ type: 'connect-failed', error: failure, retryInMs: delay });
        throw unavailable(failure.message, delay, failure);
      },
    );
    this.#connecting = connecting;
    return connecting;
  }

  #backoff(): number {
    const initial = this.#o.reconnect?.initialDelayMs ?? 500;
    const max = this.#o.reconnect?.maxDelayMs ?? 30_000;
    const exp = Math.min(max, initial * 2 ** Math.min(this.#failures, 16));
    this.#failures++;
    return Math.round(exp / 2 + (Math.random() * exp) / 2);
  }

  async #open(): Promise<Connection> {
    const timeout = this.#o.connectTimeoutMs ?? 30_000;
    const changed = (lists: ListKind[]) => (): void => this.#changed(client, lists);
    const client = new Client(this.#o.clientInfo ?? { name: 'mcp-switchboard-adapter', version: '0.1.0' }, {
      capabilities: {},
      // The whole connect budget: a backend that is still starting (a stdio child) answers late, and
      // on this transport a probe timeout is a failure, not a sign of a 2025-era server.
      versionNegotiation: { mode: 'auto', probe: { timeoutMs: timeout } },
      listChanged: {
        tools: { autoRefresh: false, debounceMs: 50, onChanged: changed(['tools']) },
        prompts: { autoRefresh: false, debounceMs: 50, onChanged: changed(['prompts']) },
        resources: {
          autoRefresh: false,
          debounceMs: 50,
          onChanged: changed(['resources', 'resourceTemplates']),
        },
      },
    });
    client.onerror = (error) => this.#emit({ type: 'error', error });
    const transport = new CallerTaggingTransport(this.#o.connect());
    try {
      await client.connect(transport, { timeout });
      const capabilities = (client.getServerCapabilities() ?? {}) as Record<string, unknown>;
      const listings = await this.#list(client, capabilities, ListKinds);
      const version = client.getNegotiatedProtocolVersion() ?? null;
      const era: ProtocolEra =
        client.getProtocolEra() === 'modern' ? 'stateless' : eraOf(version ?? '2025-03-26');
      const info = client.getServerVersion();
      const catalog = new Catalog(
        ++this.#revision,
        {
          serverInfo: info ? { ...info } : null,
          protocol: { version, era },
          instructions: client.getInstructions() ?? null,
          capabilities,
        },
        { tools: [], resources: [], resourceTemplates: [], prompts: [], ...listings },
        this.#o.namespaces,
      );
      if (this.#closed) throw unavailable('the adapter is closed', 1000);
      const connection: Connection = { client };
      client.onclose = () => this.#lost(client);
      this.#connection = connection;
      this.#publish(catalog);
      this.#emit({ type: 'connected', era, protocolVersion: version, tools: catalog.tools.length });
      return connection;
    } catch (error) {
      await closeQuietly(client);
      throw error;
    }
  }

  async #list(
    client: Client,
    capabilities: Record<string, unknown>,
    kinds: readonly ListKind[],
  ): Promise<Partial<CatalogListings>> {
    const offered = (kind: ListKind): boolean =>
      capabilities[kind === 'resourceTemplates' ? 'resources' : kind] !== undefined;
    const warnings: string[] = [];
    const result: Partial<Record<ListKind, unknown[]>> = {};
    for (const kind of kinds) {
      if (!offered(kind)) {
        result[kind] = [];
        continue;
      }
      const walked = await walkList(client, kind, {
        timeout: this.#o.requestTimeoutMs ?? 65_000,
        maxPages: this.#o.maxPages ?? 100,
        warnings,
      });
      result[kind] = walked.items.flatMap((item) => {
        const parsed = ENTRY_SCHEMAS[kind].safeParse(item);
        if (parsed.success) return [parsed.data];
        warnings.push(`${kind}: skipped an entry that does not match the MCP schema`);
        return [];
      });
    }
    for (const message of warnings) this.#emit({ type: 'warning', message });
    return result as Partial<CatalogListings>;
  }

  #changed(client: Client, lists: ListKind[]): void {
    this.#refreshing = this.#refreshing
      .then(async () => {
        if (this.#connection?.client !== client || this.#catalog === undefined) return;
        const capabilities = this.#catalog.capabilities as Record<string, unknown>;
        const listings = await this.#list(client, capabilities, lists);
        if (this.#connection?.client !== client || this.#catalog === undefined) return;
        this.#publish(this.#catalog.with(++this.#revision, listings));
        this.#emit({ type: 'catalog-changed', revision: this.#revision, lists });
      })
      .catch((error: unknown) =>
        this.#emit({ type: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
      );
  }

  #drop(client: Client, error: Error): void {
    if (this.#connection?.client !== client) return;
    this.#connection = undefined;
    const delay = this.#backoff();
    this.#lastFailure = error;
    this.#retryAt = Date.now() + delay;
    this.#emit({ type: 'connect-failed', error, retryInMs: delay });
    void closeQuietly(client);
  }

  #lost(client: Client): void {
    if (this.#connection?.client !== client) return;
    this.#connection = undefined;
    this.#emit({ type: 'disconnected' });
  }

  #publish(catalog: Catalog): void {
    this.#catalog = catalog;
    for (const listener of this.#listeners) {
      try {
        listener(catalog);
      } catch (error) {
        this.#emit({ type: 'error', error: error instanceof Error ? error : new Error(String(error)) });
      }
    }
  }

  #emit(event: AdapterClientEvent): void {
    try {
      this.#o.onEvent?.(event);
    } catch {
      // A throwing observer must not break the client.
    }
  }
}

function localCodeOf(data: unknown): string | undefined {
  const code = (data as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function unavailable(reason: string, retryAfterMs: number, cause?: unknown): SwitchboardError {
  return new SwitchboardError('BACKEND_UNAVAILABLE', `Backend unavailable: ${reason}`, {
    cause,
    details: { retryAfterMs: Math.max(0, Math.round(retryAfterMs)) },
  });
}
