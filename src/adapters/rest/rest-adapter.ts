import type { IncomingMessage, ServerResponse } from 'node:http';
import { JsonRpcCode } from '../../protocol/json-rpc-codes.js';
import { generateOpenApi } from '../../schema/openapi.js';
import type { AuthInfo } from '../../transport.js';
import { KeepAliveTicker } from '../../transports/http/server/keep-alive.js';
import {
  DEFAULT_KEEP_ALIVE_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_SSE_BUFFERED_BYTES,
  DEFAULT_SSE_DRAIN_TIMEOUT_MS,
  type HttpMount,
  type MountContext,
} from '../../transports/http/server/options.js';
import type { AdapterSource } from '../adapter-client.js';
import { ArgumentValidator } from '../argument-validator.js';
import { httpCaller } from '../caller.js';
import type { Catalog, ListFilter, ListingKind } from '../catalog.js';
import type { BinaryContentMode } from '../content-mapping.js';
import { mapError } from '../error-status.js';
import { sendError, sendJson, sendMapped } from '../http-io.js';
import { handlePrompt, handleReadResource, handleReadTemplate, type ReadContext } from './rest-reads.js';
import { serveSwaggerUi } from './swagger-ui.js';
import { handleToolCall, type ToolCallContext } from './tool-call.js';

/** Options of {@link RestAdapter}. */
export interface RestAdapterOptions {
  /** How image and audio content appears in answers (default `data-uri`). */
  binaryContent?: BinaryContentMode | undefined;
  /** HTTP status of a tool result with `isError: true` (default 422; 200 answers it like a success). */
  toolErrorStatus?: number | undefined;
  /** Largest request body in bytes (default 32 MiB; larger → 413). */
  maxBodyBytes?: number | undefined;
  /** Serve Swagger UI at `/docs` (default true). */
  docs?: boolean | undefined;
  /** The security schemes to announce in the OpenAPI document (and Swagger UI's Authorize dialog). */
  auth?: { bearer?: boolean | undefined; apiKeyHeader?: string | undefined } | undefined;
  /** Filters the listing answers (`GET /tools`, …) for a caller, e.g. by the authorization policy. */
  filterList?: ListFilter | undefined;
  /** SSE keep-alive comment interval for streamed calls, in ms (default 15 000). */
  keepAliveMs?: number | undefined;
  /** Told about tool schemas that cannot be enforced, and other non-fatal problems. */
  onWarning?: ((message: string) => void) | undefined;
}

const LIST_KEYS: Record<ListingKind, string> = {
  tools: 'tools',
  resources: 'resources',
  resourceTemplates: 'resourceTemplates',
  prompts: 'prompts',
};

function segments(subpath: string): string[] | undefined {
  try {
    return subpath
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
  } catch {
    return undefined; // malformed percent-encoding
  }
}

/**
 * The REST adapter: any MCP server (or a gateway's merged catalog) as a typed REST API, mountable on
 * an HTTP listener (`http.mounts`). Routes (below the mount path):
 *
 * - `GET /openapi.json` — OpenAPI 3.1 of the live catalog, regenerated when a `list_changed` changes it;
 * - `GET /docs` — Swagger UI (from `swagger-ui-dist`), "Try it out" calls this adapter;
 * - `POST /tools/{name}` — call a tool with its arguments as the JSON body (ajv-validated: 422);
 *   mcpo-compatible aliases `POST /{name}` and, with namespaces, `POST /{server}/{tool}`;
 * - `GET /tools`, `GET /resources`, `GET /resources/read?uri=`, `GET /resources/templates`,
 *   `GET /resources/templates/{name}?<variables>`, `GET /prompts`, `POST /prompts/{name}`.
 *
 * Status codes and bodies: docs/adapters.md.
 *
 * @example
 * ```ts
 * const rest = new RestAdapter(new McpAdapterClient({ connect }));
 * await listenHttp(new URL('http://127.0.0.1:4000/'), { onConnection: () => {}, http: { mcp: false, mounts: [{ path: '/', handle: rest.handle }] } });
 * ```
 */
