import path from 'node:path';

/**
 * What one interpreter's command line looks like, as far as code loading goes. The scan is
 * conservative: an option it does not know may take the next argument as its value, so that argument
 * is checked as an option too (a false refusal is possible, a missed flag is not).
 */
interface InterpreterSpec {
  /** Shown in refusals. */
  name: string;
  /** Matches the executable's base name. */
  match: RegExp;
  /** Options that evaluate, load or debug code (`--inspect*`: a prefix). */
  refused: readonly string[];
  /** Options that take the next argument as their value (when not given as `--opt=value`). */
  takesValue: readonly string[];
  /** Options known to take no value: the operand after them is the script. */
  boolean: readonly string[];
  /** Options after which the rest of the line belongs to the program (`python -m mod args…`). */
  terminators?: readonly string[] | undefined;
  /** Short options may be bundled (`-ec`): each letter is checked. */
  bundling: boolean;
  /** `+o`-style options (shells). */
  plusOptions?: boolean | undefined;
  /** Subcommands that evaluate code or run what a project file says (`deno eval`, `bun x`). */
  refusedSubcommands?: readonly string[] | undefined;
  /** Subcommands followed by more options and then the script (`deno run --flags script`). */
  runSubcommands?: readonly string[] | undefined;
}

const NODE_VALUE_OPTIONS = [
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-C',
  '--conditions',
  '--input-type',
  '--title',
  '--inspect-port',
  '--debug-port',
  '--env-file',
  '--env-file-if-exists',
  '--redirect-warnings',
  '--openssl-config',
  '--snapshot-blob',
  '--run',
  '--experimental-config-file',
  '--disable-warning',
  '--diagnostic-dir',
  '--report-dir',
  '--report-directory',
  '--report-filename',
  '--report-signal',
  '--heapsnapshot-signal',
  '--cpu-prof-dir',
  '--cpu-prof-name',
  '--heap-prof-dir',
  '--heap-prof-name',
  '--icu-data-dir',
  '--dns-result-order',
  '--unhandled-rejections',
  '--trace-event-categories',
  '--trace-event-file-pattern',
  '--watch-path',
  '--max-http-header-size',
  '--stack-trace-limit',
  '--localstorage-file',
  '--test-reporter',
  '--test-reporter-destination',
  '--test-name-pattern',
  '--allow-fs-read',
  '--allow-fs-write',
  '--tls-keylog',
  '--tls-cipher-list',
  '--experimental-policy',
  '--policy-integrity',
  '--experimental-sea-config',
  '--experimental-specifier-resolution',
  '--es-module-specifier-resolution',
  '--heap-prof-interval',
  '--cpu-prof-interval',
  '--secure-heap',
  '--secure-heap-min',
  '--use-largepages',
  '--disable-proto',
  '--test-concurrency',
  '--test-shard',
  '--test-timeout',
  '--test-coverage-include',
  '--test-coverage-exclude',
  '--test-isolation',
  '--test-global-setup',
  '--watch-kill-signal',
  '--network-family-autoselection-attempt-timeout',
  '--inspect-publish-uid',
  '--security-revert',
];

const SHELL_SPEC = {
  refused: ['-c', '-i', '-s', '--rcfile', '--init-file'],
  takesValue: ['-o', '+o', '-O', '+O', '--rcfile', '--init-file'],
  boolean: [
    '-e',
    '-u',
    '-x',
    '-v',
    '-n',
    '-f',
    '-a',
    '-b',
    '-h',
    '-m',
    '-p',
    '-l',
    '--login',
    '--norc',
    '--noprofile',
    '--posix',
    '--restricted',
    '-r',
  ],
  terminators: ['-c'],
  bundling: true,
  plusOptions: true,
} as const;

