import { SwitchboardError } from '../errors.js';

/**
 * Variables through which a value makes a child (or the interpreter, shell, dynamic linker or tool it
 * starts) load or run code of the value's choosing, rather than just read a setting. Gathered from the
 * documentation of each runtime: the dynamic linker (`LD_*`, `DYLD_*`), node, Python, Perl, Ruby,
 * POSIX shells, the JVM, git, OpenSSL, glibc's iconv, Lua, PHP and Electron.
 */
export const CODE_LOADING_ENV: readonly string[] = [
  'NODE_OPTIONS',
  'NODE_PATH',
  'NODE_REPL_EXTERNAL_MODULE',
  'ELECTRON_RUN_AS_NODE',
  'BUN_OPTIONS',
  'PYTHONPATH',
  'PYTHONHOME',
  'PYTHONSTARTUP',
  'PYTHONUSERBASE',
  'PYTHONBREAKPOINT',
  'PYTHONWARNINGS',
  'PYTHONINSPECT',
  'PYTHONPLATLIBDIR',
  'PYTHONEXECUTABLE',
  'PERL5OPT',
  'PERL5LIB',
  'PERLLIB',
  'PERL5DB',
  'RUBYOPT',
  'RUBYLIB',
  'BASH_ENV',
  'ENV',
  'SHELLOPTS',
  'BASHOPTS',
  'PS4',
  'PROMPT_COMMAND',
  'IFS',
  'ZDOTDIR',
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'JDK_JAVA_OPTIONS',
  'CLASSPATH',
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'GIT_ASKPASS',
  'GIT_EXEC_PATH',
  'GIT_EXTERNAL_DIFF',
  'GIT_PROXY_COMMAND',
  'GIT_PAGER',
  'GIT_EDITOR',
  'SSH_ASKPASS',
  'OPENSSL_CONF',
  'OPENSSL_ENGINES',
  'GCONV_PATH',
  'LUA_INIT',
  'LUA_PATH',
  'LUA_CPATH',
  'PHPRC',
  'PHP_INI_SCAN_DIR',
];

/** Prefixes of whole families: the dynamic linkers, bash's exported functions, git's config injection. */
export const CODE_LOADING_ENV_PREFIXES: readonly string[] = ['LD_', 'DYLD_', 'BASH_FUNC_', 'GIT_CONFIG'];

/** Prefix of the proxy's own settings and secrets (`SWITCHBOARD_JWT_SECRET`, `SWITCHBOARD_API_KEYS`, …). */
export const PROXY_ENV_PREFIX = 'SWITCHBOARD_';

const CODE_LOADING = new Set(CODE_LOADING_ENV);

/**
 * `true` for a variable that makes a child load or run code (see {@link CODE_LOADING_ENV}). Compared
 * case-insensitively: Windows environments are, and a refusal should not hinge on case anywhere.
 *
 * @param name - a variable name
 */
export function isCodeLoadingEnv(name: string): boolean {
  const upper = name.toUpperCase();
  return CODE_LOADING.has(upper) || CODE_LOADING_ENV_PREFIXES.some((p) => upper.startsWith(p));
}

/** Options of {@link ChildEnvPolicy}. */
export interface ChildEnvPolicyOptions {
  /** Code-loading variables allowed anyway, by exact name (`--allow-env NODE_OPTIONS`). */
  allow?: readonly string[] | undefined;
}

/** What {@link ChildEnvPolicy.inherited} kept and dropped. */
export interface InheritedEnv {
  env: Record<string, string>;
  /** Names dropped (never values): the proxy's own variables and code-loading ones. */
  dropped: string[];
}

/**
 * Which environment variables may reach a stdio child. Code-loading variables (`NODE_OPTIONS`,
 * `LD_PRELOAD`, `PYTHONPATH`, …) are refused wherever they come from — explicit settings are a startup
 * error, inherited ones are dropped — unless allowed by exact name; the proxy's own variables
 * (`SWITCHBOARD_*`: its JWT secret, its API keys) are never inherited (set one explicitly if a child
 * needs it).
 *
 * @example
 * ```ts
 * const policy = new ChildEnvPolicy({ allow: ['NODE_OPTIONS'] });
 * policy.checkExplicit({ NODE_OPTIONS: '--max-old-space-size=4096' }, '--env'); // allowed by name
 * policy.checkExplicit({ LD_PRELOAD: '/tmp/x.so' }, '--env');                    // throws INVALID_OPTIONS
 * const { env, dropped } = policy.inherited(process.env);
 * ```
 */
export class ChildEnvPolicy {
  readonly #allow: ReadonlySet<string>;

  /** @param options - names allowed anyway */
  constructor(options: ChildEnvPolicyOptions = {}) {
    this.#allow = new Set(options.allow ?? []);
  }

  /** `true` when `name` may not reach a child (code-loading and not allowed by name). */
  refuses(name: string): boolean {
    return isCodeLoadingEnv(name) && !this.#allow.has(name);
  }

  /**
   * Checks variables set explicitly (flags, config file) once, at startup.
   *
   * @param env - the variables
   * @param source - where they were set, for the message (`--env/stdio.env`)
   * @throws SwitchboardError `INVALID_OPTIONS` naming the first refused variable and the flag allowing it
   */
  checkExplicit(env: Readonly<Record<string, string>>, source: string): void {
    for (const name of Object.keys(env)) {
      if (this.refuses(name)) {
        throw new SwitchboardError(
          'INVALID_OPTIONS',
          `${source} ${name}: this variable makes the child load or run code; refused (allow it by exact name with --allow-env ${name})`,
        );
      }
    }
  }

  /**
   * The environment a child inherits with `--inherit-env`: everything but the proxy's own variables
   * and code-loading ones (unless allowed by name), and exported shell functions.
   *
   * @param source - the environment to inherit from (default `process.env`)
   */
  inherited(source: NodeJS.ProcessEnv = process.env): InheritedEnv {
    const env: Record<string, string> = {};
    const dropped: string[] = [];
    for (const [name, value] of Object.entries(source)) {
      if (value === undefined) continue;
      const own = name.toUpperCase().startsWith(PROXY_ENV_PREFIX) && !this.#allow.has(name);
      // Values starting "() {" are exported shell functions, an injection vector of their own.
      if (own || this.refuses(name) || value.startsWith('()')) dropped.push(name);
      else env[name] = value;
    }
    return { env, dropped };
  }
}
