import type { JSONRPCNotification, RequestId } from '../protocol/messages.js';
import { MetaKey } from '../protocol/versions.js';
import type { LegacySession } from './legacy-session.js';
import type { ClientSink } from './modern-call.js';

/** The `notifications` filter of `subscriptions/listen`. */
export interface ListenFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

interface Listen {
  sink: ClientSink;
  id: RequestId;
  key: string;
  filter: ListenFilter;
  session: LegacySession;
}

/** Most open listens in total, and resource URIs per listen. */
const MAX_LISTENS = 10_000;
const MAX_URIS = 1000;

const LIST_CHANGED: Readonly<Record<string, keyof ListenFilter>> = {
  'notifications/tools/list_changed': 'toolsListChanged',
  'notifications/prompts/list_changed': 'promptsListChanged',
  'notifications/resources/list_changed': 'resourcesListChanged',
};

/**
 * `subscriptions/listen` of 2026-07-28 clients served from 2025-era sessions: the resource URIs of a
 * listen are subscribed (`resources/subscribe`, reference-counted per pool key) on the caller's primary
 * session, and the 2025 server's unsolicited notifications of any of the caller's sessions are delivered
 * to every matching listen, tagged with its subscription id. The acknowledgement reflects what the
 * server can deliver (its `listChanged` and `subscribe` capabilities).
 */
export class ModernListens {
  readonly #listens = new Map<string, Listen[]>();
  readonly #uriRefs = new Map<string, Map<string, number>>();
  #count = 0;

  /**
   * Opens a listen on `session` (the key's primary) and acknowledges it once the server has subscribed
   * its resource URIs.
   *
   * @returns `false` when the bound on open listens is reached (the caller answers with an error)
   */
  async open(
    sink: ClientSink,
    id: RequestId,
    session: LegacySession,
    requested: ListenFilter,
  ): Promise<boolean> {
    if (this.#count >= MAX_LISTENS) return false;
    const caps = (session.initResult?.capabilities ?? {}) as Record<
      string,
      { listChanged?: unknown; subscribe?: unknown }
    >;
    const honored: ListenFilter = {};
    if (requested.toolsListChanged === true && caps.tools?.listChanged === true)
      honored.toolsListChanged = true;
    if (requested.promptsListChanged === true && caps.prompts?.listChanged === true)
      honored.promptsListChanged = true;
    if (requested.resourcesListChanged === true && caps.resources?.listChanged === true) {
      honored.resourcesListChanged = true;
    }
    const uris = Array.isArray(requested.resourceSubscriptions)
      ? requested.resourceSubscriptions.filter((u): u is string => typeof u === 'string').slice(0, MAX_URIS)
      : [];
    if (uris.length > 0 && caps.resources?.subscribe === true) {
      honored.resourceSubscriptions = uris;
      let refs = this.#uriRefs.get(session.key);
      if (refs === undefined) this.#uriRefs.set(session.key, (refs = new Map<string, number>()));
      const subscribed: Promise<unknown>[] = [];
      for (const uri of uris) {
        const n = refs.get(uri) ?? 0;
        refs.set(uri, n + 1);
        if (n === 0) {
          subscribed.push(
            new Promise((settle) => session.request('resources/subscribe', { uri }, { settle })),
          );
        }
      }
      // Acknowledged once the server subscribed: no update sent after the ack can be missed.
      await Promise.all(subscribed);
    }
    const listen: Listen = { sink, id, key: session.key, filter: honored, session };
    let list = this.#listens.get(session.key);
    if (list === undefined) this.#listens.set(session.key, (list = []));
    list.push(listen);
    this.#count++;
    session.listeners++;
    sink.deliver(
      {
        jsonrpc: '2.0',
        method: 'notifications/subscriptions/acknowledged',
        params: { _meta: { [MetaKey.subscriptionId]: id }, notifications: honored },
      },
      id,
    );
    return true;
  }

  /** Closes the listen `id` of `sink`; `graceful` sends the closing result first. */
  close(sink: ClientSink, id: RequestId, graceful = false): boolean {
    for (const [key, list] of this.#listens) {
      const i = list.findIndex((l) => l.sink === sink && l.id === id);
      if (i < 0) continue;
      const [listen] = list.splice(i, 1) as [Listen];
      if (list.length === 0) this.#listens.delete(key);
      this.#release(listen);
      if (graceful) {
        sink.deliver(
          { jsonrpc: '2.0', id, result: { resultType: 'complete', _meta: { [MetaKey.subscriptionId]: id } } },
          id,
        );
      }
      return true;
    }
    return false;
  }

  /** Closes every listen of `sink` (its client session ended). */
  closeAll(sink: ClientSink, graceful = false): void {
    for (const list of [...this.#listens.values()]) {
      for (const listen of list.filter((l) => l.sink === sink)) this.close(sink, listen.id, graceful);
    }
  }

  /** A 2025 notification of a session of `key`: to each matching listen. `true` if any took it. */
  dispatch(key: string, notification: JSONRPCNotification): boolean {
    const list = this.#listens.get(key);
    if (list === undefined) return false;
    const flag = LIST_CHANGED[notification.method];
    const uri = notification.params?.uri;
    let taken = false;
    for (const listen of list) {
      const wanted =
        flag !== undefined
          ? listen.filter[flag] === true
          : notification.method === 'notifications/resources/updated' &&
            typeof uri === 'string' &&
            listen.filter.resourceSubscriptions?.includes(uri) === true;
      if (!wanted) continue;
      taken = true;
      const params = notification.params ?? {};
      listen.sink.deliver(
        {
          ...notification,
          params: { ...params, _meta: { ...params._meta, [MetaKey.subscriptionId]: listen.id } },
        },
        listen.id,
      );
    }
    return taken;
  }

  /** The session behind some listens was lost: they end (the clients re-listen, as after a disconnect). */
  sessionLost(session: LegacySession): void {
    for (const [key, list] of this.#listens) {
      for (const listen of list.filter((l) => l.session === session)) {
        list.splice(list.indexOf(listen), 1);
        this.#count--;
        listen.sink.deliver(
          {
            jsonrpc: '2.0',
            method: 'notifications/cancelled',
            params: { requestId: listen.id, reason: 'the backend session behind this subscription ended' },
          },
          listen.id,
        );
      }
      if (list.length === 0) this.#listens.delete(key);
    }
    this.#uriRefs.delete(session.key);
  }

  #release(listen: Listen): void {
    this.#count--;
    listen.session.listeners = Math.max(0, listen.session.listeners - 1);
    const refs = this.#uriRefs.get(listen.key);
    for (const uri of listen.filter.resourceSubscriptions ?? []) {
      const n = (refs?.get(uri) ?? 1) - 1;
      if (n > 0) {
        refs?.set(uri, n);
        continue;
      }
      refs?.delete(uri);
      if (!listen.session.closed)
        listen.session.request('resources/unsubscribe', { uri }, { settle: () => undefined });
    }
  }
}
