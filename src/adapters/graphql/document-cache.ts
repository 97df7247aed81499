import {
  parse,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type Source,
  type ValidationRule,
} from 'graphql';

/** Longest query text that is cached (longer ones are parsed every time). */
const MAX_CACHED_QUERY = 64 * 1024;
// `@include(if: $x)` / `@skip(if: $x)` make the cost depend on the variables: not cached.
const VARIABLE_DEPENDENT = /@(include|skip)\b/;

/**
 * Parsing and validation results of recent operations: clients send the same few documents again and
 * again, and graphql-js parses and validates each one from scratch otherwise. Parsed documents are
 * kept in a bounded LRU by query text; validation results per schema and document (a new schema — a
 * new catalog — validates again).
 */
export class DocumentCache {
  readonly #max: number;
  readonly #documents = new Map<string, DocumentNode>();
  readonly #validated = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, readonly GraphQLError[]>>();

  /** @param max - most documents kept (default 500) */
  constructor(max = 500) {
    this.#max = max;
  }

  /**
   * graphql-js `parse`, cached.
   *
   * @throws GraphQLError on a syntax error (never cached)
   */
  readonly parse = (query: string | Source): DocumentNode => {
    if (typeof query !== 'string') return parse(query);
    const known = this.#documents.get(query);
    if (known !== undefined) {
      // Most recently used last: the Map's order is the LRU order.
      this.#documents.delete(query);
      this.#documents.set(query, known);
      return known;
    }
    const document = parse(query);
    if (query.length <= MAX_CACHED_QUERY) {
      this.#documents.set(query, document);
      if (this.#documents.size > this.#max) {
        const oldest = this.#documents.keys().next().value;
        if (oldest !== undefined) this.#documents.delete(oldest);
      }
    }
    return document;
  };

  /**
   * graphql-js `validate`, cached per schema and document unless the document's cost depends on its
   * variables (`@include`/`@skip`).
   */
  readonly validate = (
    schema: GraphQLSchema,
    document: DocumentNode,
    rules?: readonly ValidationRule[],
  ): readonly GraphQLError[] => {
    const source = document.loc?.source.body ?? '';
    if (VARIABLE_DEPENDENT.test(source)) return validate(schema, document, rules);
    let bySchema = this.#validated.get(schema);
    if (bySchema === undefined) {
      bySchema = new WeakMap();
      this.#validated.set(schema, bySchema);
    }
    const known = bySchema.get(document);
    if (known !== undefined) return known;
    const errors = validate(schema, document, rules);
    bySchema.set(document, errors);
    return errors;
  };
}
