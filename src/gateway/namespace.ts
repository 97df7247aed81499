import { SwitchboardError } from '../errors.js';

/** How a gateway names what its servers offer: `<server><separator><name>`, or the names as they are. */
export type NamespaceOption = { separator: string } | false;

/** The default separator: `everything__echo`. */
export const DEFAULT_SEPARATOR = '__';

/** What a server may be called: it becomes part of every tool and prompt name it exposes. */
const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const usage = (message: string): SwitchboardError => new SwitchboardError('INVALID_OPTIONS', message);

/**
 * `true` when `<a><sep><x>` can equal `<b><sep><y>` for two different servers: `b` is `a` followed by a
 * proper prefix `p` of the separator, and the rest of the separator is itself a prefix of it (servers
 * `a` and `a_` with `__`: `a___t` is both `a` + `__` + `_t` and `a_` + `__` + `t`).
 */
function prefixAmbiguous(a: string, b: string, sep: string): boolean {
  if (b.length <= a.length || !b.startsWith(a)) return false;
  const p = b.slice(a.length);
  if (p.length >= sep.length || !sep.startsWith(p)) return false;
  return sep.startsWith(sep.slice(p.length));
}

/**
 * The naming rule of a gateway: tools and prompts of server `s` are exposed as `s<separator><name>`.
 * Names map back through the catalog's table (never by splitting), so tool names may contain the
 * separator; server names may not, and no two server names may produce the same exposed name.
 *
 * @example
 * ```ts
 * const ns = new Namespace({ separator: '__' }, ['everything', 'files']);
 * ns.expose('files', 'read_file'); // 'files__read_file'
 * ```
 */
export class Namespace {
  readonly #separator: string | undefined;

  /**
   * @param option - `{ separator }` or `false` (names unchanged; only with a single server)
   * @param servers - the server names, in configuration order
   * @throws SwitchboardError `INVALID_OPTIONS` for a bad server name, a server name containing the
   *   separator, two server names that would make names ambiguous (naming both), or `false` with
   *   several servers
   */
  constructor(option: NamespaceOption, servers: readonly string[]) {
    if (servers.length === 0) throw usage('a gateway needs at least one server');
    const seen = new Set<string>();
    for (const name of servers) {
      if (!SERVER_NAME.test(name)) {
        throw usage(
          `server name "${name}": use letters, digits, "_", "." and "-" (at most 64, starting with a letter or digit)`,
        );
      }
      if (seen.has(name)) throw usage(`server name "${name}" is given twice`);
      seen.add(name);
    }
    if (option === false) {
      if (servers.length > 1) {
        throw usage(
          `namespace: false needs a single server (got ${servers.length}: ${servers.join(', ')}); tool names would collide`,
        );
      }
      this.#separator = undefined;
      return;
    }
    const sep = option.separator;
    if (sep === '') throw usage('namespace.separator must not be empty');
    for (const name of servers) {
      if (name.includes(sep)) {
        throw usage(`server name "${name}" contains the namespace separator "${sep}"`);
      }
    }
    for (const a of servers) {
      for (const b of servers) {
        if (a !== b && prefixAmbiguous(a, b, sep)) {
          throw usage(
            `server names "${a}" and "${b}" are ambiguous with the separator "${sep}" ("${a}${sep}${sep.slice(b.length - a.length)}x" could be either's); rename one or choose another separator`,
          );
        }
      }
    }
    this.#separator = sep;
  }

  /** The separator, or `undefined` when names are not namespaced. */
  get separator(): string | undefined {
    return this.#separator;
  }

  /**
   * The name a client sees for `name` of `server`.
   *
   * @param server - the server's configured name
   * @param name - the tool or prompt name the server uses
   */
  expose(server: string, name: string): string {
    return this.#separator === undefined ? name : `${server}${this.#separator}${name}`;
  }
}
