import { readFile, writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalogHash, catalogOf, diffCatalogs } from '../../src/codegen/catalog.js';
import { planClient } from '../../src/codegen/client-plan.js';
import { generateClient, defaultPackageName } from '../../src/codegen/generate-client.js';
import { memberName, typeName } from '../../src/codegen/identifiers.js';
import { sanitizeSchema } from '../../src/codegen/sanitize-schema.js';
import type { InspectReport } from '../../src/introspect/report.js';
import { demoReport, nastyReport } from '../schema/reports.js';

// Golden files of the client generated from the demo server. Regenerate after an intended change
// with: UPDATE_GOLDEN=1 npx vitest run test/codegen/generate-client.test.ts (and review the diff).
const update = process.env.UPDATE_GOLDEN === '1';
const golden = (name: string): URL =>
  new URL(`./golden/demo/${name.replaceAll('/', '__')}.golden`, import.meta.url);

const surface = (tools: InspectReport['tools'], extra: Partial<InspectReport> = {}): InspectReport =>
  ({
    serverInfo: { name: 'unit', version: '1.0.0' },
    protocol: { version: '2025-11-25', era: 'session' },
    instructions: null,
    tools,
    resources: [],
    resourceTemplates: [],
    prompts: [],
    ...extra,
  }) as InspectReport;

describe('generate client: demo server golden files', () => {
  it('matches the golden files byte for byte, and regenerating gives the same bytes', async () => {
    const report = await demoReport();
    const first = await generateClient(report);
    const second = await generateClient(await demoReport());
    expect([...second.files.entries()]).toEqual([...first.files.entries()]);
    expect([...first.files.keys()]).toEqual([
      'README.md',
      'mcp-catalog.json',
      'package.json',
      'src/client.ts',
      'src/index.ts',
      'src/types.ts',
      'tsconfig.json',
    ]);
    for (const [name, content] of first.files) {
      if (update) await writeFile(golden(name), content);
      else expect(content, name).toBe(await readFile(golden(name), 'utf8'));
    }
  });

  it('does not depend on the order the server lists things in, nor on the key order of schemas', async () => {
    const report = await demoReport();
    const reversed: InspectReport = {
      ...report,
      tools: [...report.tools]
        .reverse()
        .map((t) => Object.fromEntries(Object.entries(t).reverse()) as typeof t),
    };
    expect(catalogHash(catalogOf(reversed))).toBe(catalogHash(catalogOf(report)));
    const [a, b] = await Promise.all([generateClient(report), generateClient(reversed)]);
    expect(b.files.get('src/client.ts')).toBe(a.files.get('src/client.ts'));
  });
});

describe('generate client: names', () => {
  it('converts names to camelCase members and PascalCase types predictably', () => {
    expect(memberName('get-sum')).toBe('getSum');
    expect(memberName('get.user-profile')).toBe('getUserProfile');
    expect(memberName('créer_élément')).toBe('creerElement');
    expect(memberName('1st-tool')).toBe('_1stTool');
    expect(memberName('__typename')).toBe('typename');
    expect(memberName('HTTP')).toBe('http');
    expect(memberName('???')).toBe('unnamed');
    expect(typeName('get-sum')).toBe('GetSum');
    expect(typeName('1st-tool')).toBe('_1StTool');
    expect(typeName('')).toBe('Unnamed');
  });

  it('type names are fixed points of the converter’s own naming (so the names we pick are emitted)', async () => {
    const { toSafeString } = (await import(
      // The converter's own naming function (an internal module, not part of its API).
      'json-schema-to-typescript/dist/src/utils.js'
    )) as { toSafeString: (s: string) => string };
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (name) => {
        const t = typeName(name);
        expect(toSafeString(t)).toBe(t);
        expect(toSafeString(`${t}Args_2`)).toBe(`${t}Args_2`);
      }),
      { numRuns: 500 },
    );
  });

  it('resolves collisions: names already in camelCase first, then the others in code-point order', () => {
    const schema = { type: 'object' };
    const plan = planClient(
      catalogOf(
        surface([
          { name: 'get_sum', inputSchema: schema },
          { name: 'get-sum', inputSchema: schema },
          { name: 'getSum', inputSchema: schema },
        ]),
      ),
    );
    expect(plan.tools.members.map((m) => [m.tool.name, m.member])).toEqual([
      ['getSum', 'getSum'],
      ['get-sum', 'getSum_2'],
      ['get_sum', 'getSum_3'],
    ]);
    expect(plan.types.map((t) => t.rootName)).toEqual(['GetSumArgs', 'GetSumArgs_2', 'GetSumArgs_3']);
  });

  it('groups namespaced names; a group never takes a client member name; --groups restricts', () => {
    const schema = { type: 'object' };
    const tools = [
      { name: 'a__echo', inputSchema: schema },
      { name: 'a__get-sum', inputSchema: schema },
      { name: 'then__x', inputSchema: schema },
      { name: 'b__c__d', inputSchema: schema },
      { name: '__lead', inputSchema: schema },
      { name: 'a', inputSchema: schema },
    ];
    const plan = planClient(catalogOf(surface(tools)), { separator: '__' });
    expect(plan.groups).toEqual([
      { name: 'a', prefix: 'a' },
      { name: 'b', prefix: 'b' },
      { name: 'then_2', prefix: 'then' },
    ]);
    expect(plan.tools.groups.map((g) => [g.name, g.members.map((m) => m.member)])).toEqual([
      ['a', ['echo', 'getSum']],
      ['b', ['cD']],
      ['then_2', ['x']],
    ]);
    // The ungrouped tool named `a` does not take the group's name; `__lead` has no prefix.
    expect(plan.tools.members.map((m) => [m.tool.name, m.member])).toEqual([
      ['a', 'a_2'],
      ['__lead', 'lead'],
    ]);
    const only = planClient(catalogOf(surface(tools)), { separator: '__', groups: ['b'] });
    expect(only.tools.groups.map((g) => g.name)).toEqual(['b']);
  });

  it('derives a valid npm package name from any server name', () => {
    expect(defaultPackageName('mcp-servers/everything')).toBe('mcp-servers-everything-client');
    expect(defaultPackageName('nasty.server-ü')).toBe('nasty.server-u-client');
    expect(defaultPackageName('***')).toBe('mcp-client');
  });
});

