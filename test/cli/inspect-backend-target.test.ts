import { describe, expect, it } from 'vitest';
import {
  backendHeaders,
  describeBackendTarget,
  openBackend,
  parseBackendTarget,
  splitCommandLine,
  splitOperands,
  type BackendTargetInput,
} from '../../src/cli/backend-target.js';
import { SwitchboardError } from '../../src/errors.js';

describe('parseBackendTarget', () => {
  it.each<[string, BackendTargetInput, unknown]>([
    [
      '-- command',
      { command: ['python', 'server.py', '--port', '3'] },
      { kind: 'stdio', command: 'python', args: ['server.py', '--port', '3'] },
    ],
    [
      '--cmd',
      { flags: { backend: 'stdio', cmd: `python "my server.py" --name 'a b'` } },
      { kind: 'stdio', command: 'python', args: ['my server.py', '--name', 'a b'] },
    ],
    ['--cmd alone', { flags: { cmd: 'node s.js' } }, { kind: 'stdio', command: 'node', args: ['s.js'] }],
    [
      'tcp URI',
      { positional: ['tcp://127.0.0.1:7000'] },
      { kind: 'uri', uri: 'tcp://127.0.0.1:7000', scheme: 'tcp', transport: 'tcp', headers: {} },
    ],
    [
      '--backend tcp --tcp',
      { flags: { backend: 'tcp', tcp: 'localhost:7000' } },
      { kind: 'uri', uri: 'tcp://localhost:7000', transport: 'tcp' },
    ],
    ['--tcp alone', { flags: { tcp: '127.0.0.1:1' } }, { kind: 'uri', uri: 'tcp://127.0.0.1:1' }],
    [
      '--backend tls --tcp',
      { flags: { backend: 'tls', tcp: 'h:1' } },
      { kind: 'uri', uri: 'tls://h:1', transport: 'tls' },
    ],
    [
      '--unix',
      { flags: { backend: 'unix', unix: '/run/mcp.sock' } },
      { kind: 'uri', uri: 'unix:///run/mcp.sock', transport: 'unix' },
    ],
    [
      '--http',
      { flags: { backend: 'http', http: 'https://h/mcp' } },
      { kind: 'uri', uri: 'https://h/mcp', transport: 'http' },
    ],
    [
      '--server alias',
      { flags: { server: 'http://h/mcp', header: ['X-Key: k', 'X-Other:  v2 '] } },
      { kind: 'uri', uri: 'http://h/mcp', headers: { 'X-Key': 'k', 'X-Other': 'v2' } },
    ],
    [
      '--websocket',
      { flags: { websocket: 'ws://h/mcp', authToken: 't' } },
      { kind: 'uri', uri: 'ws://h/mcp', transport: 'websocket', authToken: 't' },
    ],
    [
      '--sse adds the scheme',
      { flags: { backend: 'sse', sse: 'http://h/sse' } },
      { kind: 'uri', uri: 'sse+http://h/sse', transport: 'sse' },
    ],
    [
      '--sse keeps sse+',
      { flags: { sse: 'sse+https://h/sse' } },
      { kind: 'uri', uri: 'sse+https://h/sse', transport: 'sse' },
    ],
    ['memory:', { positional: ['memory:demo'] }, { kind: 'uri', uri: 'memory:demo', transport: 'memory' }],
    [
      'unknown scheme left to the registry',
      { positional: ['redis://h:6379'] },
      { kind: 'uri', uri: 'redis://h:6379', transport: 'redis' },
    ],
  ])('%s', (_, input, expected) => {
    expect(parseBackendTarget(input)).toMatchObject(expected as object);
  });

  it.each<[string, BackendTargetInput, RegExp]>([
    ['nothing', {}, /no backend/],
    ['two forms', { positional: ['tcp://h:1'], command: ['x'] }, /give one backend/],
    ['two flags', { flags: { tcp: 'h:1', unix: '/s' } }, /give one backend, not --tcp and --unix/],
    ['two URIs', { positional: ['tcp://h:1', 'tcp://h:2'] }, /expected one backend URI/],
    ['not a URI', { positional: ['server.py'] }, /not a backend URI/],
    ['stdio: URI', { positional: ['stdio:'] }, /given as a command/],
    ['bad --backend', { flags: { backend: 'carrier-pigeon', tcp: 'h:1' } }, /--backend "carrier-pigeon"/],
    ['mismatched backend', { flags: { backend: 'unix', tcp: 'h:1' } }, /--backend unix needs --unix/],
    ['backend without flag', { flags: { backend: 'stdio' } }, /no backend/],
    ['bad host:port', { flags: { tcp: 'nope' } }, /expected host:port/],
    ['unterminated quote', { flags: { cmd: 'python "server.py' } }, /unterminated quote/],
    ['empty command', { flags: { cmd: '   ' } }, /empty/],
    ['header on stdio', { command: ['x'], flags: { header: ['A: b'] } }, /not stdio/],
    ['header on tcp', { positional: ['tcp://h:1'], flags: { authToken: 't' } }, /not "tcp:"/],
    ['bad header', { positional: ['http://h/'], flags: { header: ['no colon'] } }, /expected "Name: value"/],
    ['--http and --server', { flags: { http: 'http://a/', server: 'http://b/' } }, /not both/],
    ['--backend with a URI', { positional: ['tcp://h:1'], flags: { backend: 'tcp' } }, /goes with its flag/],
  ])('rejects %s as a usage error', (_, input, message) => {
    let error: unknown;
    try {
      parseBackendTarget(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as SwitchboardError).code).toBe('INVALID_OPTIONS');
    expect((error as Error).message).toMatch(message);
  });
});

describe('helpers', () => {
  it('splits command lines like a shell, expanding nothing', () => {
    expect(splitCommandLine(`a 'b c' "d \\" e" f\\ g $HOME *.ts | x`)).toEqual([
      'a',
      'b c',
      'd " e',
      'f g',
      '$HOME',
      '*.ts',
      '|',
      'x',
    ]);
  });

  it('splits operands at --', () => {
    expect(
      splitOperands(
        ['node', 's.js', '-p'],
        ['node', 'sb', 'inspect', '--format', 'json', '--', 'node', 's.js', '-p'],
        'inspect',
      ),
    ).toEqual({
      positional: [],
      command: ['node', 's.js', '-p'],
    });
    expect(splitOperands(['tcp://h:1'], ['node', 'sb', 'inspect', 'tcp://h:1'], 'inspect')).toEqual({
      positional: ['tcp://h:1'],
      command: [],
    });
  });

  it('describes targets without secrets', () => {
    expect(describeBackendTarget(parseBackendTarget({ command: ['python', 'my server.py', "it's"] }))).toBe(
      `python 'my server.py' 'it'\\''s'`,
    );
    const target = parseBackendTarget({
      positional: ['http://user:secret@h/mcp'],
      flags: { authToken: 'tok', header: ['X-Key: k'] },
    });
    expect(describeBackendTarget(target)).toBe('http://***@h/mcp');
    expect(backendHeaders(target)).toEqual({ 'X-Key': 'k', Authorization: 'Bearer tok' });
  });

  it('opens unstarted transports through the endpoint registry', async () => {
    const stdio = openBackend(parseBackendTarget({ command: [process.execPath, '-e', ''] }));
    expect(typeof stdio.start).toBe('function');
    await stdio.close();
    const tcp = openBackend(parseBackendTarget({ positional: ['tcp://127.0.0.1:1'] }));
    await tcp.close();
    expect(() => openBackend(parseBackendTarget({ positional: ['nope://x'] }))).toThrow(/Unsupported scheme/);
  });
});
