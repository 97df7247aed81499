import { SwitchboardError } from '../errors.js';
import type { JSONRPCNotification, MessageParams } from '../protocol/messages.js';
import { MetaKey } from '../protocol/versions.js';
import type { TransportSendOptions } from '../transport.js';
import { withEnvelope, type EnvelopeMaterial } from './era-meta.js';

/** What the listen mapper needs from its stage. */
export interface ListenLink {
  /** Sends to the 2026-07-28 backend. */
  send(
    message: JSONRPCNotification | { jsonrpc: '2.0'; id: string; method: string; params: MessageParams },
    options?: TransportSendOptions,
  ): Promise<void>;
  /** Whether closing a request's stream cancels it (HTTP): listens then carry an abort signal. */
  readonly perRequestStream: boolean;
  /** The envelope of the 2025 client (set by `initialize`). */
  envelope(): EnvelopeMaterial;
  /** Hands a change notification (subscription id removed) to the 2025 client. */
  deliver(notification: JSONRPCNotification): void;
}

/** Which unsolicited notifications the 2025 client would get on its GET stream, by server capability. */
export interface ListChangedFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
}

interface Listen {
  id: string;
  abort: AbortController | undefined;
  acked: (() => void) | undefined;
  failed: ((error: Error) => void) | undefined;
}

/** How long the backend may take to acknowledge a `subscriptions/listen` (ms). */
const ACK_TIMEOUT_MS = 30_000;
/** Most resource URIs one 2025 session may subscribe to through the bridge. */
const MAX_URIS = 1000;

let listenCounter = 0;

/**
 * Maps the 2025 era's unsolicited notifications onto 2026-07-28 `subscriptions/listen` for one backend
 * connection: the GET stream's list-changed notifications become the listen filter's `*ListChanged`
 * flags, and `resources/subscribe` / `unsubscribe` change its `resourceSubscriptions`. A changed filter
 * opens a new listen; once the backend acknowledges it, the previous one is cancelled (stream closed on
 * HTTP, `notifications/cancelled` elsewhere), so no update is lost in between and none is delivered twice.
 */
export class LegacyListen {
  readonly #link: ListenLink;
  readonly #uris = new Set<string>();
  #base: ListChangedFilter = {};
  #live: Listen | undefined;
  #opening: Listen | undefined;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  /** @param link - the stage's side of the connection */
  constructor(link: ListenLink) {
    this.#link = link;
  }

  /** Sets the list-changed part of the filter (from the server's capabilities) and opens the listen. */
  start(base: ListChangedFilter): Promise<void> {
    this.#base = base;
    if (!base.toolsListChanged && !base.promptsListChanged && !base.resourcesListChanged) {
      return Promise.resolve();
    }
    return this.#reopen();
  }

