// Turning MCP names (any Unicode string) into identifiers of target grammars. The generators record
// the original next to every name that changed (a directive, a json_name or a comment), so the
// mapping can be reversed.

/**
 * Folds text to ASCII identifier characters: accents are removed (NFKD), every other character that
 * is not `[A-Za-z0-9_]` becomes `_`.
 *
 * @param text - any name
 * @example
 * ```ts
 * asciiWord('créer_élément'); // 'creer_element'
 * asciiWord('get.user-profile'); // 'get_user_profile'
 * ```
 */
export function asciiWord(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * The words of a name, for case conversions (`get.user-profile` → `get`, `user`, `profile`;
 * `camelCase` → `camel`, `Case`).
 *
 * @param text - any name
 */
export function words(text: string): string[] {
  return asciiWord(text)
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split('_')
    .filter((w) => w !== '');
}

/**
 * PascalCase of a name, never empty, never starting with a digit (prefixed with `_` then).
 *
 * @param text - any name
 * @param fallback - used when the name has no letters or digits (default `Unnamed`)
 */
export function pascalCase(text: string, fallback = 'Unnamed'): string {
  const joined = words(text)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
  if (joined === '') return fallback;
  return /^\d/.test(joined) ? `_${joined}` : joined;
}

/**
 * UPPER_SNAKE_CASE of a name (for protobuf enum values).
 *
 * @param text - any name
 */
export function upperSnake(text: string): string {
  return words(text)
    .map((w) => w.toUpperCase())
    .join('_');
}

/**
 * An identifier `[A-Za-z_][A-Za-z0-9_]*` close to the original: ASCII-folded, `_` for other
 * characters, `_` in front of a leading digit, never empty.
 *
 * @param text - any name
 */
export function identifier(text: string): string {
  const word = asciiWord(text);
  if (word === '') return '_';
  return /^\d/.test(word) ? `_${word}` : word;
}

/**
 * Hands out unique names within one scope: a taken name gets `_2`, `_3`, … appended.
 */
export class NameScope {
  readonly #taken = new Set<string>();
  readonly #fold: (name: string) => string;

  /**
   * @param reserved - names that are never handed out (keywords, built-in type names)
   * @param options - `caseInsensitive` (default false): `Foo` and `foo` collide
   */
  constructor(reserved: Iterable<string> = [], options: { caseInsensitive?: boolean } = {}) {
    this.#fold = options.caseInsensitive === true ? (n) => n.toLowerCase() : (n) => n;
    for (const name of reserved) this.#taken.add(this.#fold(name));
  }

  /**
   * Claims `base`, or the first free `base_N` (N ≥ 2).
   *
   * @param base - the wanted name (already valid in the target grammar)
   * @returns the claimed name
   */
  claim(base: string): string {
    let name = base;
    for (let i = 2; this.#taken.has(this.#fold(name)); i++) name = `${base}_${i}`;
    this.#taken.add(this.#fold(name));
    return name;
  }

  /** Whether a name is taken (or reserved). */
  has(name: string): boolean {
    return this.#taken.has(this.#fold(name));
  }
}