export class RestAdapter implements HttpMount {
  readonly path = '/';
  readonly #source: AdapterSource;
  readonly #o: RestAdapterOptions;
  readonly #ticker: KeepAliveTicker;
  #docs = new Map<string, { revision: number; text: string }>();
  #validator: { revision: number; validator: ArgumentValidator } | undefined;

  /**
   * @param source - the MCP side (an {@link McpAdapterClient})
   * @param options - content mapping, tool error status, limits, docs, auth schemes, list filter
   */
  constructor(source: AdapterSource, options: RestAdapterOptions = {}) {
    this.#source = source;
    this.#o = options;
    this.#ticker = new KeepAliveTicker(options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS);
  }

  /** Stops the keep-alive timer. */
  close(): void {
    this.#ticker.close();
  }

  /** The mount handler (bound: pass it around freely). */
  readonly handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    context: MountContext,
  ): Promise<void> => {
    const parts = segments(context.subpath);
    if (parts === undefined) {
      sendError(res, 400, {
        code: JsonRpcCode.InvalidRequest,
        message: 'Malformed percent-encoding in the path',
      });
      return;
    }
    const method = req.method ?? 'GET';
    const [first, second, third] = parts;
    // Swagger UI and the document are served even while the backend is away (from the last catalog).
    if (first === 'docs' && (method === 'GET' || method === 'HEAD') && this.#o.docs !== false) {
      const rest = context.subpath.slice(context.subpath.indexOf('docs') + 4);
      const title = this.#source.lastCatalog?.serverInfo?.name ?? 'MCP server';
      if (!(await serveSwaggerUi(req, res, rest, context.basePath, title))) this.#notFound(res);
      return;
    }
    let catalog: Catalog;
    try {
      catalog = await this.#source.catalog();
    } catch (error) {
      const stale = this.#source.lastCatalog;
      if (first === 'openapi.json' && parts.length === 1 && method === 'GET' && stale !== undefined) {
        this.#sendDocument(res, stale, context.basePath);
      } else sendMapped(res, mapError(error));
      return;
    }
    const caller = httpCaller(context.authInfo, req.socket.remoteAddress);
    const query = new URL(req.url ?? '/', 'http://adapter').searchParams;
    const read: ReadContext = { source: this.#source, caller, maxBodyBytes: this.#maxBody };

    if (method === 'GET' || method === 'HEAD') {
      if (parts.length === 0) {
        sendJson(res, 200, { openapi: `${context.basePath}/openapi.json`, docs: `${context.basePath}/docs` });
      } else if (first === 'openapi.json' && parts.length === 1)
        this.#sendDocument(res, catalog, context.basePath);
      else if (parts.length === 1 && (first === 'tools' || first === 'resources' || first === 'prompts')) {
        this.#sendList(res, first, catalog, caller);
      } else if (first === 'resources' && second === 'read' && parts.length === 2) {
        await handleReadResource(res, query, read);
      } else if (first === 'resources' && second === 'templates' && parts.length === 2) {
        this.#sendList(res, 'resourceTemplates', catalog, caller);
      } else if (
        first === 'resources' &&
        second === 'templates' &&
        third !== undefined &&
        parts.length === 3
      ) {
        const template = catalog.resourceTemplate(third);
        if (template === undefined) this.#notFound(res, `No resource template "${third}"`);
        else await handleReadTemplate(res, template, query, read);
      } else this.#methodOrNotFound(res, parts, catalog, 'POST');
      return;
    }
    if (method !== 'POST') {
      this.#methodOrNotFound(res, parts, catalog, 'GET');
      return;
    }
    if (first === 'prompts' && second !== undefined && parts.length === 2) {
      const prompt = catalog.prompt(second);
      if (prompt === undefined) this.#notFound(res, `No prompt "${second}"`);
      else await handlePrompt(req, res, prompt, read);
      return;
    }
    // `/tools/{name}`, then the aliases `/{name}` and `/{server}/{tool}`.
    const tool =
      first === 'tools' && parts.length === 2 && second !== undefined
        ? catalog.tool(second)
        : parts.length === 1 && first !== undefined
          ? catalog.tool(first)
          : parts.length === 2 && first !== undefined && second !== undefined
            ? catalog.namespacedTool(first, second)
            : undefined;
    if (tool === undefined) {
      const name = first === 'tools' ? second : parts.join('/');
      this.#notFound(
        res,
        name === undefined ? 'Not found' : `Unknown tool "${name}"`,
        JsonRpcCode.InvalidParams,
      );
      return;
    }
    await handleToolCall(req, res, tool, this.#toolContext(catalog, caller));
  };

  get #maxBody(): number {
    return this.#o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  #toolContext(catalog: Catalog, caller: AuthInfo | undefined): ToolCallContext {
    if (this.#validator?.revision !== catalog.revision) {
      const validator = new ArgumentValidator((tool, error) =>
        this.#o.onWarning?.(`tool "${tool}": input schema not enforced (${error.message})`),
      );
      this.#validator = { revision: catalog.revision, validator };
    }
    return {
      source: this.#source,
      validator: this.#validator.validator,
      caller,
      binaryContent: this.#o.binaryContent ?? 'data-uri',
      toolErrorStatus: this.#o.toolErrorStatus ?? 422,
      maxBodyBytes: this.#maxBody,
      sse: {
        maxBufferedBytes: DEFAULT_MAX_SSE_BUFFERED_BYTES,
        drainTimeoutMs: DEFAULT_SSE_DRAIN_TIMEOUT_MS,
        ticker: this.#ticker,
      },
    };
  }

  #sendDocument(res: ServerResponse, catalog: Catalog, basePath: string): void {
    let cached = this.#docs.get(basePath);
    if (cached?.revision !== catalog.revision) {
      if (cached !== undefined && this.#docs.size > 16) this.#docs.clear();
      const doc = generateOpenApi(catalog, {
        withExamples: true,
        baseUrl: basePath === '' ? '/' : basePath,
        adapter: {
          binaryContent: this.#o.binaryContent,
          toolErrorStatus: this.#o.toolErrorStatus,
          auth: this.#o.auth,
          namespaces: catalog.namespaces,
        },
      });
      cached = { revision: catalog.revision, text: JSON.stringify(doc) };
      this.#docs.set(basePath, cached);
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(cached.text),
    });
    res.end(cached.text);
  }

  #sendList(res: ServerResponse, kind: ListingKind, catalog: Catalog, caller: AuthInfo | undefined): void {
    const items: readonly unknown[] = catalog[kind];
    const filtered = this.#o.filterList ? this.#o.filterList(kind, items, caller) : items;
    sendJson(res, 200, { [LIST_KEYS[kind]]: filtered });
  }

  #notFound(res: ServerResponse, message = 'Not found', code: number = JsonRpcCode.MethodNotFound): void {
    sendError(res, 404, { code, message });
  }

  // A path that exists for another method gets 405 with `Allow`; anything else 404.
  #methodOrNotFound(res: ServerResponse, parts: string[], catalog: Catalog, other: 'GET' | 'POST'): void {
    const [first, second] = parts;
    const exists =
      other === 'POST'
        ? (first === 'tools' && second !== undefined && catalog.tool(second) !== undefined) ||
          (first === 'prompts' && second !== undefined && catalog.prompt(second) !== undefined) ||
          (parts.length === 1 && first !== undefined && catalog.tool(first) !== undefined)
        : parts.length <= 3 &&
          ['openapi.json', 'tools', 'resources', 'prompts', 'docs'].includes(first ?? '');
    if (exists) {
      res.writeHead(405, { allow: other === 'POST' ? 'POST' : 'GET, HEAD' });
      res.end();
    } else this.#notFound(res);
  }
}
