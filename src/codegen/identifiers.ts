import { NameScope, words } from '../schema/names.js';
import { compareCodePoints } from './canonical-json.js';

// How MCP names (any Unicode string) become TypeScript names in a generated client. The rules are
// documented in docs/generate.md; tests pin them.

/**
 * The camelCase member name of an MCP name: ASCII-folded words (`-`, `.`, `_`, spaces and case changes
 * split words), the first word lower case, the others capitalised; `_` in front of a leading digit;
 * `unnamed` when nothing is left.
 *
 * @param name - a tool, prompt, resource or group name
 * @example
 * ```ts
 * memberName('get-sum'); // 'getSum'
 * memberName('créer_élément'); // 'creerElement'
 * memberName('1st-tool'); // '_1stTool'
 * ```
 */
export function memberName(name: string): string {
  const parts = words(name);
  const [first = '', ...rest] = parts;
  const head = /^[A-Z0-9]+$/.test(first)
    ? first.toLowerCase()
    : first.charAt(0).toLowerCase() + first.slice(1);
  const joined = head + rest.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  if (joined === '') return 'unnamed';
  return /^\d/.test(joined) ? `_${joined}` : joined;
}

/**
 * The PascalCase type name of an MCP name: words capitalised, a letter after digits upper case, `_`
 * in front of a leading digit, `Unnamed` when nothing is left. The result is left unchanged by the
 * naming of json-schema-to-typescript, so the names the generator picks are the names it emits.
 *
 * @param name - any name
 * @example
 * ```ts
 * typeName('get-sum'); // 'GetSum'
 * typeName('1st-tool'); // '_1StTool'
 * ```
 */
export function typeName(name: string): string {
  const joined = words(name)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')
    .replace(/(\d)([a-z])/g, (_m, digit: string, letter: string) => digit + letter.toUpperCase());
  if (joined === '') return 'Unnamed';
  return /^\d/.test(joined) ? `_${joined}` : joined;
}

/** One thing to name in a namespace: its MCP name (the sort key) and what it stands for. */
export interface NamedEntry<T> {
  key: string;
  item: T;
}

/**
 * Gives every entry of one namespace a unique member name: first the entries whose name is already
 * its own camelCase form (so `echo` stays `echo` whatever else appears), then the others, each group
 * in code-point order of the MCP name. A taken name gets `_2`, `_3`, … appended.
 *
 * @param entries - the entries of one namespace
 * @param scope - the names already taken (reserved words, groups)
 * @returns the entries with their names, in the order they were named
 */
export function nameEntries<T>(
  entries: readonly NamedEntry<T>[],
  scope: NameScope,
): { name: string; key: string; item: T }[] {
  const sorted = [...entries].sort((a, b) => compareCodePoints(a.key, b.key));
  const exact = sorted.filter((e) => memberName(e.key) === e.key);
  const converted = sorted.filter((e) => memberName(e.key) !== e.key);
  return [...exact, ...converted].map((e) => ({
    name: scope.claim(memberName(e.key)),
    key: e.key,
    item: e.item,
  }));
}

/** Members of every generated client class; a group shortcut never takes one of these names. */
export const CLIENT_MEMBERS = [
  'tools',
  'prompts',
  'resources',
  'session',
  'close',
  'then', // a thenable client would be unwrapped by `await connect(…)`
  'constructor',
  'toString',
  'valueOf',
  'toJSON',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
] as const;

/** A name scope of type names with the ones every generated file imports reserved. */
export function typeScope(extra: Iterable<string> = []): NameScope {
  return new NameScope([
    'CallToolResult',
    'GetPromptResult',
    'ReadResourceResult',
    'CallOptions',
    'ClientSession',
    'ClientTarget',
    'ConnectSessionOptions',
    'Promise',
    'Record',
    'Readonly',
    ...extra,
  ]);
}

export { NameScope };
