import { UriTemplate } from '@modelcontextprotocol/client';
import {
  buildSchema,
  GraphQLError,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { generateGraphql } from '../../schema/graphql.js';
import type { AuthInfo } from '../../transport.js';
import type { AdapterSource } from '../adapter-client.js';
import { ArgumentValidator } from '../argument-validator.js';
import type { Catalog, ListFilter, ListingKind } from '../catalog.js';
import { mapError } from '../error-status.js';
import { directiveArgument, NameCodec } from './name-codec.js';

/** The context of one GraphQL operation. */
export type GraphqlContext = {
  /** Who is calling (authorization policy and rate limits apply to this caller). */
  caller: AuthInfo | undefined;
  /** Fires when the HTTP client goes away: running MCP calls are cancelled. */
  signal: AbortSignal;
};

/** What the resolvers need besides the catalog. */
export interface AdapterSchemaOptions {
  source: AdapterSource;
  filterList?: ListFilter | undefined;
  onWarning?: ((message: string) => void) | undefined;
}

type Resolver = GraphQLFieldResolver<unknown, GraphqlContext, Record<string, unknown>>;

/**
 * The GraphQL error of a failed MCP call: the message, and in `extensions` the `code` (`MCP_ERROR` for
 * a JSON-RPC error, else the local code such as `BACKEND_UNAVAILABLE`), the HTTP `status` the REST
 * adapter would answer, `mcp: { code, data }` for JSON-RPC errors and `retryAfter` (seconds) when
 * retrying later makes sense.
 *
 * @param error - what the call threw
 */
export function toGraphqlError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const { status, headers, error: body } = mapError(error);
  const local = (body.data as { code?: unknown } | undefined)?.code;
  const retryAfter = headers['retry-after'];
  return new GraphQLError(body.message, {
    extensions: {
      code: body.code !== undefined ? 'MCP_ERROR' : typeof local === 'string' ? local : 'INTERNAL',
      status,
      ...(body.code !== undefined
        ? { mcp: { code: body.code, ...(body.data !== undefined ? { data: body.data } : {}) } }
        : {}),
      ...(retryAfter !== undefined ? { retryAfter: Number(retryAfter) } : {}),
    },
  });
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toGraphqlError(error);
  }
}

/**
 * Builds the executable schema of one catalog revision: the SDL of the `schema graphql` generator
 * (every tool a `Mutation` field, listings on `Query`), with resolvers found through its `@mcpTool`,
 * `@mcpResource`, `@mcpResourceTemplate` and `@mcpPrompt` directives and names mapped back through
 * `@mcpName`. Tool arguments are also checked against the tool's JSON Schema (ajv), for the parts the
 * GraphQL types cannot express (the `JSON` scalar, formats, bounds).
 *
 * @param catalog - the catalog revision
 * @param options - the MCP side, list filter, warnings
 */
export function buildAdapterSchema(catalog: Catalog, options: AdapterSchemaOptions): GraphQLSchema {
  const schema = buildSchema(generateGraphql(catalog, { toolsAsMutations: true, listings: true }));
  const codec = new NameCodec();
  const validator = new ArgumentValidator((tool, error) =>
    options.onWarning?.(`tool "${tool}": input schema not enforced (${error.message})`),
  );
  const { source } = options;
  const listing =
    (kind: ListingKind): Resolver =>
    (_source, _args, ctx) =>
      options.filterList ? options.filterList(kind, catalog[kind], ctx.caller) : catalog[kind];

  const resolverOf = (field: GraphQLField<unknown, GraphqlContext>): Resolver | undefined => {
    const directives = field.astNode?.directives;
    const tool = directiveArgument(directives, 'mcpTool', 'name');
    if (tool !== undefined) {
      return (_source, args, ctx) =>
        guarded(async () => {
          const mcpArgs = codec.argumentsToMcp(field.args, args);
          const entry = catalog.tool(tool);
          const issues = entry === undefined ? undefined : validator.check(entry, mcpArgs);
          if (issues !== undefined) {
            throw new GraphQLError(`Invalid arguments for tool "${tool}"`, {
              extensions: { code: 'MCP_ERROR', status: 422, mcp: { code: -32602, data: { errors: issues } } },
            });
          }
          const result = await source.callTool(tool, mcpArgs, { caller: ctx.caller, signal: ctx.signal });
          return codec.outputFromMcp(result, field.type);
        });
    }
    const uri = directiveArgument(directives, 'mcpResource', 'uri');
    const read = async (target: string, ctx: GraphqlContext): Promise<unknown> =>
      codec.outputFromMcp(
        await source.readResource(target, { caller: ctx.caller, signal: ctx.signal }),
        field.type,
      );
    if (uri !== undefined) return (_source, _args, ctx) => guarded(() => read(uri, ctx));
    const template = directiveArgument(directives, 'mcpResourceTemplate', 'uriTemplate');
    if (template !== undefined) {
      return (_source, args, ctx) =>
        guarded(() => {
          const variables = codec.argumentsToMcp(field.args, args) as Record<string, string>;
          return read(new UriTemplate(template).expand(variables), ctx);
        });
    }
    const prompt = directiveArgument(directives, 'mcpPrompt', 'name');
    if (prompt !== undefined) {
      return (_source, args, ctx) =>
        guarded(async () => {
          const promptArgs = codec.argumentsToMcp(field.args, args) as Record<string, string>;
          const result = await source.getPrompt(prompt, promptArgs, {
            caller: ctx.caller,
            signal: ctx.signal,
          });
          return codec.outputFromMcp(result, field.type);
        });
    }
    switch (field.name) {
      case 'serverInfo':
        return () => ({
          name: catalog.serverInfo?.name ?? 'unknown',
          version: catalog.serverInfo?.version ?? '',
          title: catalog.serverInfo?.title,
          protocolVersion: catalog.protocol.version,
          instructions: catalog.instructions,
        });
      case 'readResource':
        return (_source, args, ctx) => guarded(() => read(String(args.uri), ctx));
      case 'tools':
      case 'resources':
      case 'resourceTemplates':
      case 'prompts':
        return listing(field.name);
      default:
        return undefined;
    }
  };

  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      const resolve = resolverOf(field as GraphQLField<unknown, GraphqlContext>);
      if (resolve !== undefined) field.resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
    }
  }
  return schema;
}
