import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { createComplexityRule, simpleEstimator } from 'graphql-query-complexity';

/**
 * A validation rule refusing operations nested deeper than `maxDepth` fields (fragments followed;
 * introspection fields such as `__schema` do not count, so GraphiQL's introspection query passes).
 *
 * @param maxDepth - the deepest allowed selection (1 = root fields only)
 * @example
 * ```ts
 * validate(schema, document, [...specifiedRules, depthLimit(10)]);
 * ```
 */
export function depthLimit(maxDepth: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const depthOf = (set: SelectionSetNode | undefined, depth: number, seen: ReadonlySet<string>): number => {
      if (set === undefined) return depth;
      let deepest = depth;
      for (const selection of set.selections) {
        // Stop early: the answer is already "too deep" (and fragment cycles end here too).
        if (deepest > maxDepth) break;
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, depthOf(selection.selectionSet, depth + 1, seen));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet, depth, seen));
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (fragment === undefined || seen.has(name)) continue;
          deepest = Math.max(deepest, depthOf(fragment.selectionSet, depth, new Set([...seen, name])));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, 0, new Set());
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(
              `The operation${node.name ? ` "${node.name.value}"` : ''} is nested more than ${maxDepth} levels deep (the limit)`,
              { nodes: [node], extensions: { code: 'QUERY_TOO_DEEP', limit: maxDepth } },
            ),
          );
        }
      },
    };
  };
}

/**
 * A validation rule refusing operations of more than `maximum` complexity points: each selected field
 * costs one, list fields included once (graphql-query-complexity's simple estimator), so aliases and
 * repeated selections count.
 *
 * @param maximum - the most points an operation may cost
 * @param variables - the operation's variables (they may select fields through `@include`)
 */
export function complexityLimit(
  maximum: number,
  variables: Readonly<Record<string, unknown>>,
): ValidationRule {
  return createComplexityRule({
    maximumComplexity: maximum,
    variables: { ...variables },
    estimators: [simpleEstimator({ defaultComplexity: 1 })],
    createError: (max, actual) =>
      new GraphQLError(`The operation costs ${actual} points; the limit is ${max}`, {
        extensions: { code: 'QUERY_TOO_COMPLEX', limit: max, cost: actual },
      }),
  });
}
