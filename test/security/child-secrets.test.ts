/**
 * What reaches a stdio child: never the proxy's own secrets, never a variable or interpreter flag that
 * loads code unless allowed by its exact name — whatever `--allow-args` admits.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchboardError } from '../../src/errors.js';
import { ChildEnvPolicy, isCodeLoadingEnv } from '../../src/security/child-env-policy.js';
import { CommandPolicy } from '../../src/security/command-policy.js';
import { codeLoadingArgument } from '../../src/security/interpreter-flags.js';
import { checkChildEnvMappings } from '../../src/security/session-env.js';
import { runCli } from '../cli/cli-runner.js';
import { fixture } from '../fixtures/paths.js';
import { captureLog, openSession, post, startServe } from './harness.js';

const ARGV_BACKEND = fixture('../security/fixtures/argv-backend.mjs');

async function expectRefused(promise: Promise<unknown>, code: string): Promise<SwitchboardError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SwitchboardError);
  expect((error as SwitchboardError).code).toBe(code);
  return error as SwitchboardError;
}

/** Calls the fixture's `env` tool over a fresh session and returns the child's environment. */
async function childEnv(url: string, headers: Record<string, string> = {}): Promise<Record<string, string>> {
  const session = await openSession(url, headers);
  const reply = await post(
    url,
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'env', arguments: {} } },
    session,
  );
  const json = reply.text.startsWith('{') ? reply.text : (/data: (.*)/.exec(reply.text)?.[1] ?? '');
  const text = (JSON.parse(json) as { result: { content: { text: string }[] } }).result.content[0]?.text;
  return JSON.parse(text ?? '{}') as Record<string, string>;
}

