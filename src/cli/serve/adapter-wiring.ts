import type { Logger } from 'pino';
import { McpAdapterClient, type AdapterClientEvent } from '../../adapters/adapter-client.js';
import type { CatalogNamespaces } from '../../adapters/catalog.js';
import { GraphqlAdapter } from '../../adapters/graphql/graphql-adapter.js';
import { RestAdapter } from '../../adapters/rest/rest-adapter.js';
import type { ServeConfig } from '../../config/serve-config.js';
import type { ConnectionInfo } from '../../listener.js';
import type { Transport } from '../../transport.js';
import { InMemoryTransport } from '../../transports/in-memory.js';
import type { HttpMount } from '../../transports/http/server/options.js';
import { packageVersion } from '../version.js';
import type { SecurityWiring } from './security-wiring.js';

/** What `runServe` mounts on its HTTP frontends for the REST and GraphQL adapters. */
export interface AdapterWiring {
  /** The adapters, for `http.mounts` of every HTTP listener. */
  readonly mounts: readonly HttpMount[];
  /** Connects now, so the first request finds the catalog (failures are logged, then retried on use). */
  start(): void;
  /** Closes the adapters' MCP session. */
  close(): Promise<void>;
}

/** The frontend URI the adapters' session is accepted under (for security and middleware wiring). */
export const ADAPTER_FRONTEND = 'adapter:';

let sessionCounter = 0;

function logEvent(log: Logger, event: AdapterClientEvent): void {
  switch (event.type) {
    case 'connected':
      log.info(
        { era: event.era, protocolVersion: event.protocolVersion, tools: event.tools },
        'adapters connected',
      );
      return;
    case 'disconnected':
      log.info('adapters disconnected (reconnecting on the next request)');
      return;
    case 'connect-failed':
      log.warn({ err: event.error.message, retryInMs: event.retryInMs }, 'adapters cannot reach the backend');
      return;
    case 'catalog-changed':
      log.info({ revision: event.revision, lists: event.lists }, 'adapters: catalog changed');
      return;
    case 'warning':
      log.warn({ warning: event.message }, 'adapters');
      return;
    case 'error':
      log.debug({ err: event.error.message }, 'adapters: client error');
      return;
  }
}

/**
 * Builds the REST and GraphQL adapters of a serve configuration, or `undefined` when none is on.
 * Both share one MCP client session, opened through `accept` — the proxy's own session entry with
 * the security (policy and rate limits per caller) and middleware (metrics, tap, logs) of every
 * frontend — over an in-memory pair.
 *
 * @param accept - the proxy's `accept`, wrapped for {@link ADAPTER_FRONTEND}
 * @param security - list filtering and the announced auth schemes
 * @param namespaces - namespaced tool names, when the backend is a gateway
 */
export function createAdapterWiring(
  config: ServeConfig,
  log: Logger,
  parts: {
    accept: (transport: Transport, info: ConnectionInfo) => void;
    security: Pick<SecurityWiring, 'filterList' | 'authSchemes'>;
    namespaces?: CatalogNamespaces | undefined;
  },
): AdapterWiring | undefined {
  const { rest, graphql } = config.adapters;
  if (rest === undefined && graphql === undefined) return undefined;
  const adapterLog = log.child({ component: 'adapters' });
  const source = new McpAdapterClient({
    connect: () => {
      const [client, server] = InMemoryTransport.createLinkedPair();
      // `era: native`: the adapters negotiate the backend's own era; the era bridge leaves them alone.
      parts.accept(server, { sessionId: `adapter-${++sessionCounter}`, era: 'native' } as ConnectionInfo);
      return client;
    },
    clientInfo: { name: 'mcp-switchboard-adapter', version: packageVersion() },
    // A little above the proxy's deadlines: the proxy answers first, with its own error (-32001 → 504).
    requestTimeoutMs: config.requestTimeout + 5_000,
    maxRequestTimeoutMs: config.maxRequestTimeout + 5_000,
    namespaces: parts.namespaces,
    onEvent: (event) => logEvent(adapterLog, event),
  });
  const onWarning = (message: string): void => adapterLog.warn({ warning: message }, 'adapters');
  const filterList = parts.security.filterList.bind(parts.security);
  const mounts: HttpMount[] = [];
  let restAdapter: RestAdapter | undefined;
  if (rest !== undefined) {
    restAdapter = new RestAdapter(source, {
      binaryContent: rest.binaryContent,
      toolErrorStatus: rest.toolErrorStatus,
      docs: rest.docs,
      maxBodyBytes: config.maxMessageBytes,
      auth: parts.security.authSchemes,
      filterList,
      onWarning,
    });
    mounts.push({ path: rest.path, handle: restAdapter.handle });
  }
  if (graphql !== undefined) {
    const graphqlAdapter = new GraphqlAdapter(source, {
      maxDepth: graphql.maxDepth,
      maxComplexity: graphql.maxComplexity,
      graphiql: graphql.graphiql,
      maxBodyBytes: config.maxMessageBytes,
      filterList,
      onWarning,
    });
    mounts.push({ path: graphql.path, handle: graphqlAdapter.handle });
  }
  return {
    mounts,
    start: () => source.start(),
    close: async () => {
      restAdapter?.close();
      await source.close();
    },
  };
}
