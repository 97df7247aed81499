import type { JsonValue, SchemaModel, Shape } from './shape.js';

const FORMAT_EXAMPLES: Readonly<Record<string, string>> = {
  'date-time': '2025-01-01T12:00:00Z',
  date: '2025-01-01',
  time: '12:00:00Z',
  email: 'user@example.com',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  uuid: '123e4567-e89b-12d3-a456-426614174000',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
};

// Recursive references are followed at most this many times on one path.
const MAX_REF_VISITS = 1;
const MAX_DEPTH = 12;

/**
 * Makes an example value that matches a walked schema: the schema's own `examples`/`default`/`const`
 * or first `enum` value when given, otherwise a plain value of the right type (by `format` for
 * strings). Optional recursive properties are left out so the example stays finite.
 *
 * @param model - from `walkSchema()`
 * @returns a JSON value
 * @example
 * ```ts
 * exampleOf(walkSchema({ type: 'object', properties: { n: { type: 'integer', minimum: 1 } } }));
 * // { n: 1 }
 * ```
 */
export function exampleOf(model: SchemaModel): JsonValue {
  const visits = new Map<string, number>();

  function example(shape: Shape, depth: number): JsonValue | undefined {
    if (shape.examples !== undefined && shape.examples.length > 0) return shape.examples[0];
    if (shape.default !== undefined) return shape.default;
    if (depth > MAX_DEPTH) return shape.nullable ? null : undefined;
    switch (shape.kind) {
      case 'string':
        return FORMAT_EXAMPLES[shape.format ?? ''] ?? 'string';
      case 'integer':
        return Math.ceil(shape.minimum ?? (shape.maximum !== undefined ? Math.min(0, shape.maximum) : 0));
      case 'number':
        return 0;
      case 'boolean':
        return true;
      case 'null':
        return null;
      case 'enum':
        return shape.values[0] ?? null;
      case 'const':
        return shape.value;
      case 'array': {
        const item = example(shape.items, depth + 1);
        return item === undefined ? [] : [item];
      }
      case 'tuple':
        return shape.items.map((item) => example(item, depth + 1) ?? null);
      case 'map': {
        const value = example(shape.values, depth + 1);
        return value === undefined ? {} : { key: value };
      }
      case 'object': {
        const out: Record<string, JsonValue> = {};
        for (const property of shape.properties) {
          const value = example(property.shape, depth + 1);
          if (value !== undefined) out[property.name] = value;
          else if (property.required) out[property.name] = null;
        }
        return out;
      }
      case 'union': {
        const first = shape.variants[0];
        return first === undefined ? null : example(first, depth + 1);
      }
      case 'ref': {
        const count = visits.get(shape.name) ?? 0;
        const target = model.named.get(shape.name);
        if (target === undefined || count >= MAX_REF_VISITS) return shape.nullable ? null : undefined;
        visits.set(shape.name, count + 1);
        try {
          return example(target, depth + 1);
        } finally {
          visits.set(shape.name, count);
        }
      }
      case 'any':
        return shape.nullable ? null : {};
    }
  }

  return example(model.root, 0) ?? {};
}
