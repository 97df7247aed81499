import { Kind, print } from 'graphql';
import { identifier, NameScope, pascalCase } from './names.js';
import type { SchemaModel, Shape, ShapeProperty } from './shape.js';

/** Whether a type is used for arguments (`input`) or results (`type`). */
export type Direction = 'input' | 'output';

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

/**
 * A GraphQL string literal (block string for descriptions), escaped by graphql-js's own printer.
 *
 * @param value - any text
 * @param block - `"""…"""` form (default true)
 */
export function gqlString(value: string, block = true): string {
  return print({ kind: Kind.STRING, value, block });
}

/** A description line (block string) followed by a newline and the indent, or nothing. */
export function gqlDescription(text: string | undefined, indent: string): string {
  if (text === undefined || text.trim() === '') return '';
  return `${indent}${gqlString(text).replaceAll('\n', `\n${indent}`)}\n`;
}

/**
 * A GraphQL name for an MCP name: `[_A-Za-z][_0-9A-Za-z]*`, not starting with `__` (reserved for
 * introspection).
 *
 * @param text - any name
 */
export function gqlName(text: string): string {
  return identifier(text).replace(/^__+/, '_');
}

/** `@mcpName(name: "…")` when the GraphQL name differs from the MCP one. */
export function mcpNameDirective(original: string, sanitised: string): string {
  return original === sanitised ? '' : ` @mcpName(name: ${gqlString(original, false)})`;
}

const isInt32 = (n: number | undefined): boolean => n !== undefined && n >= INT32_MIN && n <= INT32_MAX;
// An unknown bound does not rule out Int; a bound beyond 32 bits does.
const fitsInt32 = (n: number | undefined): boolean => n === undefined || isInt32(n);

/**
 * Turns walked JSON Schemas into GraphQL types: objects → `type`/`input`, string enums → `enum`, arrays
 * → lists, nullability from `required`; `oneOf`/`anyOf`, tuples, maps, untyped and empty objects → the
 * `JSON` scalar. Each `$defs` entry becomes one named type per direction.
 */
export class GraphqlTypeBuilder {
  readonly #names: NameScope;
  readonly #definitions: string[] = [];
  readonly #refTypes = new Map<string, string>();
  // Inline object shapes already turned into types (the same shape can be reached twice, e.g. from a
  // recursive root and from the tool's arguments).
  readonly #inlineInputs = new WeakMap<Shape, string>();
  readonly #inlineOutputs = new WeakMap<Shape, string>();
  // Input types being generated, for breaking non-null input cycles (invalid in GraphQL).
  readonly #inputStack = new Set<string>();
  #modelId = 0;

  /** @param names - the document-wide type name scope */
  constructor(names: NameScope) {
    this.#names = names;
  }

  /** The generated type definitions, in generation order. */
  get definitions(): readonly string[] {
    return this.#definitions;
  }

