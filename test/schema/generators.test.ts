import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLObjectType } from 'graphql';
import { GraphQLEnumType, isNonNullType } from 'graphql';
import type { InspectReport } from '../../src/introspect/report.js';
import { generateGraphql } from '../../src/schema/graphql.js';
import { generateOpenApi } from '../../src/schema/openapi.js';
import { generateProtobuf } from '../../src/schema/protobuf.js';
import { conformanceReport, demoReport, everythingReport, nastyReport } from './reports.js';
import { checkGraphql, parseProto, validateOpenApi } from './validators.js';

const reports: Record<string, InspectReport> = {};

beforeAll(async () => {
  reports.nasty = await nastyReport();
  reports.demo = await demoReport();
  reports.everything = await everythingReport();
  reports.conformance = await conformanceReport();
}, 60_000);

describe.each(['nasty', 'demo', 'everything', 'conformance'])('generated schemas for %s', (name) => {
  const report = (): InspectReport => {
    const r = reports[name];
    if (!r) throw new Error(`no report for ${name}`);
    return r;
  };

  it('OpenAPI validates as 3.1 (with and without examples) and every $ref resolves', async () => {
    for (const withExamples of [false, true]) {
      const doc = generateOpenApi(report(), { withExamples, baseUrl: 'http://127.0.0.1:8080/api' });
      expect(doc.openapi).toBe('3.1.0');
      const result = await validateOpenApi(doc);
      expect(result.errors).toBeUndefined();
      expect(result.valid).toBe(true);
      const paths = doc.paths as Record<string, unknown>;
      expect(Object.keys(paths).filter((p) => p.startsWith('/tools/'))).toHaveLength(report().tools.length);
      expect(Object.keys(paths).filter((p) => p.startsWith('/prompts/'))).toHaveLength(
        report().prompts.length,
      );
    }
  });

  it('GraphQL builds with buildSchema and passes validateSchema', () => {
    const { schema, errors } = checkGraphql(generateGraphql(report()));
    expect(errors).toEqual([]);
    const query = schema.getQueryType()?.getFields() ?? {};
    const mutation = schema.getMutationType()?.getFields() ?? {};
    const toolFields = [...Object.values(query), ...Object.values(mutation)].filter((f) =>
      f.astNode?.directives?.some((d) => d.name.value === 'mcpTool'),
    );
    expect(toolFields).toHaveLength(report().tools.length);
    for (const tool of report().tools) {
      const inQuery = Object.values(query).some((f) =>
        f.astNode?.directives?.some(
          (d) =>
            d.name.value === 'mcpTool' &&
            JSON.stringify(d.arguments?.[0]?.value).includes(JSON.stringify(tool.name).slice(1, -1)),
        ),
      );
      expect(inQuery, tool.name).toBe(tool.annotations?.readOnlyHint === true);
    }
  });

  it('protobuf parses with protobufjs, one rpc per tool', () => {
    const { root, pkg } = parseProto(generateProtobuf(report()));
    const services =
      (root.lookup(pkg)?.toJSON() as { nested?: Record<string, object> } | undefined)?.nested ?? {};
    const service = Object.entries(services).find(([, v]) => 'methods' in v);
    expect(service).toBeDefined();
    const methods = Object.keys((service?.[1] as { methods: Record<string, unknown> }).methods);
    expect(methods.length).toBe(report().tools.length + 1 + report().prompts.length);
  });
});

