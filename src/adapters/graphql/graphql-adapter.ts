import type { GraphQLSchema } from 'graphql';
import {
  createHandler,
  type Request as GraphqlHttpRequest,
  type Response as GraphqlHttpResponse,
} from 'graphql-http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SwitchboardError } from '../../errors.js';
import { readBody } from '../../transports/http/server/body-reader.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  type HttpMount,
  type MountContext,
} from '../../transports/http/server/options.js';
import type { AdapterSource } from '../adapter-client.js';
import { httpCaller } from '../caller.js';
import type { Catalog, ListFilter } from '../catalog.js';
import { mapError } from '../error-status.js';
import { disconnectSignal, sendJson } from '../http-io.js';
import { buildAdapterSchema, type GraphqlContext } from './adapter-schema.js';
import { DocumentCache } from './document-cache.js';
import { sendGraphiql, serveGraphiqlAsset } from './graphiql.js';
import { complexityLimit, depthLimit } from './query-limits.js';

/** Options of {@link GraphqlAdapter}. */
export interface GraphqlAdapterOptions {
  /** Deepest field nesting of an operation (default 12; introspection fields not counted). */
  maxDepth?: number | undefined;
  /** Most complexity points of an operation: one per selected field (default 1000). */
  maxComplexity?: number | undefined;
  /** Largest request body in bytes (default 32 MiB; larger → 413). */
  maxBodyBytes?: number | undefined;
  /** Serve GraphiQL at `GET` of the endpoint for browsers (default true). */
  graphiql?: boolean | undefined;
  /** Filters the listing fields (`tools`, …) for a caller, e.g. by the authorization policy. */
  filterList?: ListFilter | undefined;
  /** Told about non-fatal problems (tool schemas that cannot be enforced). */
  onWarning?: ((message: string) => void) | undefined;
}

interface RequestContext {
  graphql: GraphqlContext;
}

type HttpRequest = GraphqlHttpRequest<IncomingMessage, RequestContext>;

const tooLarge = Symbol('too large');

/**
 * The GraphQL adapter: `POST` (and `GET` for queries) GraphQL over HTTP at the mount path, served by
 * `graphql-http` with a schema built from the live catalog and rebuilt when it changes
 * (see {@link buildAdapterSchema}); depth and complexity limits; GraphiQL for browsers at `GET`.
 *
 * @example
 * ```ts
 * const graphql = new GraphqlAdapter(new McpAdapterClient({ connect }));
 * await listenHttp(url, { onConnection: () => {}, http: { mcp: false, mounts: [{ path: '/graphql', handle: graphql.handle }] } });
 * ```
 */
export class GraphqlAdapter implements HttpMount {
  readonly path = '/graphql';
  readonly #source: AdapterSource;
  readonly #o: GraphqlAdapterOptions;
  readonly #handler: (req: HttpRequest) => Promise<GraphqlHttpResponse>;
  #schema: { revision: number; schema: GraphQLSchema } | undefined;

  /**
   * @param source - the MCP side (an {@link McpAdapterClient})
   * @param options - limits, GraphiQL, list filter
   */
  constructor(source: AdapterSource, options: GraphqlAdapterOptions = {}) {
    this.#source = source;
    this.#o = options;
    const documents = new DocumentCache();
    this.#handler = createHandler<IncomingMessage, RequestContext, GraphqlContext>({
      schema: () => this.#currentSchema(),
      parse: documents.parse,
      validate: documents.validate,
      context: (req) => req.context.graphql,
      validationRules: (_req, args, specifiedRules) => [
        ...specifiedRules,
        depthLimit(options.maxDepth ?? 12),
        complexityLimit(options.maxComplexity ?? 1000, args.variableValues ?? {}),
      ],
    });
  }

  /** The mount handler (bound: pass it around freely). */
  readonly handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    context: MountContext,
  ): Promise<void> => {
    const endpoint = context.basePath === '' ? '/' : context.basePath;
    const method = req.method ?? 'GET';
    if (context.subpath.startsWith('/graphiql/') && (method === 'GET' || method === 'HEAD')) {
      if (!(await serveGraphiqlAsset(context.subpath.slice('/graphiql/'.length), req, res))) {
        sendJson(res, 404, { errors: [{ message: 'Not found' }] });
      }
      return;
    }
    if (context.subpath !== '/') {
      sendJson(res, 404, { errors: [{ message: 'Not found' }] });
      return;
    }
    if (method === 'GET' && this.#o.graphiql !== false && wantsPage(req)) {
      sendGraphiql(res, endpoint);
      return;
    }
    const signal = disconnectSignal(res);
    let body: string | null | typeof tooLarge = null;
    if (method === 'POST') {
      try {
        body = (await readBody(req, this.#o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)).toString('utf8');
      } catch (error) {
        if (error instanceof SwitchboardError && error.code === 'FRAME_TOO_LARGE') body = tooLarge;
        else {
          res.destroy();
          return;
        }
      }
    }
    if (body === tooLarge) {
      sendJson(res, 413, { errors: [{ message: 'Request body too large' }] }, { connection: 'close' });
      return;
    }
    let answer: GraphqlHttpResponse;
    try {
      answer = await this.#handler({
        method,
        url: req.url ?? '/',
        headers: req.headers,
        body,
        raw: req,
        context: { graphql: { caller: httpCaller(context.authInfo, req.socket.remoteAddress), signal } },
      });
    } catch (error) {
      // graphql-http answers every GraphQL problem itself; a throw here is a bug worth reporting.
      this.#o.onWarning?.(
        `GraphQL handler failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      answer = [
        JSON.stringify({ errors: [{ message: 'Internal error' }] }),
        { status: 500, statusText: 'Internal Server Error', headers: { 'content-type': 'application/json' } },
      ];
    }
    const [text, init] = answer;
    if (signal.aborted) return;
    res.writeHead(init.status, init.statusText, init.headers);
    res.end(text ?? undefined);
  };

  async #currentSchema(): Promise<GraphQLSchema | GraphqlHttpResponse> {
    let catalog: Catalog;
    try {
      catalog = await this.#source.catalog();
    } catch (error) {
      const mapped = mapError(error);
      const body = JSON.stringify({
        errors: [
          {
            message: mapped.error.message,
            extensions: { code: 'BACKEND_UNAVAILABLE', status: mapped.status },
          },
        ],
      });
      return [
        body,
        {
          status: mapped.status,
          statusText: 'Service Unavailable',
          headers: { 'content-type': 'application/json', ...mapped.headers },
        },
      ];
    }
    if (this.#schema?.revision !== catalog.revision) {
      this.#schema = {
        revision: catalog.revision,
        schema: buildAdapterSchema(catalog, {
          source: this.#source,
          filterList: this.#o.filterList,
          onWarning: this.#o.onWarning,
        }),
      };
    }
    return this.#schema.schema;
  }
}

// A browser navigating to the endpoint (not a GraphQL client, not a GET query).
function wantsPage(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('text/html') && !new URL(req.url ?? '/', 'http://x').searchParams.has('query');
}