/** The interpreters the command policy knows, and how each loads code from its command line. */
const INTERPRETERS: readonly InterpreterSpec[] = [
  {
    name: 'node',
    // tsx and ts-node take node's flags (and evaluate -e/-p/-r/-i the same way).
    match: /^(node|nodejs|tsx|ts-node)(\d+)?(\.exe)?$/i,
    refused: [
      '-e',
      '--eval',
      '-p',
      '--print',
      '-r',
      '--require',
      '--import',
      '--loader',
      '--experimental-loader',
      '--inspect*',
      '--debug*',
      '--env-file*',
      '-i',
      '--interactive',
      '--experimental-config-file',
      '--experimental-default-config-file',
      '--snapshot-blob',
      '--openssl-config',
      '--run',
      '--test',
    ],
    takesValue: NODE_VALUE_OPTIONS,
    // Families of flags without a value (value-taking members are listed above and checked first).
    boolean: [
      '--no-*',
      '--experimental-*',
      '--trace-*',
      '--enable-*',
      '--expose-*',
      '--harmony*',
      '--preserve-*',
      '--force-*',
      '--insecure-*',
      '--tls-min-*',
      '--tls-max-*',
      '--report-*',
      '--throw-deprecation',
      '--pending-deprecation',
      '--frozen-intrinsics',
      '--abort-on-uncaught-exception',
      '--expose-gc',
      '--jitless',
      '--no-addons',
      '--permission',
      '--experimental-permission',
      '--watch',
      '--use-openssl-ca',
      '--use-bundled-ca',
      '--zero-fill-buffers',
    ],
    bundling: true,
  },
  {
    name: 'python',
    match: /^(python|pypy)(\d+(\.\d+)*)?[dmu]*(\.exe)?$/i,
    refused: ['-c', '-m', '-i'],
    takesValue: ['-W', '-X', '--check-hash-based-pycs'],
    boolean: ['-b', '-B', '-d', '-E', '-I', '-O', '-OO', '-P', '-q', '-R', '-s', '-S', '-u', '-v', '-x'],
    terminators: ['-c', '-m'],
    bundling: true,
  },
  {
    name: 'ruby',
    match: /^ruby(\d+(\.\d+)*)?(\.exe)?$/i,
    refused: ['-e', '-r', '-I'],
    takesValue: ['-e', '-r', '-I', '-C', '-E', '-F'],
    boolean: [
      '-w',
      '-W',
      '-v',
      '-d',
      '-n',
      '-p',
      '-a',
      '-l',
      '-s',
      '-c',
      '--disable-gems',
      '--jit',
      '--yjit',
    ],
    bundling: true,
  },
  {
    name: 'perl',
    match: /^perl(\d+(\.\d+)*)?(\.exe)?$/i,
    refused: ['-e', '-E', '-M', '-m', '-I', '-d'],
    takesValue: ['-e', '-E'],
    boolean: ['-w', '-W', '-X', '-T', '-t', '-U', '-n', '-p', '-a', '-l', '-s', '-c', '-S'],
    bundling: true,
  },
  { name: 'sh', match: /^(sh|bash|dash|zsh|ksh|mksh|ash|yash)(\.exe)?$/i, ...SHELL_SPEC },
  {
    name: 'fish',
    match: /^fish$/i,
    refused: ['-c', '--command', '-C', '--init-command', '-i', '--interactive'],
    takesValue: [
      '-c',
      '--command',
      '-C',
      '--init-command',
      '-d',
      '--debug',
      '-o',
      '--debug-output',
      '-f',
      '--features',
    ],
    boolean: ['-n', '--no-execute', '-l', '--login', '-N', '--no-config', '-P', '--private'],
    terminators: ['-c', '--command'],
    bundling: true,
  },
  {
    name: 'deno',
    match: /^deno(\.exe)?$/i,
    refused: ['--inspect*', '--preload', '--import-map', '--env-file*', '-c', '--config', '--v8-flags*'],
    takesValue: [
      '--preload',
      '--import-map',
      '--env-file',
      '-c',
      '--config',
      '-L',
      '--log-level',
      '--location',
      '--seed',
      '--cert',
      '--v8-flags',
    ],
    boolean: [
      '-A',
      '--allow-all',
      '-q',
      '--quiet',
      '-r',
      '--reload',
      '--no-prompt',
      '--check',
      '--no-check',
      '--watch',
    ],
    bundling: true,
    refusedSubcommands: ['eval', 'repl', 'task', 'x'],
    runSubcommands: ['run', 'serve'],
  },
  {
    name: 'bun',
    match: /^bun(\.exe)?$/i,
    refused: [
      '-e',
      '--eval',
      '-p',
      '--print',
      '-r',
      '--preload',
      '--inspect*',
      '--env-file*',
      '-c',
      '--config',
    ],
    takesValue: ['-e', '--eval', '-p', '--print', '-r', '--preload', '--env-file', '-c', '--config', '--cwd'],
    boolean: ['--bun', '--smol', '--watch', '--hot', '--silent'],
    bundling: false,
    refusedSubcommands: ['repl', 'x', 'exec'],
    runSubcommands: ['run'],
  },
];

/** A code-loading argument the policy refuses. */
export interface CodeLoadingArgument {
  /** The interpreter it was recognised as (`node`, `python`, …). */
  interpreter: string;
  /** The flag (`--require`), subcommand (`eval`), or `-` (program read from stdin). */
  flag: string;
  /** Index in the argument list (`args.length` when the problem is a missing script). */
  index: number;
  /** Why it is refused, in a few words. */
  reason: string;
}

/** The interpreter spec of an executable, by its base name (or its real path's). */
function interpreterOf(executables: readonly string[]): InterpreterSpec | undefined {
  for (const file of executables) {
    const base = path.basename(file);
    const spec = INTERPRETERS.find((s) => s.match.test(base));
    if (spec !== undefined) return spec;
  }
  return undefined;
}

function listed(list: readonly string[], name: string): boolean {
  return list.some((entry) => (entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : entry === name));
}

