import { identifier, NameScope, pascalCase, upperSnake, words } from './names.js';
import type { SchemaModel, Shape, ShapeProperty } from './shape.js';

// Words that protobuf parsers treat as keywords or built-in types; field names that equal one get a
// trailing `_` (the original is kept in `json_name`).
const PROTO_KEYWORDS = new Set([
  'syntax',
  'edition',
  'import',
  'weak',
  'public',
  'package',
  'option',
  'optional',
  'repeated',
  'required',
  'oneof',
  'map',
  'reserved',
  'extensions',
  'extend',
  'to',
  'max',
  'message',
  'enum',
  'service',
  'rpc',
  'returns',
  'stream',
  'group',
  'true',
  'false',
  'inf',
  'nan',
  'double',
  'float',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
  'bool',
  'string',
  'bytes',
]);

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const fitsInt32 = (n: number | undefined): boolean => n === undefined || (n >= INT32_MIN && n <= INT32_MAX);

/** The well-known types the generated files use. */
export const STRUCT = 'google.protobuf.Struct';
export const VALUE = 'google.protobuf.Value';
export const LIST_VALUE = 'google.protobuf.ListValue';
export const NULL_VALUE = 'google.protobuf.NullValue';

/** How one property is declared. */
export type ProtoField =
  | { kind: 'single'; type: string; scalar: boolean }
  | { kind: 'repeated'; type: string }
  | { kind: 'map'; value: string }
  | { kind: 'oneof'; members: { hint: string; type: string }[] };

/**
 * A protobuf field name for an MCP property name: an identifier, with `_` appended to keywords.
 *
 * @param text - the property name
 */
export function protoFieldName(text: string): string {
  const name = identifier(text);
  return PROTO_KEYWORDS.has(name) ? `${name}_` : name;
}

/**
 * The JSON name protobuf derives from a field name (lowerCamelCase: `_x` → `X`).
 *
 * @param name - a field name
 */
export function defaultJsonName(name: string): string {
  return name.replace(/_+([a-z0-9])?/gi, (_, c: string | undefined) => (c ?? '').toUpperCase());
}

/**
 * A proto string literal: UTF-8 kept, quotes, backslashes and control characters escaped.
 *
 * @param value - any text
 */
