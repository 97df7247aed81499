import {
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  Kind,
  type ConstDirectiveNode,
  type GraphQLArgument,
  type GraphQLEnumType,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';

// The schema generator sanitises MCP names to the GraphQL grammar and records each original in an
// `@mcpName(name: "…")` directive. This codec reverses it: GraphQL arguments → MCP arguments (field
// names and enum values), MCP results → GraphQL values (field names, enum values, `__typename` of
// content blocks).

/** The GraphQL type of each MCP content block `type`. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  text: 'TextContent',
  image: 'ImageContent',
  audio: 'AudioContent',
  resource_link: 'ResourceLink',
  resource: 'EmbeddedResource',
};

// Deeper data is passed through unconverted (GraphQL then reports what does not fit).
const MAX_DEPTH = 128;

/**
 * The string argument of a directive on a schema element, if present.
 *
 * @param directives - the element's AST directives
 * @param name - the directive (`mcpName`, `mcpTool`, …)
 * @param arg - its argument (`name`, `uri`, `uriTemplate`)
 */
export function directiveArgument(
  directives: readonly ConstDirectiveNode[] | undefined,
  name: string,
  arg: string,
): string | undefined {
  const directive = directives?.find((d) => d.name.value === name);
  const value = directive?.arguments?.find((a) => a.name.value === arg)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}

const isObj = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reverses the name sanitising of one generated schema (one instance per schema). */
export class NameCodec {
  readonly #inputFields = new WeakMap<GraphQLInputObjectType, Map<string, string>>();
  readonly #outputFields = new WeakMap<GraphQLObjectType, [string, string][]>();
  readonly #enumToMcp = new WeakMap<GraphQLEnumType, Map<string, string>>();
  readonly #enumFromMcp = new WeakMap<GraphQLEnumType, Map<string, string>>();

  /**
   * The MCP arguments of a field call.
   *
   * @param definitions - the field's argument definitions
   * @param args - the coerced GraphQL arguments
   */
  argumentsToMcp(
    definitions: readonly GraphQLArgument[],
    args: Readonly<Record<string, unknown>>,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const definition of definitions) {
      if (!(definition.name in args)) continue;
      const mcp = directiveArgument(definition.astNode?.directives, 'mcpName', 'name') ?? definition.name;
      out[mcp] = this.inputToMcp(args[definition.name], definition.type);
    }
    return out;
  }

  /** An input value of `type`, with MCP field names and enum values. */
  inputToMcp(value: unknown, type: GraphQLInputType, depth = 0): unknown {
    if (value === null || value === undefined || depth > MAX_DEPTH) return value;
    if (isNonNullType(type)) return this.inputToMcp(value, type.ofType, depth);
    if (isListType(type)) {
      return Array.isArray(value) ? value.map((v) => this.inputToMcp(v, type.ofType, depth + 1)) : value;
    }
    if (isEnumType(type))
      return typeof value === 'string' ? (this.#enumNames(type).get(value) ?? value) : value;
    if (isInputObjectType(type) && isObj(value)) {
      const names = this.#inputNames(type);
      const fields = type.getFields();
      const out: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(value)) {
        const field = fields[name];
        out[names.get(name) ?? name] = field === undefined ? v : this.inputToMcp(v, field.type, depth + 1);
      }
      return out;
    }
    return value;
  }

  /** An MCP value as a GraphQL value of `type` (field names, enum values, `__typename` of unions). */
  outputFromMcp(value: unknown, type: GraphQLOutputType, depth = 0): unknown {
    if (value === null || value === undefined || depth > MAX_DEPTH) return value;
    if (isNonNullType(type)) return this.outputFromMcp(value, type.ofType, depth);
    if (isListType(type)) {
      return Array.isArray(value) ? value.map((v) => this.outputFromMcp(v, type.ofType, depth + 1)) : value;
    }
    if (isEnumType(type)) {
      return typeof value === 'string' ? (this.#enumFromMcpNames(type).get(value) ?? value) : value;
    }
    if (isUnionType(type) && isObj(value)) {
      const member =
        typeof value.type === 'string'
          ? type.getTypes().find((t) => t.name === CONTENT_TYPES[value.type as string])
          : undefined;
      // An unknown block is shown as text (its JSON), rather than failing the whole result.
      if (member === undefined)
        return { __typename: 'TextContent', type: 'text', text: JSON.stringify(value) };
      return { ...(this.outputFromMcp(value, member, depth) as object), __typename: member.name };
    }
    if (isObjectType(type) && isObj(value)) {
      const out: Record<string, unknown> = {};
      const fields = type.getFields();
      for (const [name, source] of this.#outputNames(type)) {
        if (source in value)
          out[name] = this.outputFromMcp(
            value[source],
            (fields[name] as { type: GraphQLOutputType }).type,
            depth + 1,
          );
      }
      return out;
    }
    return value;
  }

  #inputNames(type: GraphQLInputObjectType): Map<string, string> {
    let names = this.#inputFields.get(type);
    if (names === undefined) {
      names = new Map();
      for (const field of Object.values(type.getFields())) {
        const mcp = directiveArgument(field.astNode?.directives, 'mcpName', 'name');
        if (mcp !== undefined) names.set(field.name, mcp);
      }
      this.#inputFields.set(type, names);
    }
    return names;
  }

  #outputNames(type: GraphQLObjectType): [string, string][] {
    let names = this.#outputFields.get(type);
    if (names === undefined) {
      names = Object.values(type.getFields()).map((field) => [
        field.name,
        directiveArgument(field.astNode?.directives, 'mcpName', 'name') ?? field.name,
      ]);
      this.#outputFields.set(type, names);
    }
    return names;
  }

  #enumNames(type: GraphQLEnumType): Map<string, string> {
    let names = this.#enumToMcp.get(type);
    if (names === undefined) {
      names = new Map();
      for (const v of type.getValues()) {
        names.set(v.name, directiveArgument(v.astNode?.directives, 'mcpName', 'name') ?? v.name);
      }
      this.#enumToMcp.set(type, names);
    }
    return names;
  }

  #enumFromMcpNames(type: GraphQLEnumType): Map<string, string> {
    let names = this.#enumFromMcp.get(type);
    if (names === undefined) {
      names = new Map([...this.#enumNames(type)].map(([gql, mcp]) => [mcp, gql]));
      this.#enumFromMcp.set(type, names);
    }
    return names;
  }
}