describe('generate client: hostile schemas and text', () => {
  it('drops the converter’s extension keywords and external references, keeps comments closed', async () => {
    const hostile = surface([
      {
        name: 'evil',
        description: 'ends the comment */ console.log("pwned"); /*',
        inputSchema: {
          type: 'object',
          properties: {
            a: { tsType: 'any; declare const pwned: true', description: '*/ x' },
            b: { $ref: 'file:///etc/passwd' },
            c: { $ref: 'https://example.invalid/schema.json' },
            d: { type: 'string', enum: ["it's", 'a"b', '*/'] },
            __proto__: { type: 'number' },
          },
          required: ['a'],
        },
      },
    ]);
    const { files } = await generateClient(hostile, { packageName: 'evil-client' });
    const types = files.get('src/types.ts') ?? '';
    const client = files.get('src/client.ts') ?? '';
    expect(types).not.toContain('pwned');
    expect(types).not.toMatch(/\*\/ x/);
    expect(types).toContain('*\\/ x');
    expect(types).toContain('b?: unknown;');
    expect(client).toContain('ends the comment *\\/ console.log');
    expect(client.match(/\*\//g)?.length).toBe(client.match(/\/\*\*/g)?.length);
  });

  it('copies constant values as data and renames every nested title under its root', () => {
    const out = sanitizeSchema(
      {
        title: 'X',
        type: 'object',
        properties: { p: { title: 'Inner', const: { tsType: 'kept as data' } } },
      },
      { rootName: 'RootArgs', nestedTitle: (t) => `RootArgs${t}` },
    );
    expect(out).toEqual({
      title: 'RootArgs',
      type: 'object',
      properties: { p: { title: 'RootArgsInner', const: { tsType: 'kept as data' } } },
    });
  });

  it('handles the nasty fixture (unicode, reserved words, recursion, tuples) and its header stays on one line', async () => {
    const { files } = await generateClient(await nastyReport());
    const client = files.get('src/client.ts') ?? '';
    expect(client.split('\n').slice(0, 3)).toEqual([
      expect.stringMatching(/^\/\/ Generated by mcp-switchboard /),
      '// Server: nasty.server-ü 0.0.1-α',
      expect.stringMatching(/^\/\/ Catalog: sha256-[0-9a-f]{64}$/),
    ]);
    expect(files.get('src/types.ts')).toContain('point: [] | [number] | [number, number];');
    expect(JSON.parse(files.get('package.json') ?? '{}')).toMatchObject({ version: '0.0.0' });
  });
});

describe('catalog diff', () => {
  it('names what was added, removed and changed', () => {
    const schema = { type: 'object' };
    const before = catalogOf(
      surface([
        { name: 'a', inputSchema: schema },
        { name: 'b', inputSchema: schema },
      ]),
    );
    const after = catalogOf(
      surface([
        { name: 'a', inputSchema: { ...schema, required: ['x'] } },
        { name: 'c', inputSchema: schema },
      ]),
    );
    expect(diffCatalogs(before, after)).toEqual({
      added: ['tool c'],
      removed: ['tool b'],
      changed: ['tool a'],
    });
  });
});
