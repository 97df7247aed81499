import type { JsonValue, SchemaModel, Shape, ShapeMeta, ShapeProperty } from './shape.js';

// The one place that understands JSON Schema keywords (draft-07 and 2020-12): `$ref` (local JSON
// pointers, recursive `#`), `$defs`/`definitions`, `allOf`, nullable unions, `prefixItems`, `const`,
// `unevaluatedProperties`. Everything else works on the resulting shapes.

type Obj = Record<string, unknown>;

/** Options of {@link walkSchema}. */
export interface WalkOptions {
  /** The name the root shape gets when the schema references itself with `#` (default `Root`). */
  rootName?: string | undefined;
  /** Deepest inline nesting followed before giving up with `any` (default 64). */
  maxDepth?: number | undefined;
}

const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

function decodePointerToken(token: string): string {
  return decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~');
}

function meta(schema: Obj, nullable: boolean): ShapeMeta {
  const m: ShapeMeta = { nullable };
  if (str(schema.title) !== undefined) m.title = str(schema.title);
  if (str(schema.description) !== undefined) m.description = str(schema.description);
  if (schema.default !== undefined) m.default = schema.default as JsonValue;
  if (Array.isArray(schema.examples)) m.examples = schema.examples as JsonValue[];
  if (schema.deprecated === true) m.deprecated = true;
  return m;
}

const any = (nullable = false): Shape => ({ kind: 'any', nullable });

/**
 * Normalises a JSON Schema into a {@link SchemaModel}: one root shape plus the named shapes that
 * `$ref`s point to (each converted once, so recursive schemas stay finite).
 *
 * @param schema - a JSON Schema (object or boolean)
 * @param options - the root's name, the nesting limit
 * @example
 * ```ts
 * const { root, named } = walkSchema(tool.inputSchema, { rootName: 'EchoInput' });
 * ```
 */
