import { describe, expect, it } from 'vitest';
import { walkSchema } from '../../src/schema/json-schema.js';
import type { Shape } from '../../src/schema/shape.js';

const kindOf = (shape: Shape | undefined): string | undefined => shape?.kind;

describe('walkSchema', () => {
  it('maps scalars, required and descriptions', () => {
    const { root } = walkSchema({
      type: 'object',
      properties: {
        a: { type: 'string', description: 'A', format: 'uuid' },
        b: { type: 'integer', minimum: 1 },
      },
      required: ['a'],
    });
    expect(root.kind).toBe('object');
    if (root.kind !== 'object') return;
    expect(root.properties.map((p) => [p.name, p.shape.kind, p.required])).toEqual([
      ['a', 'string', true],
      ['b', 'integer', false],
    ]);
    expect(root.properties[0]?.shape).toMatchObject({ description: 'A', format: 'uuid' });
    expect(root.properties[1]?.shape).toMatchObject({ minimum: 1 });
  });

  it('understands the forms of nullable', () => {
    const { root } = walkSchema({
      type: 'object',
      properties: {
        typeArray: { type: ['string', 'null'] },
        anyOfNull: { anyOf: [{ type: 'number' }, { type: 'null' }] },
        oneOfNull: { oneOf: [{ type: 'null' }, { $ref: '#/$defs/X' }] },
        openapi30: { type: 'integer', nullable: true },
        enumNull: { enum: ['a', null] },
        plain: { type: 'boolean' },
      },
      $defs: { X: { type: 'string' } },
    });
    if (root.kind !== 'object') throw new Error('object expected');
    const byName = Object.fromEntries(root.properties.map((p) => [p.name, p.shape]));
    expect(byName.typeArray).toMatchObject({ kind: 'string', nullable: true });
    expect(byName.anyOfNull).toMatchObject({ kind: 'number', nullable: true });
    expect(byName.oneOfNull).toMatchObject({ kind: 'ref', name: 'X', nullable: true });
    expect(byName.openapi30).toMatchObject({ kind: 'integer', nullable: true });
    expect(byName.enumNull).toMatchObject({ kind: 'enum', values: ['a'], nullable: true });
    expect(byName.plain).toMatchObject({ kind: 'boolean', nullable: false });
  });

  it('resolves $defs and draft-07 definitions once, keeping recursion finite', () => {
    const model = walkSchema({
      type: 'object',
      properties: { node: { $ref: '#/$defs/Node' }, item: { $ref: '#/definitions/Item' } },
      $defs: { Node: { type: 'object', properties: { next: { $ref: '#/$defs/Node' } } } },
      definitions: { Item: { type: 'string' } },
    });
    expect([...model.named.keys()]).toEqual(['Node', 'Item']);
    const node = model.named.get('Node');
    expect(node?.kind).toBe('object');
    if (node?.kind === 'object')
      expect(node.properties[0]?.shape).toMatchObject({ kind: 'ref', name: 'Node' });
  });

  it('names a recursive root reference and shares the root shape', () => {
    const model = walkSchema(
      { type: 'object', properties: { children: { type: 'array', items: { $ref: '#' } } } },
      { rootName: 'Tree' },
    );
    expect(model.named.get('Tree')).toBe(model.root);
    if (model.root.kind !== 'object') throw new Error('object expected');
    const children = model.root.properties[0]?.shape;
    expect(children?.kind).toBe('array');
    if (children?.kind === 'array') expect(children.items).toMatchObject({ kind: 'ref', name: 'Tree' });
  });

  it('follows other local JSON pointers (with ~1 escapes)', () => {
    const model = walkSchema({
      type: 'object',
      properties: { 'a/b': { type: 'string' }, copy: { $ref: '#/properties/a~1b' } },
    });
    expect(model.named.size).toBe(1);
    expect([...model.named.values()][0]?.kind).toBe('string');
  });

  it('gives up on remote and dangling references with any', () => {
    const { root } = walkSchema({
      type: 'object',
      properties: { r: { $ref: 'https://example.com/s.json' }, d: { $ref: '#/$defs/Missing' } },
    });
    if (root.kind !== 'object') throw new Error('object expected');
    expect(root.properties.map((p) => p.shape.kind)).toEqual(['any', 'any']);
  });

  it('merges allOf objects', () => {
    const { root } = walkSchema({
      allOf: [
        { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
        { $ref: '#/$defs/B' },
      ],
      description: 'merged',
      $defs: { B: { type: 'object', properties: { b: { type: 'number' } }, additionalProperties: false } },
    });
    expect(root).toMatchObject({ kind: 'object', closed: true, description: 'merged' });
    if (root.kind === 'object')
      expect(root.properties.map((p) => [p.name, p.required])).toEqual([
        ['a', true],
        ['b', false],
      ]);
  });

  it('keeps oneOf/anyOf alternatives as unions', () => {
    const { root } = walkSchema({ oneOf: [{ type: 'string' }, { type: 'object', properties: { x: {} } }] });
    expect(root).toMatchObject({ kind: 'union', exclusive: true });
    if (root.kind === 'union') expect(root.variants.map(kindOf)).toEqual(['string', 'object']);
    expect(walkSchema({ type: ['string', 'number'] }).root).toMatchObject({ kind: 'union' });
  });

  it('handles 2020-12 keywords: prefixItems, const, unevaluatedProperties', () => {
    const { root } = walkSchema({
      type: 'object',
      properties: {
        pair: { type: 'array', prefixItems: [{ type: 'number' }, { type: 'string' }], items: false },
        open: { type: 'array', prefixItems: [{ type: 'number' }], items: { type: 'boolean' } },
        draft7: { type: 'array', items: [{ type: 'number' }], additionalItems: { type: 'string' } },
        fixed: { const: 'x' },
      },
      unevaluatedProperties: false,
    });
    expect(root).toMatchObject({ kind: 'object', closed: true });
    if (root.kind !== 'object') return;
    const [pair, open, draft7, fixed] = root.properties.map((p) => p.shape);
    expect(pair).toMatchObject({ kind: 'tuple', rest: undefined });
    if (pair?.kind === 'tuple') expect(pair.items.map(kindOf)).toEqual(['number', 'string']);
    expect(open).toMatchObject({ kind: 'tuple', rest: { kind: 'boolean' } });
    expect(draft7).toMatchObject({ kind: 'tuple', rest: { kind: 'string' } });
    expect(fixed).toMatchObject({ kind: 'const', value: 'x' });
  });

  it('tells maps from objects and infers missing types', () => {
    expect(walkSchema({ type: 'object', additionalProperties: { type: 'number' } }).root).toMatchObject({
      kind: 'map',
      values: { kind: 'number' },
    });
    expect(walkSchema({ properties: { a: { type: 'string' } } }).root.kind).toBe('object');
    expect(walkSchema({ items: { type: 'string' } }).root.kind).toBe('array');
    expect(walkSchema({}).root.kind).toBe('any');
    expect(walkSchema(true).root.kind).toBe('any');
  });

  it('stops at the depth limit instead of recursing forever on inline nesting', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 200; i++) schema = { type: 'array', items: schema };
    let shape: Shape = walkSchema(schema, { maxDepth: 10 }).root;
    let depth = 0;
    while (shape.kind === 'array') {
      shape = shape.items;
      depth++;
    }
    expect(shape.kind).toBe('any');
    expect(depth).toBeLessThanOrEqual(11);
  });
});