describe('--inherit-env keeps the proxy’s secrets and code-loading variables from the child', () => {
  const planted: Record<string, string> = {
    SWITCHBOARD_JWT_SECRET: 'jwt-secret-of-the-proxy-0123456789abcdef',
    SWITCHBOARD_API_KEYS: 'ops:api-key-of-the-proxy-0123456789',
    SWITCHBOARD_FUTURE_TOKEN: 'another-proxy-secret',
    NODE_OPTIONS: '--no-deprecation',
    PYTHONPATH: '/tmp/not-a-real-dir',
    BASH_FUNC_x: '() { id; }',
    SB_TEST_PLAIN: 'plain-value',
  };
  const previous: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const [k, v] of Object.entries(planted)) {
      previous[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('the child sees ordinary variables, none of SWITCHBOARD_*, NODE_OPTIONS, PYTHONPATH, BASH_FUNC_*; names are logged', async () => {
    const log = captureLog();
    const serve = await startServe(
      { command: [process.execPath, ARGV_BACKEND] },
      { stdio: { inheritEnv: true } },
      log.logger,
    );
    try {
      const env = await childEnv(serve.url, { 'x-api-key': 'api-key-of-the-proxy-0123456789' });
      expect(env.SB_TEST_PLAIN).toBe('plain-value');
      expect(env.PATH).toBe(process.env.PATH);
      for (const name of Object.keys(planted).filter((n) => n !== 'SB_TEST_PLAIN'))
        expect(env[name], name).toBeUndefined();
      const warning = log.lines().find((l) => Array.isArray(l.dropped));
      expect(warning?.dropped).toEqual(
        expect.arrayContaining(['SWITCHBOARD_JWT_SECRET', 'SWITCHBOARD_API_KEYS', 'NODE_OPTIONS']),
      );
      expect(JSON.stringify(log.lines())).not.toContain(planted.SWITCHBOARD_JWT_SECRET);
    } finally {
      await serve.close();
    }
  });

  it('a variable allowed by exact name (--allow-env NODE_OPTIONS) is inherited', async () => {
    const serve = await startServe(
      { command: [process.execPath, ARGV_BACKEND] },
      { stdio: { inheritEnv: true }, security: { commands: { allowEnv: ['NODE_OPTIONS'] } } },
    );
    try {
      const env = await childEnv(serve.url, { 'x-api-key': 'api-key-of-the-proxy-0123456789' });
      expect(env.NODE_OPTIONS).toBe('--no-deprecation');
      expect(env.SWITCHBOARD_JWT_SECRET).toBeUndefined();
    } finally {
      await serve.close();
    }
  });
});

describe('explicit code-loading variables are a startup error unless allowed by exact name', () => {
  const backendCommand = { command: [process.execPath, ARGV_BACKEND] };

  for (const name of [
    'NODE_OPTIONS',
    'LD_PRELOAD',
    'LD_LIBRARY_PATH',
    'DYLD_INSERT_LIBRARIES',
    'PYTHONSTARTUP',
    'BASH_ENV',
  ]) {
    it(`stdio.env ${name}`, async () => {
      const error = await expectRefused(
        startServe(backendCommand, { stdio: { env: { [name]: '/tmp/x' } } }),
        'INVALID_OPTIONS',
      );
      expect(error.message).toContain(`--allow-env ${name}`);
    });
  }

  it('allowed by name, the child gets it', async () => {
    const serve = await startServe(backendCommand, {
      stdio: { env: { NODE_OPTIONS: '--no-deprecation' } },
      security: { commands: { allowEnv: ['NODE_OPTIONS'] } },
    });
    try {
      expect((await childEnv(serve.url)).NODE_OPTIONS).toBe('--no-deprecation');
    } finally {
      await serve.close();
    }
  });

  it('the allowance is by exact name: allowing NODE_OPTIONS does not allow LD_PRELOAD', async () => {
    await expectRefused(
      startServe(backendCommand, {
        stdio: { env: { LD_PRELOAD: '/tmp/x.so' } },
        security: { commands: { allowEnv: ['NODE_OPTIONS'] } },
      }),
      'INVALID_OPTIONS',
    );
  });

  it('per-user variables: code-loading names and PATH are refused', () => {
    expect(() => checkChildEnvMappings([{ env: 'PYTHONSTARTUP', claim: 'x' }])).toThrow(/refused/);
    expect(() => checkChildEnvMappings([{ env: 'GIT_SSH_COMMAND', header: 'x' }])).toThrow(/refused/);
    expect(() => checkChildEnvMappings([{ env: 'PATH', claim: 'x' }], ['PATH'])).toThrow(/refused/);
    expect(() => checkChildEnvMappings([{ env: 'GITHUB_TOKEN', claim: 'gh' }])).not.toThrow();
  });

  it('CLI: --env LD_PRELOAD=… exits 2 with one line naming --allow-env', async () => {
    const run = await runCli(
      ['serve', '--env', 'LD_PRELOAD=/tmp/x.so', '--', process.execPath, ARGV_BACKEND],
      { timeoutMs: 30_000 },
    );
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('--allow-env LD_PRELOAD');
  }, 90_000);
});

describe('the command policy refuses code-loading interpreter flags, whatever --allow-args admits', () => {
  // The pattern the docs used to suggest: it admits "--require=./x.js" and "--inspect=0.0.0.0:9229".
  const permissive = { allow: ['node'], argPattern: '[\\w./=:@-]*' };
  let dir: string;
  let marker: string;
  let payload: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sb-flags-'));
    marker = path.join(dir, 'pwned');
    payload = path.join(dir, 'payload.cjs');
    writeFileSync(payload, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x');\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const hostile = (): string[][] => [
    [`--require=${payload}`, ARGV_BACKEND],
    ['-r', payload, ARGV_BACKEND],
    [`--import=${payload}`, ARGV_BACKEND],
    ['--inspect=127.0.0.1:0', ARGV_BACKEND],
    ['--inspect-brk', ARGV_BACKEND],
    [`--experimental-loader=${payload}`, ARGV_BACKEND],
    [`--env-file=${payload}`, ARGV_BACKEND],
    ['-e', 'process.exit'],
    ['-pe', '1'],
    ['--print', '1'],
    [], // no script: node would run what the MCP client writes to stdin
  ];

  it('every hostile node command line is refused at startup and nothing runs', async () => {
    for (const args of hostile()) {
      const error = await expectRefused(
        startServe({ command: ['node', ...args] }, { security: { commands: permissive } }),
        'COMMAND_REFUSED',
      );
      expect(error.message, args.join(' ')).toContain('--allow-flag');
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('a flag allowed by exact name passes (and only that one)', () => {
    const policy = new CommandPolicy({ ...permissive, allowFlags: ['--inspect'] });
    expect(policy.check('node', ['--inspect', ARGV_BACKEND]).args).toEqual(['--inspect', ARGV_BACKEND]);
    expect(() => policy.check('node', ['--inspect-brk', ARGV_BACKEND])).toThrow(/--allow-flag --inspect-brk/);
  });

  it('flags after the script belong to the script and are not checked', () => {
    const policy = new CommandPolicy(permissive);
    expect(() => policy.check('node', [ARGV_BACKEND, '--eval', '-c', 'x'])).not.toThrow();
    expect(() =>
      policy.check('node', ['--max-old-space-size=4096', '--no-warnings', ARGV_BACKEND]),
    ).not.toThrow();
  });

  it('without any policy, command lines are the operator’s own and not checked', () => {
    expect(() => new CommandPolicy().check('node', ['-e', '1'])).not.toThrow();
  });
});

describe('codeLoadingArgument knows node, python, ruby, perl, shells, deno and bun', () => {
  const refused: [string, string[], string][] = [
    ['node', ['--require', 'x.js', 's.js'], '--require'],
    ['/usr/bin/nodejs', ['-C', 'dev', '--eval', '1'], '--eval'],
    ['node22', ['--title', 't', '-i'], '-i'],
    ['node', ['--inspect-port=0', 's.js'], '--inspect-port'],
    ['node', ['--some-future-flag', 'value', '--import', 'x'], '--import'],
    ['node', ['--'], '-'],
    ['node', ['-'], '-'],
    ['tsx', ['--import', 'x', 'server.ts'], '--import'],
    ['python3', ['-c', 'import os'], '-c'],
    ['python3.12', ['-Bc', 'import os'], '-c'],
    ['python', ['-m', 'http.server'], '-m'],
    ['python3', ['-W', 'ignore', '-i', 's.py'], '-i'],
    ['python3', [], '-'],
    ['ruby', ['-rsocket', 's.rb'], '-r'],
    ['ruby', ['-e', 'puts 1'], '-e'],
    ['perl', ['-MIO::Socket', 's.pl'], '-M'],
    ['perl', ['-wle', 'print 1'], '-e'],
    ['perl', ['-d', 's.pl'], '-d'],
    ['bash', ['-c', 'id'], '-c'],
    ['sh', ['-ec', 'id'], '-c'],
    ['dash', ['-s'], '-s'],
    ['bash', ['--rcfile', 'x', 's.sh'], '--rcfile'],
    ['zsh', [], '-'],
    ['deno', ['eval', '1'], 'eval'],
    ['deno', ['run', '--inspect', 's.ts'], '--inspect'],
    ['deno', [], '-'],
    ['bun', ['--preload', 'x.ts', 's.ts'], '--preload'],
    ['bun', ['x', 'cowsay'], 'x'],
  ];
  for (const [command, args, flag] of refused) {
    it(`${command} ${args.join(' ')} → ${flag}`, () => {
      expect(codeLoadingArgument([command], args)?.flag).toBe(flag);
    });
  }

  const admitted: [string, string[]][] = [
    ['node', ['server.js', '--eval', 'x']],
    ['node', ['--enable-source-maps', '--experimental-strip-types', 'server.ts']],
    ['node', ['--max-old-space-size=512', 'dist/index.js', '-p', '3000']],
    ['python3', ['-u', 'server.py', '-c', 'config.yaml']],
    ['python3', ['-W', 'ignore', 'server.py']],
    ['ruby', ['-w', 'server.rb', '-e', 'x']],
    ['perl', ['-w', 'server.pl']],
    ['bash', ['-e', 'run.sh', '-c', 'x']],
    ['deno', ['run', '-A', 'server.ts']],
    ['bun', ['run', 'server.ts']],
    ['npx', ['-y', '@modelcontextprotocol/server-everything']],
    ['/opt/mcp/bin/server', ['-e', 'anything']],
  ];
  for (const [command, args] of admitted) {
    it(`${command} ${args.join(' ')} is admitted`, () => {
      expect(codeLoadingArgument([command], args)).toBeUndefined();
    });
  }

  it('an option unknown to the table followed only by one operand cannot hide the script: refused, allowable by name', () => {
    expect(codeLoadingArgument(['node'], ['--some-new-option', 'server.js'])?.flag).toBe('--some-new-option');
    expect(
      codeLoadingArgument(['node'], ['--some-new-option', 'server.js'], new Set(['--some-new-option'])),
    ).toBeUndefined();
  });

  it('the interpreter is recognised by its real path too (a symlink named otherwise)', () => {
    expect(codeLoadingArgument(['/usr/local/bin/my-runtime', '/usr/bin/node'], ['-e', '1'])?.flag).toBe('-e');
  });
});

describe('ChildEnvPolicy', () => {
  it('classifies code-loading names, families and case', () => {
    for (const name of [
      'NODE_OPTIONS',
      'LD_AUDIT',
      'ld_preload',
      'DYLD_LIBRARY_PATH',
      'GIT_CONFIG_COUNT',
      'PERL5OPT',
      'RUBYOPT',
      'ENV',
      'JAVA_TOOL_OPTIONS',
      'GCONV_PATH',
      'OPENSSL_CONF',
    ])
      expect(isCodeLoadingEnv(name), name).toBe(true);
    for (const name of ['PATH', 'HOME', 'GITHUB_TOKEN', 'NODE_ENV', 'PYTHONUNBUFFERED', 'LANG'])
      expect(isCodeLoadingEnv(name), name).toBe(false);
  });

  it('inherited() drops SWITCHBOARD_*, code-loading names and exported functions, keeps the rest', () => {
    const { env, dropped } = new ChildEnvPolicy().inherited({
      SWITCHBOARD_API_KEYS: 'k',
      switchboard_jwt_secret: 's',
      LD_PRELOAD: '/x.so',
      FN: '() { id; }',
      NODE_ENV: 'production',
    });
    expect(env).toEqual({ NODE_ENV: 'production' });
    expect(dropped.sort()).toEqual(['FN', 'LD_PRELOAD', 'SWITCHBOARD_API_KEYS', 'switchboard_jwt_secret']);
  });
});
