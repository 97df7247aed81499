import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { exampleOf } from '../../src/schema/examples.js';
import { embedSchema } from '../../src/schema/embed-schema.js';
import { walkSchema } from '../../src/schema/json-schema.js';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);

describe('exampleOf', () => {
  const schemas: Record<string, unknown>[] = [
    {
      type: 'object',
      properties: { when: { type: 'string', format: 'date-time' }, n: { type: 'integer', minimum: 3 } },
      required: ['when', 'n'],
    },
    {
      type: 'object',
      properties: { kind: { enum: ['b', 'c'] }, fixed: { const: 7 }, d: { type: 'number', default: 2.5 } },
    },
    {
      type: 'object',
      properties: { tree: { $ref: '#' }, kids: { type: 'array', items: { $ref: '#/$defs/K' } } },
      $defs: { K: { type: 'object', properties: { k: { $ref: '#/$defs/K' } } } },
    },
    {
      type: 'object',
      properties: {
        pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'boolean' }] },
        m: { additionalProperties: { type: 'integer' } },
      },
    },
    {
      type: 'object',
      properties: {
        u: { oneOf: [{ type: 'string', format: 'email' }, { type: 'number' }] },
        x: { examples: ['given'] },
      },
    },
  ];

  it.each(schemas.map((s, i) => [i, s] as const))('example %i validates against its schema', (_, schema) => {
    const example = exampleOf(walkSchema(schema));
    const validate = ajv.compile(schema);
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
  });

  it('uses given examples and defaults first', () => {
    expect(
      exampleOf(
        walkSchema({
          type: 'object',
          properties: { x: { type: 'string', examples: ['hi'] }, y: { type: 'integer', default: 9 } },
        }),
      ),
    ).toEqual({ x: 'hi', y: 9 });
  });
});

describe('embedSchema', () => {
  it('re-roots local references and drops $schema/$id, leaving values alone', () => {
    const embedded = embedSchema(
      {
        $schema: 'http://json-schema.org/draft-07/schema#',
        $id: 'urn:x',
        type: 'object',
        properties: {
          self: { $ref: '#' },
          def: { $ref: '#/$defs/A' },
          remote: { $ref: 'https://example.com/s.json' },
          const: { const: { $ref: '#/not/a/reference' } },
        },
        $defs: { A: { anyOf: [{ $ref: '#/$defs/A' }, { type: 'null' }] } },
      },
      '#/components/schemas/X',
    );
    expect(embedded).toEqual({
      type: 'object',
      properties: {
        self: { $ref: '#/components/schemas/X' },
        def: { $ref: '#/components/schemas/X/$defs/A' },
        remote: { $ref: 'https://example.com/s.json' },
        const: { const: { $ref: '#/not/a/reference' } },
      },
      $defs: { A: { anyOf: [{ $ref: '#/components/schemas/X/$defs/A' }, { type: 'null' }] } },
    });
  });
});
