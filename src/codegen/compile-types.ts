import { SwitchboardError } from '../errors.js';
import { typeName, type NameScope } from './identifiers.js';
import { sanitizeSchema } from './sanitize-schema.js';

// JSON Schema → TypeScript declarations through json-schema-to-typescript, one root type per call.
// Names: the root gets the name the generator chose; every other named type (a `title`d sub-schema,
// a `$defs` entry) gets the root's name as a prefix and is claimed in the file-wide scope, so the
// declarations of separate calls never collide.

/** Formatting of the generated declarations (prettier options, as the package's own style). */
const STYLE = { printWidth: 110, singleQuote: true, trailingComma: 'all', semi: true } as const;

/** What one root type should become. */
export interface TypeRequest {
  /** The root type's name (already claimed, a fixed point of the converter's naming). */
  rootName: string;
  /** The JSON Schema, as the server listed it. */
  schema: unknown;
}

/**
 * Converts JSON Schemas to TypeScript declarations, in order.
 *
 * @param requests - one root type per request
 * @param scope - the file-wide scope of type names (root names already claimed)
 * @returns the declarations of every request, in order, each block formatted by prettier
 * @throws SwitchboardError `GENERATE_FAILED` when the converter rejects a schema or two blocks declare
 *   the same name
 */
export async function compileTypes(requests: readonly TypeRequest[], scope: NameScope): Promise<string> {
  // Loaded on first use: the converter (with prettier) is large, and no other command needs it.
  const { compile } = await import('json-schema-to-typescript');
  const blocks: string[] = [];
  for (const request of requests) {
    const { rootName } = request;
    const nested = (name: string): string => `${rootName}${typeName(name)}`;
    const schema = sanitizeSchema(request.schema, { rootName, nestedTitle: nested });
    // The converter may ask for the same sub-schema's name more than once: answer consistently.
    const claimed = new Map<string, string>();
    const claim = (base: string): string => {
      let name = claimed.get(base);
      if (name === undefined) {
        name = scope.claim(base);
        claimed.set(base, name);
      }
      return name;
    };
    let code: string;
    try {
      code = await compile(schema, rootName, {
        bannerComment: '',
        additionalProperties: false,
        declareExternallyReferenced: true,
        unreachableDefinitions: false,
        strictIndexSignatures: true,
        unknownAny: true,
        format: true,
        style: STYLE,
        $refOptions: { resolve: { external: false } },
        customName: (sub, keyName) => {
          const title = typeof sub.title === 'string' ? sub.title : undefined;
          if (title === rootName) return rootName;
          if (title !== undefined) return claim(title);
          // Every original `$id` was removed, so an `$id` here is the converter's name for a `$defs`
          // entry it dereferenced.
          const key = keyName ?? (typeof sub.$id === 'string' ? sub.$id : undefined);
          return key === undefined ? undefined : claim(nested(key));
        },
      });
    } catch (cause) {
      throw new SwitchboardError(
        'GENERATE_FAILED',
        `cannot convert the schema of ${rootName}: ${(cause as Error).message}`,
        { cause },
      );
    }
    blocks.push(code.trim());
  }
  const text = blocks.join('\n\n');
  const seen = new Set<string>();
  for (const match of text.matchAll(/^export (?:interface|type|enum|const enum|declare const) (\w+)/gm)) {
    const name = match[1] ?? '';
    if (seen.has(name)) {
      throw new SwitchboardError('GENERATE_FAILED', `the type name ${name} is declared twice`);
    }
    seen.add(name);
  }
  return text;
}