export function walkSchema(schema: unknown, options: WalkOptions = {}): SchemaModel {
  const rootName = options.rootName ?? 'Root';
  const maxDepth = options.maxDepth ?? 64;
  const named = new Map<string, Shape>();
  const nameOfPointer = new Map<string, string>();

  function resolvePointer(pointer: string): unknown {
    if (pointer === '' || pointer === '/') return pointer === '' ? schema : undefined;
    let node: unknown = schema;
    for (const token of pointer.slice(1).split('/').map(decodePointerToken)) {
      if (Array.isArray(node)) node = node[Number(token)];
      else if (isObj(node)) node = node[token];
      else return undefined;
    }
    return node;
  }

  function nameFor(pointer: string): string {
    const known = nameOfPointer.get(pointer);
    if (known !== undefined) return known;
    const tokens = pointer
      .split('/')
      .filter((t) => t !== '')
      .map(decodePointerToken);
    const isDef = tokens.length === 2 && (tokens[0] === '$defs' || tokens[0] === 'definitions');
    let name = pointer === '' ? rootName : isDef ? (tokens[1] ?? 'Def') : tokens.join('_') || 'Def';
    const taken = new Set(nameOfPointer.values());
    for (let i = 2; taken.has(name); i++) name = `${isDef ? (tokens[1] ?? 'Def') : tokens.join('_')}${i}`;
    nameOfPointer.set(pointer, name);
    return name;
  }

  function ref(refValue: string, nullable: boolean, depth: number): Shape {
    if (!refValue.startsWith('#')) return any(nullable); // remote references are not fetched
    const pointer = refValue.slice(1);
    if (pointer === '') {
      // The root itself: its shape is the walk's result, filled in at the end.
      if (!named.has(rootName)) named.set(rootName, any());
      nameOfPointer.set('', rootName);
      return { kind: 'ref', name: rootName, nullable };
    }
    const target = resolvePointer(pointer);
    if (target === undefined) return any(nullable);
    const name = nameFor(pointer);
    if (!named.has(name)) {
      named.set(name, any()); // placeholder: a recursive reference finds the name taken
      named.set(name, convert(target, depth + 1));
    }
    return { kind: 'ref', name, nullable };
  }

  // Follows refs to the shape they name (for allOf merging and null detection).
  function deref(shape: Shape): Shape {
    let current = shape;
    for (let i = 0; i < 32 && current.kind === 'ref'; i++) {
      const target = named.get(current.name);
      if (target === undefined) break;
      current = target;
    }
    return current;
  }

  function mergeAllOf(schema: Obj, members: unknown[], nullable: boolean, depth: number): Shape {
    const { allOf: _allOf, ...siblings } = schema;
    const parts = [
      ...members.map((m) => convert(m, depth + 1)),
      ...(hasTypeKeywords(siblings) ? [convert(siblings, depth + 1)] : []),
    ].map(deref);
    const constraining = parts.filter((p) => p.kind !== 'any');
    if (constraining.length === 1 && constraining[0])
      return { ...constraining[0], ...meta(schema, nullable || constraining[0].nullable) };
    if (constraining.length > 0 && constraining.every((p) => p.kind === 'object')) {
      const properties = new Map<string, ShapeProperty>();
      let closed = false;
      let additional: Shape | undefined;
      for (const part of constraining) {
        if (part.kind !== 'object') continue;
        for (const p of part.properties) {
          const before = properties.get(p.name);
          properties.set(p.name, { ...p, required: p.required || (before?.required ?? false) });
        }
        closed ||= part.closed;
        additional ??= part.additional;
      }
      return {
        kind: 'object',
        properties: [...properties.values()],
        additional,
        closed,
        ...meta(schema, nullable),
      };
    }
    return any(nullable);
  }

  function convert(node: unknown, depth: number): Shape {
    if (node === true || (isObj(node) && Object.keys(node).length === 0)) return any();
    if (!isObj(node) || depth > maxDepth) return any();
    const s = node;
    let nullable = s.nullable === true;
    if (typeof s.$ref === 'string') {
      const target = ref(s.$ref, nullable, depth);
      // 2020-12 allows siblings of $ref; only annotations are kept.
      return { ...target, ...meta(s, nullable) };
    }
    if (Array.isArray(s.allOf)) return mergeAllOf(s, s.allOf, nullable, depth);
    const alternatives = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined;
    if (alternatives !== undefined) {
      const variants = alternatives.map((v) => convert(v, depth + 1));
      const nonNull = variants.filter((v) => deref(v).kind !== 'null');
      nullable ||= nonNull.length < variants.length || nonNull.some((v) => v.nullable);
      const first = nonNull[0];
      if (nonNull.length === 1 && first) return { ...first, ...meta(s, nullable) };
      if (nonNull.length === 0) return { kind: 'null', ...meta(s, true) };
      return { kind: 'union', variants: nonNull, exclusive: Array.isArray(s.oneOf), ...meta(s, nullable) };
    }
    if ('const' in s)
      return { kind: 'const', value: s.const as JsonValue, ...meta(s, nullable || s.const === null) };
    if (Array.isArray(s.enum)) {
      const values = s.enum.filter((v): v is string | number | boolean =>
        ['string', 'number', 'boolean'].includes(typeof v),
      );
      return { kind: 'enum', values, ...meta(s, nullable || s.enum.includes(null)) };
    }
    let types = Array.isArray(s.type)
      ? s.type.filter((t): t is string => typeof t === 'string')
      : str(s.type)
        ? [str(s.type) as string]
        : [];
    if (types.includes('null') && types.length > 1) {
      nullable = true;
      types = types.filter((t) => t !== 'null');
    }
    if (types.length === 0) types = [inferType(s)];
    if (types.length > 1) {
      const variants = types.map((t) => convert({ ...s, type: t, nullable: false }, depth + 1));
      return { kind: 'union', variants, exclusive: true, ...meta(s, nullable) };
    }
    return convertTyped(s, types[0] ?? 'any', nullable, depth);
  }

  function convertTyped(s: Obj, type: string, nullable: boolean, depth: number): Shape {
    const m = meta(s, nullable);
    switch (type) {
      case 'string':
        return { kind: 'string', format: str(s.format), ...m };
      case 'integer':
        return {
          kind: 'integer',
          minimum: num(s.minimum) ?? num(s.exclusiveMinimum),
          maximum: num(s.maximum) ?? num(s.exclusiveMaximum),
          ...m,
        };
      case 'number':
        return { kind: 'number', ...m };
      case 'boolean':
        return { kind: 'boolean', ...m };
      case 'null':
        return { kind: 'null', ...m, nullable: true };
      case 'array': {
        const prefix = Array.isArray(s.prefixItems)
          ? s.prefixItems
          : Array.isArray(s.items)
            ? s.items
            : undefined;
        if (prefix !== undefined) {
          const restSchema = Array.isArray(s.prefixItems) ? s.items : s.additionalItems;
          const rest =
            restSchema === undefined || restSchema === false ? undefined : convert(restSchema, depth + 1);
          return { kind: 'tuple', items: prefix.map((p) => convert(p, depth + 1)), rest, ...m };
        }
        return { kind: 'array', items: s.items === undefined ? any() : convert(s.items, depth + 1), ...m };
      }
      case 'object': {
        const props = isObj(s.properties) ? s.properties : {};
        const required = new Set(
          Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : [],
        );
        const properties = Object.entries(props).map(([name, p]) => ({
          name,
          shape: convert(p, depth + 1),
          required: required.has(name),
        }));
        const extra = s.additionalProperties;
        const closed = extra === false || s.unevaluatedProperties === false;
        const additional =
          extra === undefined || typeof extra === 'boolean' ? undefined : convert(extra, depth + 1);
        if (properties.length === 0 && additional !== undefined)
          return { kind: 'map', values: additional, ...m };
        return { kind: 'object', properties, additional, closed, ...m };
      }
      default:
        return { ...any(nullable), ...m };
    }
  }

  nameOfPointer.set('', rootName); // reserve the root's name before any definition takes it
  const root = convert(schema, 0);
  if (named.has(rootName)) named.set(rootName, root);
  return { root, named };
}

function hasTypeKeywords(schema: Obj): boolean {
  return [
    'type',
    'properties',
    'items',
    'prefixItems',
    'enum',
    'const',
    '$ref',
    'oneOf',
    'anyOf',
    'additionalProperties',
  ].some((k) => k in schema);
}

function inferType(s: Obj): string {
  if ('properties' in s || 'additionalProperties' in s || 'required' in s || 'unevaluatedProperties' in s)
    return 'object';
  if ('items' in s || 'prefixItems' in s) return 'array';
  if ('format' in s || 'pattern' in s || 'minLength' in s || 'maxLength' in s) return 'string';
  if ('minimum' in s || 'maximum' in s || 'multipleOf' in s) return 'number';
  return 'any';
}
