// Prepares a server's JSON Schema for json-schema-to-typescript. The schema comes from the server, so
// it is treated as hostile: the converter's own extension keywords (`tsType` would paste raw TypeScript
// into the output), external `$ref`s (which it would fetch or read from disk) and `$id`s are removed,
// and text that lands in comments cannot close them.

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Keywords whose value is one schema or an array of schemas (draft-04 … 2020-12).
const SCHEMA_KEYWORDS = new Set([
  'items',
  'additionalItems',
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'propertyNames',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'allOf',
  'anyOf',
  'oneOf',
  'prefixItems',
]);
// Keywords whose value maps names to schemas.
const SCHEMA_MAP_KEYWORDS = new Set([
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
  'dependentSchemas',
]);
// Keywords that are dropped: the converter's extensions, identifiers that change how names and
// references resolve, and what the converter would otherwise read as a list of supertypes.
const DROPPED = new Set([
  'tsType',
  'tsEnumNames',
  'tsExtends',
  'extends',
  '$id',
  'id',
  '$schema',
  '$anchor',
  '$dynamicAnchor',
  '$dynamicRef',
  '$recursiveRef',
  '$recursiveAnchor',
]);

/**
 * Makes text safe inside a `/* … *\/` comment: `*\/` cannot end it, and no carriage returns.
 *
 * @param text - a description or title from the server
 */
export function commentSafe(text: string): string {
  return text.replaceAll('*/', '*\\/').replaceAll('\r\n', '\n').replaceAll('\r', '\n');
}

/** Options of {@link sanitizeSchema}. */
export interface SanitizeOptions {
  /** The name the root type gets (written as the root's `title`). */
  rootName: string;
  /** Turns a nested `title` into the name of its type (e.g. prefixing the root name). */
  nestedTitle: (title: string) => string;
}

/**
 * A copy of a JSON Schema fit for json-schema-to-typescript: local `$ref`s (`#`, `#/…`) only, none of
 * the converter's extension keywords, comment-safe descriptions, the root titled `rootName` and nested
 * titles renamed by `nestedTitle`. Values of `const`, `enum`, `default` and `examples` are copied as
 * they are.
 *
 * @param schema - the schema as the server listed it
 * @param options - root name and nested-title naming
 * @example
 * ```ts
 * sanitizeSchema({ type: 'object', tsType: 'any' }, { rootName: 'EchoArgs', nestedTitle: (t) => t });
 * // { type: 'object', title: 'EchoArgs' }
 * ```
 */
export function sanitizeSchema(schema: unknown, options: SanitizeOptions): Obj {
  const root = isObj(schema) ? node(schema, options, true) : {};
  return root;
}

function node(schema: Obj, options: SanitizeOptions, isRoot: boolean): Obj {
  const out: Obj = {};
  const set = (key: string, value: unknown): void => {
    // defineProperty: a member named `__proto__` stays a member.
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  };
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key)) continue;
    if (key === '$ref') {
      if (typeof value === 'string' && (value === '#' || value.startsWith('#/'))) set(key, value);
      continue;
    }
    if (key === 'description') {
      if (typeof value === 'string') set(key, commentSafe(value));
      continue;
    }
    if (key === 'title') {
      if (typeof value === 'string' && !isRoot) set(key, options.nestedTitle(value));
      continue;
    }
    if (SCHEMA_KEYWORDS.has(key)) {
      set(key, Array.isArray(value) ? value.map((v) => child(v, options)) : child(value, options));
    } else if (SCHEMA_MAP_KEYWORDS.has(key)) {
      if (!isObj(value)) continue;
      const map: Obj = {};
      for (const [name, sub] of Object.entries(value)) {
        Object.defineProperty(map, name, {
          value: child(sub, options),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      set(key, map);
    } else if (key === 'dependencies' && isObj(value)) {
      // draft-07: a map of schemas or of property-name arrays.
      const map: Obj = {};
      for (const [name, sub] of Object.entries(value)) {
        Object.defineProperty(map, name, {
          value: Array.isArray(sub) ? structuredClone(sub) : child(sub, options),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      set(key, map);
    } else {
      set(key, structuredClone(value));
    }
  }
  // 2020-12 tuples (`prefixItems` + `items`) in the draft-07 form the converter understands.
  if (Array.isArray(out.prefixItems)) {
    const rest = out.items;
    set('items', out.prefixItems);
    delete out.prefixItems;
    if (rest === undefined) delete out.additionalItems;
    else set('additionalItems', rest);
  }
  if (isRoot) set('title', options.rootName);
  return out;
}

// A sub-schema: objects are cleaned, booleans kept, anything else becomes "any value".
function child(value: unknown, options: SanitizeOptions): unknown {
  if (typeof value === 'boolean') return value;
  return isObj(value) ? node(value, options, false) : {};
}
