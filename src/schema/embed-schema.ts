// Copies a tool's JSON Schema into another document (an OpenAPI `components.schemas` entry) so that
// its local references keep working: `#…` pointers are re-rooted at the new location, `$defs` stay
// where they are, and `$schema`/`$id` (which would change how references resolve) are dropped.

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Keywords whose value is a schema, a map of schemas, or an array of schemas (draft-07 and 2020-12).
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
  'contentSchema',
]);
const SCHEMA_MAP_KEYWORDS = new Set([
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
  'dependentSchemas',
]);
const SCHEMA_ARRAY_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);

/**
 * Re-roots a JSON Schema at `pointer` (a JSON pointer fragment such as `#/components/schemas/EchoInput`).
 *
 * @param schema - the schema as the server listed it
 * @param pointer - where the copy will live, as a `#/…` fragment
 * @param mapDescription - applied to every `description` annotation (default: unchanged)
 * @returns a deep copy; values of non-schema keywords (`const`, `default`, `examples`, …) are untouched
 * @example
 * ```ts
 * embedSchema({ $ref: '#/$defs/A', $defs: { A: { type: 'string' } } }, '#/components/schemas/X');
 * // { $ref: '#/components/schemas/X/$defs/A', $defs: { A: { type: 'string' } } }
 * ```
 */
export function embedSchema(
  schema: unknown,
  pointer: string,
  mapDescription: (text: string) => string = (text) => text,
): unknown {
  const rebase = (ref: string): string =>
    ref === '#' || ref.startsWith('#/') ? pointer + ref.slice(1) : ref;

  function schemaNode(node: unknown): unknown {
    if (!isObj(node)) return node; // boolean schemas
    const out: Obj = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$schema' || key === '$id') continue;
      if (key === '$ref' && typeof value === 'string') out[key] = rebase(value);
      else if (key === 'description' && typeof value === 'string') out[key] = mapDescription(value);
      else if (SCHEMA_KEYWORDS.has(key))
        out[key] = Array.isArray(value) ? value.map(schemaNode) : schemaNode(value);
      else if (SCHEMA_MAP_KEYWORDS.has(key) && isObj(value)) {
        out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, schemaNode(v)]));
      } else if (SCHEMA_ARRAY_KEYWORDS.has(key) && Array.isArray(value)) out[key] = value.map(schemaNode);
      else out[key] = structuredClone(value);
    }
    return out;
  }

  return schemaNode(schema);
}