/** The option names one argument stands for (`-ec` → `-e`, `-c`), and whether a value follows it. */
function optionsOf(
  arg: string,
  spec: InterpreterSpec,
): { names: string[]; valueAttached: boolean; valueFollows: boolean; unknownArity: boolean } {
  const eq = arg.indexOf('=');
  if (arg.startsWith('--')) {
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const takes = listed(spec.takesValue, name);
    return {
      names: [name],
      valueAttached: eq !== -1,
      valueFollows: takes && eq === -1,
      unknownArity: eq === -1 && !takes && !listed(spec.boolean, name),
    };
  }
  const sign = arg[0] ?? '-';
  if (!spec.bundling || arg.length <= 2) {
    const name = arg.length <= 2 || eq === -1 ? arg : arg.slice(0, eq);
    const takes = listed(spec.takesValue, name);
    return {
      names: [name],
      valueAttached: eq !== -1 && arg.length > 2,
      valueFollows: takes && (arg.length <= 2 || eq === -1),
      unknownArity: !takes && !listed(spec.boolean, name),
    };
  }
  // A bundle: letters until one that takes a value (the rest of the word is that value).
  const names: string[] = [];
  for (let i = 1; i < arg.length; i++) {
    const name = `${sign}${arg[i] ?? ''}`;
    names.push(name);
    if (listed(spec.takesValue, name)) {
      const attached = i < arg.length - 1;
      return { names, valueAttached: attached, valueFollows: !attached, unknownArity: false };
    }
  }
  const last = names[names.length - 1] ?? arg;
  return { names, valueAttached: false, valueFollows: false, unknownArity: !listed(spec.boolean, last) };
}

/**
 * Finds the first argument through which a known interpreter (node, python, ruby, perl, sh/bash/…,
 * fish, deno, bun) would run code that the command line itself supplies or points at — `-e`/`--eval`,
 * `-r`/`--require`, `--import`, `--loader`, `--inspect*` (a debugger is arbitrary code), `--env-file`
 * (it can set `NODE_OPTIONS`), python `-c`/`-m`/`-i`, `sh -c`/`-s`/`-i`, `deno eval`, … — or a line that
 * names no script, so the interpreter would read its program from stdin (which is the MCP client).
 * Options are only scanned up to the script: what follows belongs to the script.
 *
 * @param executables - the command as given and its resolved real path (either may identify it)
 * @param args - the arguments
 * @param allowed - flags (or subcommands, or `-`) explicitly allowed by exact name
 * @returns the refused argument, or `undefined` (also for executables that are no known interpreter)
 * @example
 * ```ts
 * codeLoadingArgument(['node'], ['--require=./x.js', 'server.js']); // { interpreter: 'node', flag: '--require', index: 0 }
 * codeLoadingArgument(['node'], ['server.js', '--eval']);           // undefined: a script argument
 * ```
 */
export function codeLoadingArgument(
  executables: readonly string[],
  args: readonly string[],
  allowed: ReadonlySet<string> = new Set(),
): CodeLoadingArgument | undefined {
  const spec = interpreterOf(executables);
  if (spec === undefined) return undefined;
  const refuse = (flag: string, index: number, reason: string): CodeLoadingArgument | undefined =>
    allowed.has(flag) ? undefined : { interpreter: spec.name, flag, index, reason };
  const stdin = 'with no script it reads its program from stdin, which is the MCP client';
  // The previous option is unknown to this table: it may have taken this argument as its value.
  let unknownBefore: { name: string; index: number } | undefined;
  let subcommandSeen = spec.refusedSubcommands === undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') return i + 1 < args.length ? undefined : refuse('-', args.length, stdin);
    if (arg === '-') return refuse('-', i, stdin);
    const isOption =
      arg.startsWith('-') || (spec.plusOptions === true && arg.startsWith('+') && arg.length > 1);
    if (!isOption) {
      if (unknownBefore !== undefined) {
        // Either this is the unknown option's value, or the script; look further in both cases.
        if (i === args.length - 1)
          return refuse(
            unknownBefore.name,
            unknownBefore.index,
            `the policy cannot tell whether "${arg}" is its value or the script`,
          );
        unknownBefore = undefined;
        continue;
      }
      if (!subcommandSeen) {
        subcommandSeen = true;
        if (spec.refusedSubcommands?.includes(arg)) return refuse(arg, i, 'it evaluates or fetches code');
        if (spec.runSubcommands?.includes(arg)) continue;
      }
      return undefined; // the script: the rest is its own
    }
    const parsed = optionsOf(arg, spec);
    for (const name of parsed.names) {
      if (listed(spec.refused, name)) {
        const refused = refuse(name, i, 'it runs, loads or debugs code given on the command line');
        if (refused !== undefined) return refused;
      }
      if (spec.terminators?.includes(name)) return undefined; // allowed: the rest is the program's
    }
    const last = parsed.names[parsed.names.length - 1] ?? arg;
    if (parsed.valueFollows) {
      i++;
      unknownBefore = undefined;
    } else if (parsed.unknownArity && !parsed.valueAttached && !allowed.has(last)) {
      unknownBefore = { name: last, index: i };
    } else unknownBefore = undefined;
  }
  return refuse('-', args.length, stdin);
}

/** Names of the interpreters whose code-loading flags are known (for docs and messages). */
export const KNOWN_INTERPRETERS: readonly string[] = INTERPRETERS.map((s) => s.name);