  /**
   * Registers a model and returns a function mapping its shapes to GraphQL type references.
   *
   * @param model - a walked schema
   * @param owner - PascalCase prefix for the names of its types (e.g. the tool name)
   */
  forModel(model: SchemaModel, owner: string): (shape: Shape, direction: Direction, hint: string) => string {
    const id = this.#modelId++;
    const typeOf = (shape: Shape, direction: Direction, hint: string, depth = 0): string => {
      if (depth > 32) return 'JSON';
      switch (shape.kind) {
        case 'string':
          return 'String';
        case 'integer':
          return fitsInt32(shape.minimum) && fitsInt32(shape.maximum) ? 'Int' : 'Float';
        case 'number':
          return 'Float';
        case 'boolean':
          return 'Boolean';
        case 'const':
          return typeof shape.value === 'string'
            ? 'String'
            : typeof shape.value === 'boolean'
              ? 'Boolean'
              : typeof shape.value === 'number'
                ? 'Float'
                : 'JSON';
        case 'enum':
          return this.#enumType(shape.values, `${owner}${pascalCase(hint)}`);
        case 'array': {
          const item = typeOf(shape.items, direction, hint, depth + 1);
          return `[${item}${this.#nullable(shape.items, model) ? '' : '!'}]`;
        }
        case 'object': {
          if (shape.properties.length === 0) return 'JSON';
          const cache = direction === 'input' ? this.#inlineInputs : this.#inlineOutputs;
          const known = cache.get(shape);
          if (known !== undefined) return known;
          const name = this.#claimObjectName(`${owner}${pascalCase(hint)}`, direction);
          cache.set(shape, name);
          this.#defineObject(
            name,
            shape.properties,
            direction,
            (s, h) => typeOf(s, direction, h, depth + 1),
            model,
            undefined,
          );
          return name;
        }
        case 'ref': {
          const key = `${id}:${shape.name}:${direction}`;
          const known = this.#refTypes.get(key);
          if (known !== undefined) return known;
          const target = model.named.get(shape.name);
          if (target === undefined) return 'JSON';
          if (target.kind === 'object' && target.properties.length > 0) {
            const name = this.#claimObjectName(`${owner}${pascalCase(shape.name)}`, direction);
            this.#refTypes.set(key, name); // before the fields: recursive references find it
            this.#defineObject(
              name,
              target.properties,
              direction,
              (s, h) => typeOf(s, direction, h, depth + 1),
              model,
              target.description,
            );
            return name;
          }
          const mapped = typeOf(target, direction, shape.name, depth + 1);
          this.#refTypes.set(key, mapped);
          return mapped;
        }
        case 'null':
        case 'tuple':
        case 'map':
        case 'union':
        case 'any':
          return 'JSON';
      }
    };
    return typeOf;
  }

  #nullable(shape: Shape, model: SchemaModel): boolean {
    if (shape.nullable) return true;
    if (shape.kind === 'null' || shape.kind === 'any') return true;
    if (shape.kind === 'ref') {
      const target = model.named.get(shape.name);
      return target === undefined || target.nullable || target.kind === 'null';
    }
    return false;
  }

  #claimObjectName(base: string, direction: Direction): string {
    return this.#names.claim(direction === 'input' ? `${base}Input` : base);
  }

  #enumType(values: readonly (string | number | boolean)[], base: string): string {
    if (values.length > 0 && values.every((v) => typeof v === 'string')) {
      const name = this.#names.claim(base);
      const scope = new NameScope(['true', 'false', 'null']);
      const lines = (values as string[]).map((value) => {
        const sanitised = scope.claim(gqlName(value));
        return `  ${sanitised}${mcpNameDirective(value, sanitised)}`;
      });
      this.#definitions.push(`enum ${name} {\n${lines.join('\n')}\n}`);
      return name;
    }
    if (values.every((v) => typeof v === 'number'))
      return values.every((v) => Number.isInteger(v) && isInt32(v)) ? 'Int' : 'Float';
    if (values.every((v) => typeof v === 'boolean')) return 'Boolean';
    return 'JSON';
  }

  #defineObject(
    name: string,
    properties: readonly ShapeProperty[],
    direction: Direction,
    typeOf: (shape: Shape, hint: string) => string,
    model: SchemaModel,
    description: string | undefined,
  ): void {
    if (direction === 'input') this.#inputStack.add(name);
    const fields = this.fields(properties, typeOf, model, '  ');
    if (direction === 'input') this.#inputStack.delete(name);
    const keyword = direction === 'input' ? 'input' : 'type';
    this.#definitions.push(`${gqlDescription(description, '')}${keyword} ${name} {\n${fields.join('\n')}\n}`);
  }

  /**
   * Field (or argument) definitions for object properties: sanitised, unique names with `@mcpName`
   * where changed, `!` for required non-nullable properties.
   *
   * @param properties - the properties
   * @param typeOf - maps a property shape to its GraphQL type
   * @param model - the model the shapes belong to
   * @param indent - indentation of each definition
   */
  fields(
    properties: readonly ShapeProperty[],
    typeOf: (shape: Shape, hint: string) => string,
    model: SchemaModel,
    indent: string,
  ): string[] {
    const scope = new NameScope();
    return properties.map((property) => {
      const name = scope.claim(gqlName(property.name));
      const type = typeOf(property.shape, property.name);
      // A required input field whose type is an input being defined would make an unsatisfiable cycle.
      const cycle = this.#inputStack.has(type);
      const nonNull = property.required && !this.#nullable(property.shape, model) && !cycle;
      return `${gqlDescription(property.shape.description, indent)}${indent}${name}: ${type}${nonNull ? '!' : ''}${mcpNameDirective(property.name, name)}`;
    });
  }
}