describe('OpenAPI details', () => {
  it('keeps $defs and re-roots $refs, maps hints to x- extensions, uses output schemas for responses', () => {
    const doc = generateOpenApi(reports.nasty as InspectReport) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { schemas: Record<string, Record<string, unknown>> };
    };
    const get = doc.paths['/tools/get.user-profile']?.post;
    expect(get).toMatchObject({
      'x-mcp-tool': 'get.user-profile',
      'x-mcp-readOnlyHint': true,
      'x-mcp-openWorldHint': false,
    });
    const create = doc.paths[`/tools/${encodeURIComponent('créer_élément')}`]?.post;
    expect(create).toMatchObject({ 'x-mcp-destructiveHint': true });
    const input = doc.components.schemas.GetUserProfileInput as {
      properties: { include: { items: unknown } };
      $defs: unknown;
    };
    expect(input.properties.include.items).toEqual({
      $ref: '#/components/schemas/GetUserProfileInput/$defs/Section',
    });
    expect(input.$defs).toBeDefined();
    const tree = doc.paths['/tools/tree']?.post as {
      responses: Record<string, { content: Record<string, { schema: unknown }> }>;
    };
    expect(tree.responses['200']?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/TreeOutput',
    });
    expect(doc.paths['/resources/' + encodeURIComponent('file:///tmp/a b.txt')]?.get).toMatchObject({
      'x-mcp-resource': 'file:///tmp/a b.txt',
    });
    const template = doc.paths[
      '/resources/' + encodeURIComponent('users://') + '{userId}' + encodeURIComponent('/profile')
    ]?.get as { parameters: unknown[] };
    expect(template.parameters).toEqual([
      { name: 'userId', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    const search = doc.paths['/resources/' + encodeURIComponent('search://q')]?.get as {
      parameters: { name: string; in: string }[];
    };
    expect(search.parameters.map((p) => [p.name, p.in])).toEqual([
      ['query', 'query'],
      ['limit', 'query'],
    ]);
    expect(doc.paths['/prompts/summarise.doc']?.post).toMatchObject({ 'x-mcp-prompt': 'summarise.doc' });
    // Server text is CommonMark in OpenAPI: HTML is escaped so documentation UIs show it as text.
    expect(get?.description).toContain('&lt;b&gt;html&lt;/b&gt;');
    expect((doc as unknown as { info: { description: string } }).info.description).toContain(
      '&lt;/script&gt;',
    );
  });
});

describe('GraphQL details', () => {
  it('sanitises names reversibly and types from JSON Schema', () => {
    const sdl = generateGraphql(reports.nasty as InspectReport);
    const { schema } = checkGraphql(sdl);
    const mutation = schema.getMutationType()?.getFields() ?? {};
    const typename = mutation._typename;
    expect(typename?.astNode?.directives?.[0]?.name.value).toBe('mcpTool');
    const args = Object.fromEntries((typename?.args ?? []).map((a) => [a.name, a]));
    expect(Object.keys(args)).toContain('unicode');
    expect(sdl).toContain('unicode: String @mcpName(name: "ünïcödé")');
    const section = schema.getType('GetUserProfileSection');
    expect(section).toBeInstanceOf(GraphQLEnumType);
    expect((section as GraphQLEnumType).getValues().map((v) => v.name)).toEqual([
      'basic',
      'e_mail',
      '_1st',
      'null_2',
      'true_2',
      'uni',
      'Basic',
    ]);
    const query = schema.getQueryType()?.getFields() ?? {};
    const id = query.get_user_profile?.args.find((a) => a.name === 'id');
    expect(id && isNonNullType(id.type)).toBe(true);
    // oneOf → JSON; prefixItems tuple → JSON; required + non-null.
    const create = mutation.creer_element;
    expect(String(create?.args.find((a) => a.name === 'shape')?.type)).toBe('JSON!');
    expect(String(create?.args.find((a) => a.name === 'point')?.type)).toBe('JSON!');
    expect(String(create?.args.find((a) => a.name === 'label')?.type)).toBe('String');
    // The output schema types structuredContent.
    const result = schema.getType('TreeResult') as GraphQLObjectType;
    expect(String(result.getFields().structuredContent?.type)).toBe('TreeOutput');
    // Prompts and templates are queries with their arguments.
    expect(query.prompt_summarise_doc?.args.map((a) => `${a.name}:${String(a.type)}`)).toEqual([
      'doc_id:String!',
      'style:String',
    ]);
    expect(query.resourceTemplate_user_profile?.args.map((a) => a.name)).toEqual(['userId']);
  });
});

describe('protobuf details', () => {
  it('numbers fields by sorted name, keeps originals in json_name, maps oneOf to oneof', () => {
    const { root, pkg } = parseProto(generateProtobuf(reports.nasty as InspectReport));
    expect(pkg).toBe('mcp.nasty_server_u');
    const request = root.lookupType(`${pkg}.GetUserProfileRequest`);
    expect(request.fieldsArray.map((f) => [f.name, f.id])).toEqual([
      ['camelCase', 1],
      ['camel_case', 2],
      ['dash_ed', 3],
      ['dot_ted', 4],
      ['id', 5],
      ['include', 6],
      ['mode', 7],
    ]);
    expect(request.fields.dash_ed?.options?.json_name).toBe('dash-ed');
    expect(request.fields.include?.repeated).toBe(true);
    const section = root.lookupEnum(`${pkg}.GetUserProfileSection`);
    expect(section.values.GET_USER_PROFILE_SECTION_UNSPECIFIED).toBe(0);
    const create = root.lookupType(`${pkg}.CreerElementRequest`);
    expect(create.oneofs?.shape?.fieldsArray.map((f) => f.name)).toEqual(['shape_circle', 'shape_square']);
    expect(create.fields.tags?.map).toBe(true);
    const typename = root.lookupType(`${pkg}.TypenameRequest`);
    // A keyword gets a trailing underscore; protobuf's default JSON name drops it again.
    expect((typename.fields.message_ as unknown as { jsonName: string } | undefined)?.jsonName).toBe(
      'message',
    );
    expect(typename.fields.unicode?.options?.json_name).toBe('ünïcödé');
    const tree = root.lookupType(`${pkg}.TreeRequest`);
    expect(tree.fields.children?.type).toBe('TreeRequest');
    expect(root.lookupType(`${pkg}.TreeResponse`).fields.structuredContent?.type).toBe('TreeOutput');
  });
});

describe('the validators catch broken output', () => {
  it('OpenAPI: a dangling $ref or a missing info is invalid', async () => {
    const doc = generateOpenApi(reports.demo as InspectReport);
    await expect(validateOpenApi({ ...doc, info: undefined })).resolves.toMatchObject({ valid: false });
    const dangling = structuredClone(doc) as { components: { schemas: Record<string, unknown> } };
    delete dangling.components.schemas.CallToolResult;
    await expect(validateOpenApi(dangling)).resolves.toMatchObject({
      valid: false,
      errors: expect.stringContaining('CallToolResult') as unknown,
    });
  });

  it('GraphQL and protobuf: broken text is rejected', () => {
    expect(() => checkGraphql('type Query { a: Missing }')).toThrow();
    expect(checkGraphql('type Query { a: String } input I { i: I! }').errors).not.toEqual([]);
    expect(() => parseProto('syntax = "proto3"; message A { Missing b = 1; }')).toThrow();
  });
});
