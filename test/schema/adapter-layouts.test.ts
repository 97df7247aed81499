import { buildSchema, validateSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { generateGraphql } from '../../src/schema/graphql.js';
import { generateOpenApi } from '../../src/schema/openapi.js';
import { demoReport, nastyReport } from './reports.js';
import { validateOpenApi } from './validators.js';

// The adapter layouts of the generators: the REST adapter's OpenAPI document and the GraphQL adapter's
// SDL, for the nasty fixture (hostile names, $defs, recursion) and the demo server.

type Doc = {
  paths: Record<string, Record<string, { tags?: string[]; responses?: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  tags: { name: string }[];
  security?: unknown;
};

describe('OpenAPI, adapter layout', () => {
  it('validates as OpenAPI 3.1 for hostile names, with examples, auth and every error status', async () => {
    const doc = generateOpenApi(await nastyReport(), {
      withExamples: true,
      baseUrl: '/rest',
      adapter: { auth: { bearer: true, apiKeyHeader: 'x-api-key' }, toolErrorStatus: 500 },
    });
    await expect(validateOpenApi(doc)).resolves.toMatchObject({ valid: true });
    const typed = doc as unknown as Doc;
    expect(
      Object.keys(typed.paths).filter(
        (p) =>
          !p.startsWith('/tools/') && !p.startsWith('/prompts/') && !p.startsWith('/resources/templates/'),
      ),
    ).toEqual(['/tools', '/resources', '/resources/read', '/resources/templates', '/prompts']);
    const tool = typed.paths['/tools/get.user-profile']?.post;
    expect(Object.keys(tool?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '404', '422', '500', '429', '503', 'default']),
    );
    expect(typed.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }) as unknown,
      apiKeyAuth: { type: 'apiKey', in: 'header', name: 'x-api-key' },
    });
  });

  it('tags namespaced tools by server', async () => {
    const report = await demoReport();
    const surface = {
      ...report,
      tools: report.tools.map((t, i) => ({ ...t, name: `${i % 2 === 0 ? 'alpha' : 'beta'}__${t.name}` })),
    };
    const doc = generateOpenApi(surface, {
      adapter: { namespaces: { separator: '__', servers: ['alpha', 'beta'] } },
    });
    await expect(validateOpenApi(doc)).resolves.toMatchObject({ valid: true });
    const typed = doc as unknown as Doc;
    expect(typed.paths['/tools/alpha__echo']?.post?.tags).toEqual(['alpha']);
    expect(typed.paths['/tools/beta__add']?.post?.tags).toEqual(['beta']);
    expect(typed.tags.map((t) => t.name)).toEqual(expect.arrayContaining(['alpha', 'beta']));
  });
});

describe('GraphQL, adapter layout', () => {
  it('puts every tool on Mutation and adds listings; the SDL builds and validates', async () => {
    const report = await nastyReport();
    const sdl = generateGraphql(report, { toolsAsMutations: true, listings: true });
    const schema = buildSchema(sdl);
    expect(validateSchema(schema)).toEqual([]);
    const query = Object.keys(schema.getQueryType()?.getFields() ?? {});
    expect(query).toEqual(
      expect.arrayContaining([
        'serverInfo',
        'readResource',
        'tools',
        'resources',
        'resourceTemplates',
        'prompts',
      ]),
    );
    const mutation = schema.getMutationType()?.getFields() ?? {};
    expect(Object.keys(mutation)).toHaveLength(report.tools.length);
    // The default layout keeps read-only tools on Query (the `schema graphql` output).
    const plain = buildSchema(generateGraphql(report));
    expect(Object.keys(plain.getMutationType()?.getFields() ?? {}).length).toBeLessThan(report.tools.length);
  });
});
