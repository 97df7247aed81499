import { z } from 'zod';

// A mount path: `/rest`, `/api/v1`; `/` (everything not otherwise routed) for a stand-alone adapter.
const MountPath = z
  .string()
  .regex(
    /^\/([A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*)?$/,
    'expected a path such as /rest (letters, digits, . _ ~ -)',
  );

/** The REST adapter (`switchboard adapter rest`, or mounted by `serve`). */
export const RestAdapterConfigSchema = z
  .object({
    /** Where it is mounted on every HTTP frontend. */
    path: MountPath.default('/rest'),
    /** Swagger UI at `<path>/docs`. */
    docs: z.boolean().default(true),
    /** Image and audio content as `data:` URIs or as MCP's `{ type, mimeType, data }` objects. */
    binaryContent: z.enum(['data-uri', 'object']).default('data-uri'),
    /** HTTP status of a tool result with `isError: true` (200 answers it like a success). */
    toolErrorStatus: z.number().int().min(200).max(599).default(422),
  })
  .strict();

/** The GraphQL adapter (`switchboard adapter graphql`, or mounted by `serve`). */
export const GraphqlAdapterConfigSchema = z
  .object({
    /** The GraphQL endpoint on every HTTP frontend (GraphiQL at GET for browsers). */
    path: MountPath.default('/graphql'),
    graphiql: z.boolean().default(true),
    /** Deepest field nesting of an operation (introspection not counted). */
    maxDepth: z.number().int().min(1).max(100).default(12),
    /** Most complexity points of an operation (one per selected field). */
    maxComplexity: z.number().int().min(1).default(1000),
  })
  .strict();

/** The adapters' part of the serve configuration: absent adapters are off. */
export const adaptersConfigShape = {
  adapters: z
    .object({
      rest: RestAdapterConfigSchema.optional(),
      graphql: GraphqlAdapterConfigSchema.optional(),
    })
    .strict()
    .prefault({}),
};

/** The validated adapters configuration. */
export type AdaptersConfig = z.infer<typeof adaptersConfigShape.adapters>;