  /** Adds a resource URI (2025 `resources/subscribe`); resolves once the backend listens for it. */
  subscribe(uri: string): Promise<void> {
    if (this.#uris.has(uri)) return Promise.resolve();
    if (this.#uris.size >= MAX_URIS) {
      return Promise.reject(
        new SwitchboardError('BACKEND_UNAVAILABLE', `At most ${MAX_URIS} resource subscriptions per session`),
      );
    }
    this.#uris.add(uri);
    return this.#reopen();
  }

  /** Removes a resource URI (2025 `resources/unsubscribe`). */
  unsubscribe(uri: string): Promise<void> {
    if (!this.#uris.delete(uri)) return Promise.resolve();
    return this.#reopen();
  }

  /**
   * Takes a backend notification that carries a subscription id. Returns `false` when the id is not one
   * of this mapper's listens (the notification belongs to a 2026-07-28 client on the same connection).
   */
  receive(notification: JSONRPCNotification, subscriptionId: unknown): boolean {
    const live = this.#live;
    const opening = this.#opening;
    if (notification.method === 'notifications/subscriptions/acknowledged') {
      if (opening !== undefined && opening.id === subscriptionId) {
        opening.acked?.();
        return true;
      }
      return live?.id === subscriptionId;
    }
    if (live?.id === subscriptionId) {
      this.#link.deliver(withoutSubscriptionId(notification));
      return true;
    }
    return opening?.id === subscriptionId;
  }

  /** The backend ended a listen (its response, or `notifications/cancelled`); `false` if not ours. */
  ended(id: unknown): boolean {
    const opening = this.#opening;
    if (opening !== undefined && opening.id === id) {
      opening.failed?.(
        new SwitchboardError('BACKEND_UNAVAILABLE', 'The backend refused subscriptions/listen'),
      );
      return true;
    }
    if (this.#live?.id !== id) return false;
    this.#live = undefined;
    // The server ended it on its own (e.g. shutting down): listen again, once, if anything is wanted.
    if (!this.#closed) void this.#reopen().catch(() => undefined);
    return true;
  }

  /** Cancels every listen (the session is closing). */
  close(): void {
    this.#closed = true;
    for (const l of [this.#live, this.#opening]) if (l) this.#cancel(l);
    this.#live = undefined;
    this.#opening = undefined;
  }

  #filter(): Record<string, unknown> {
    const f: Record<string, unknown> = {};
    if (this.#base.toolsListChanged) f.toolsListChanged = true;
    if (this.#base.promptsListChanged) f.promptsListChanged = true;
    if (this.#base.resourcesListChanged) f.resourcesListChanged = true;
    if (this.#uris.size > 0) f.resourceSubscriptions = [...this.#uris];
    return f;
  }

  /** Serialised: each reopen waits for the previous one, so filters apply in order. */
  #reopen(): Promise<void> {
    const next = this.#chain.then(() => this.#open());
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async #open(): Promise<void> {
    if (this.#closed) return;
    const filter = this.#filter();
    const previous = this.#live;
    if (Object.keys(filter).length === 0) {
      this.#live = undefined;
      if (previous) this.#cancel(previous);
      return;
    }
    const listen: Listen = {
      id: `switchboard-listen-${++listenCounter}`,
      abort: this.#link.perRequestStream ? new AbortController() : undefined,
      acked: undefined,
      failed: undefined,
    };
    this.#opening = listen;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        listen.acked = resolve;
        listen.failed = reject;
        timer = setTimeout(
          () =>
            reject(
              new SwitchboardError(
                'UPSTREAM_TIMEOUT',
                'The backend did not acknowledge subscriptions/listen',
              ),
            ),
          ACK_TIMEOUT_MS,
        );
        this.#link
          .send(
            {
              jsonrpc: '2.0',
              id: listen.id,
              method: 'subscriptions/listen',
              // No logLevel: log messages never travel on a listen stream (2026-07-28 logging).
              params: withEnvelope(
                { notifications: filter },
                { ...this.#link.envelope(), logLevel: undefined },
              ),
            },
            listen.abort ? { requestSignal: listen.abort.signal } : undefined,
          )
          .catch(reject);
      });
    } catch (error) {
      if (this.#opening === listen) this.#opening = undefined;
      this.#cancel(listen);
      throw error;
    } finally {
      clearTimeout(timer);
    }
    if (this.#opening === listen) this.#opening = undefined;
    if (this.#closed) {
      this.#cancel(listen);
      return;
    }
    this.#live = listen;
    if (previous) this.#cancel(previous);
  }

  #cancel(listen: Listen): void {
    listen.abort?.abort();
    this.#link
      .send({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: withEnvelope(
          { requestId: listen.id, reason: 'subscription replaced' },
          this.#link.envelope(),
        ),
      })
      .catch(() => undefined);
  }
}

function withoutSubscriptionId(notification: JSONRPCNotification): JSONRPCNotification {
  const params = notification.params;
  const meta = params?._meta;
  if (params === undefined || meta === undefined) return notification;
  const rest = { ...meta };
  delete rest[MetaKey.subscriptionId];
  const out = { ...params };
  if (Object.keys(rest).length > 0) out._meta = rest;
  else delete out._meta;
  return { ...notification, params: out };
}