export function protoString(value: string): string {
  const escaped = value
    .replace(/["\\]/g, (c) => `\\${c}`)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${escaped}"`;
}

/**
 * `// …` comment lines for untrusted text (control characters removed, one comment line per line).
 *
 * @param text - any text
 * @param indent - indentation of each line
 */
export function protoComment(text: string | undefined, indent: string): string {
  if (text === undefined || text.trim() === '') return '';
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '')
      .trimEnd()
      .split('\n')
      .map((line) => `${indent}//${line.trim() === '' ? '' : ` ${line.trimEnd()}`}`)
      .join('\n') + '\n'
  );
}

/**
 * Turns walked JSON Schemas into proto3 messages and enums: objects → messages, string enums → enums
 * (with a `…_UNSPECIFIED = 0` first value), arrays → `repeated`, maps → `map<string, …>`, `oneOf`/`anyOf`
 * → `oneof`; where proto3 has no equivalent (nested arrays, tuples, untyped values, objects without
 * properties) `google.protobuf.ListValue` / `Value` / `Struct`.
 */
export class ProtoTypeBuilder {
  readonly #types: NameScope;
  readonly #enumValues = new NameScope();
  readonly #definitions: string[] = [];
  readonly #refTypes = new Map<string, string>();
  readonly #inline = new WeakMap<Shape, string>();
  #modelId = 0;

  /** @param types - the file-wide message/enum name scope */
  constructor(types: NameScope) {
    this.#types = types;
  }

  /** The generated definitions, in generation order. */
  get definitions(): readonly string[] {
    return this.#definitions;
  }

  /**
   * Defines a message from properties: fields sorted by property name and numbered 1, 2, … in that
   * order (stable), sanitised names with `json_name` where the JSON name would differ.
   *
   * @param name - the message name (already claimed)
   * @param properties - its properties
   * @param fieldOf - maps a property to its declaration
   * @param description - comment above the message
   */
  defineMessage(
    name: string,
    properties: readonly ShapeProperty[],
    fieldOf: (p: ShapeProperty) => ProtoField,
    description?: string,
  ): void {
    const scope = new NameScope();
    const sorted = [...properties].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let number = 0;
    const next = (): number => {
      number++;
      if (number === 19_000) number = 20_000; // 19000–19999 are reserved by protobuf
      return number;
    };
    const lines: string[] = [];
    for (const property of sorted) {
      const field = fieldOf(property);
      const fieldName = scope.claim(protoFieldName(property.name));
      const jsonName =
        defaultJsonName(fieldName) === property.name ? '' : ` [json_name = ${protoString(property.name)}]`;
      const comment = protoComment(property.shape.description, '  ');
      switch (field.kind) {
        case 'single': {
          const optional = field.scalar && (!property.required || property.shape.nullable) ? 'optional ' : '';
          lines.push(`${comment}  ${optional}${field.type} ${fieldName} = ${next()}${jsonName};`);
          break;
        }
        case 'repeated':
          lines.push(`${comment}  repeated ${field.type} ${fieldName} = ${next()}${jsonName};`);
          break;
        case 'map':
          lines.push(`${comment}  map<string, ${field.value}> ${fieldName} = ${next()}${jsonName};`);
          break;
        case 'oneof': {
          const members = field.members.map(
            (m) => `    ${m.type} ${scope.claim(`${fieldName}_${m.hint}`)} = ${next()};`,
          );
          lines.push(
            `${comment}  // mcp: one of the alternatives of ${protoString(property.name)}\n  oneof ${fieldName} {\n${members.join('\n')}\n  }`,
          );
          break;
        }
      }
    }
    this.#definitions.push(
      `${protoComment(description, '')}message ${name} {${lines.length > 0 ? `\n${lines.join('\n')}\n` : ''}}`,
    );
  }

  /**
   * Registers a model; returns a function mapping its properties to declarations. `rootMessage` is
   * the message a recursive reference to the schema root (`#`) stands for.
   *
   * @param model - a walked schema
   * @param owner - PascalCase prefix for its types
   * @param rootMessage - the message of the root, when it has one
   */
  forModel(model: SchemaModel, owner: string, rootMessage?: string): (property: ShapeProperty) => ProtoField {
    const id = this.#modelId++;
    if (rootMessage !== undefined)
      for (const name of ['Args', 'Output']) this.#refTypes.set(`${id}:${name}`, rootMessage);

    // The type of a value that must be one plain (non-repeated) proto type.
    const single = (shape: Shape, hint: string, depth: number): string => {
      const field = fieldOf(shape, hint, depth);
      if (field.kind === 'single') return field.type;
      return field.kind === 'repeated' ? LIST_VALUE : field.kind === 'map' ? STRUCT : VALUE;
    };

    const fieldOf = (shape: Shape, hint: string, depth: number): ProtoField => {
      const scalar = (type: string): ProtoField => ({ kind: 'single', type, scalar: true });
      if (depth > 32) return scalar(VALUE);
      switch (shape.kind) {
        case 'string':
          return scalar('string');
        case 'integer':
          return scalar(fitsInt32(shape.minimum) && fitsInt32(shape.maximum) ? 'int32' : 'int64');
        case 'number':
          return scalar('double');
        case 'boolean':
          return scalar('bool');
        case 'null':
          return scalar(NULL_VALUE);
        case 'const':
          return scalar(
            typeof shape.value === 'string'
              ? 'string'
              : typeof shape.value === 'boolean'
                ? 'bool'
                : typeof shape.value === 'number'
                  ? 'double'
                  : VALUE,
          );
        case 'enum': {
          if (shape.values.length > 0 && shape.values.every((v) => typeof v === 'string')) {
            return scalar(this.#enumType(shape.values, `${owner}${pascalCase(hint)}`));
          }
          if (shape.values.every((v) => typeof v === 'number')) return scalar('double');
          if (shape.values.every((v) => typeof v === 'boolean')) return scalar('bool');
          return scalar(VALUE);
        }
        case 'array': {
          const item = fieldOf(shape.items, hint, depth + 1);
          if (
            item.kind === 'single' &&
            !shape.items.nullable &&
            item.type !== VALUE &&
            item.type !== NULL_VALUE
          )
            return { kind: 'repeated', type: item.type };
          return { kind: 'single', type: LIST_VALUE, scalar: false };
        }
        case 'tuple':
          return { kind: 'single', type: LIST_VALUE, scalar: false };
        case 'map': {
          const value = fieldOf(shape.values, hint, depth + 1);
          return {
            kind: 'map',
            value: value.kind === 'single' && value.type !== NULL_VALUE ? value.type : VALUE,
          };
        }
        case 'object': {
          if (shape.properties.length === 0) return { kind: 'single', type: STRUCT, scalar: false };
          let name = this.#inline.get(shape);
          if (name === undefined) {
            name = this.#types.claim(`${owner}${pascalCase(hint)}`);
            this.#inline.set(shape, name);
            this.defineMessage(
              name,
              shape.properties,
              (p) => fieldOf(p.shape, `${hint}_${p.name}`, depth + 1),
              shape.description,
            );
          }
          return { kind: 'single', type: name, scalar: false };
        }
        case 'union': {
          const hints = new NameScope();
          const members = shape.variants.map((variant) => ({
            hint: hints.claim(
              identifier(
                words(variant.title ?? variantKind(variant))
                  .join('_')
                  .toLowerCase() || 'value',
              ),
            ),
            type: single(variant, `${hint}_${variant.title ?? variantKind(variant)}`, depth + 1),
          }));
          return { kind: 'oneof', members };
        }
        case 'ref': {
          const key = `${id}:${shape.name}`;
          const known = this.#refTypes.get(key);
          if (known !== undefined) return { kind: 'single', type: known, scalar: false };
          const target = model.named.get(shape.name);
          if (target === undefined) return scalar(VALUE);
          if (target.kind === 'object' && target.properties.length > 0) {
            const name = this.#types.claim(`${owner}${pascalCase(shape.name)}`);
            this.#refTypes.set(key, name); // before the fields: recursive references find it
            this.defineMessage(
              name,
              target.properties,
              (p) => fieldOf(p.shape, `${shape.name}_${p.name}`, depth + 1),
              target.description,
            );
            return { kind: 'single', type: name, scalar: false };
          }
          return fieldOf(target, shape.name, depth + 1);
        }
        case 'any':
          return scalar(VALUE);
      }
    };
    return (property) => fieldOf(property.shape, property.name, 0);
  }

  #enumType(values: readonly string[], base: string): string {
    const name = this.#types.claim(base);
    const prefix = upperSnake(name) || 'ENUM';
    const lines = [`  ${this.#enumValues.claim(`${prefix}_UNSPECIFIED`)} = 0;`];
    values.forEach((value, i) => {
      const valueName = this.#enumValues.claim(`${prefix}_${upperSnake(value) || 'VALUE'}`);
      lines.push(`  ${valueName} = ${i + 1}; // mcp: ${protoString(value)}`);
    });
    this.#definitions.push(`enum ${name} {\n${lines.join('\n')}\n}`);
    return name;
  }
}

function variantKind(shape: Shape): string {
  return shape.kind === 'ref' ? shape.name : shape.kind;
}
