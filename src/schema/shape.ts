/**
 * The normalised form of a JSON Schema that the OpenAPI, GraphQL and protobuf generators share.
 * `walkSchema()` (json-schema.ts) is the only code that reads raw JSON Schema keywords; generators
 * only see shapes.
 */

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Annotations any shape may carry. */
export interface ShapeMeta {
  /** `null` is also allowed (`type: [T, "null"]`, an `anyOf` with `{type: "null"}`, `nullable: true`). */
  nullable: boolean;
  title?: string | undefined;
  description?: string | undefined;
  default?: JsonValue | undefined;
  examples?: JsonValue[] | undefined;
  deprecated?: boolean | undefined;
}

/** A property of an object shape. */
export interface ShapeProperty {
  /** The property name exactly as in the schema. */
  name: string;
  shape: Shape;
  required: boolean;
}

/** A normalised schema. */
export type Shape = ShapeMeta &
  (
    | { kind: 'string'; format?: string | undefined }
    | { kind: 'integer'; minimum?: number | undefined; maximum?: number | undefined }
    | { kind: 'number' }
    | { kind: 'boolean' }
    | { kind: 'null' }
    /** `enum` (without `null`, which makes the shape nullable). */
    | { kind: 'enum'; values: (string | number | boolean)[] }
    | { kind: 'const'; value: JsonValue }
    | { kind: 'array'; items: Shape }
    /** `prefixItems` (2020-12) or array-form `items` (draft-07); `rest` from `items`/`additionalItems`. */
    | { kind: 'tuple'; items: Shape[]; rest?: Shape | undefined }
    /**
     * An object with named properties. `additional` is the schema of other properties, `closed` is
     * true for `additionalProperties: false` / `unevaluatedProperties: false`.
     */
    | { kind: 'object'; properties: ShapeProperty[]; additional?: Shape | undefined; closed: boolean }
    /** An object with no named properties whose values all have one shape (`additionalProperties`). */
    | { kind: 'map'; values: Shape }
    /** `oneOf`/`anyOf` (without the `null` member), or a multi-type `type` array. */
    | { kind: 'union'; variants: Shape[]; exclusive: boolean }
    /** A reference to a named shape of the same {@link SchemaModel}. */
    | { kind: 'ref'; name: string }
    /** Anything (`true`, `{}`, an unresolvable `$ref`, a schema too deep to follow). */
    | { kind: 'any' }
  );

/** The shape kinds. */
export type ShapeKind = Shape['kind'];

/** A walked schema: its root shape and the named shapes its `ref`s point to. */
export interface SchemaModel {
  root: Shape;
  /**
   * Named shapes: `$defs`/`definitions` entries by their key, the root (when referenced as `#`) by
   * the root name, other JSON pointers by a name derived from the pointer. Insertion order is
   * first-reference order.
   */
  named: Map<string, Shape>;
}
