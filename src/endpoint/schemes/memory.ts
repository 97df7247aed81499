import { SwitchboardError } from '../../errors.js';
import type { Listener, ListenerOptions } from '../../listener.js';
import { InMemoryTransport } from '../../transports/in-memory.js';
import { LazyTransport } from '../../transports/lazy.js';
import type { EndpointScheme } from '../scheme.js';

// Named in-process endpoints of this process. Inherent to `memory:` URIs: the name is the address.
const hubs = new Map<string, (server: InMemoryTransport) => void>();

function nameOf(url: URL): string {
  const name = url.pathname || url.host;
  if (!/^[\w.-]+$/.test(name)) {
    throw new SwitchboardError(
      'INVALID_URI',
      'memory: endpoints need a name of [A-Za-z0-9_.-], e.g. memory:demo',
    );
  }
  return name;
}

/** `memory:<name>`: in-process endpoints, for tests and embedding (one linked pair per connection). */
export const memoryScheme: EndpointScheme = {
  name: 'memory',
  example: 'memory:demo',
  connect(url) {
    const name = nameOf(url);
    // The listener is looked up at start(), so a client may be created before the listener exists.
    return new LazyTransport(() => {
      const accept = hubs.get(name);
      if (!accept)
        return Promise.reject(new SwitchboardError('CONNECTION_FAILED', `Nothing listens on memory:${name}`));
      const [client, server] = InMemoryTransport.createLinkedPair();
      accept(server);
      return Promise.resolve(client);
    });
  },
  listen(url, options: ListenerOptions): Promise<Listener> {
    const name = nameOf(url);
    if (hubs.has(name)) {
      return Promise.reject(
        new SwitchboardError('CONNECTION_FAILED', `memory:${name} is already listened on`),
      );
    }
    const open = new Set<InMemoryTransport>();
    let closed = false;
    const accept = (server: InMemoryTransport): void => {
      for (const t of open) if (t.closed) open.delete(t);
      open.add(server);
      options.onConnection(server, {});
    };
    hubs.set(name, accept);
    return Promise.resolve({
      url: `memory:${name}`,
      get connectionCount() {
        let n = 0;
        for (const t of open) if (!t.closed) n++;
        return n;
      },
      async close() {
        if (closed) return;
        closed = true;
        if (hubs.get(name) === accept) hubs.delete(name);
        await Promise.all([...open].map((t) => t.close()));
        open.clear();
      },
    });
  },
};
