import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../../src/cli/commands/serve.js';
import { writeProxyProject } from '../../src/cli/commands/generate-proxy.js';
import { generateProxyProject } from '../../src/codegen/proxy/generate-proxy.js';
import { serveConfigFileObject } from '../../src/codegen/proxy/serve-config-file.js';
import { ServeConfigSchema } from '../../src/config/serve-config.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sb-proxy-unit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const none = { positional: [], command: [] };

describe('generate proxy', () => {
  it('pins mcp-switchboard to exactly this version and writes the four files', async () => {
    const files = generateProxyProject(ServeConfigSchema.parse({}));
    expect([...files.keys()]).toEqual(['README.md', 'package.json', 'server.js', 'switchboard.yaml']);
    const { version } = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as {
      version: string;
    };
    expect(JSON.parse(files.get('package.json') ?? '')).toMatchObject({
      dependencies: { 'mcp-switchboard': version },
      scripts: { start: 'node server.js' },
    });
    expect(files.get('switchboard.yaml')).toMatch(/\n\{\}\n$/);
    expect(files.get('server.js')).toContain(
      "await main([process.argv[0], 'switchboard', 'serve', '--config', config",
    );
  });

  it('writes only what differs from the defaults, durations in ms, the backend as the file reads it', () => {
    const config = resolveServeConfig(
      {
        listen: ['tcp://127.0.0.1:0'],
        idleTimeout: '2m',
        timeout: '1.5s',
        header: ['X-Team: blue'],
        authToken: 'secret-token',
      },
      { positional: ['https://example.test/mcp'], command: [] },
    );
    expect(serveConfigFileObject(config)).toEqual({
      backend: { uri: 'https://example.test/mcp', headers: { 'X-Team': 'blue' }, authToken: 'secret-token' },
      listen: ['tcp://127.0.0.1:0'],
      idleTimeout: '120000ms',
      requestTimeout: '1500ms',
    });
  });

  it('the written config file gives back the same configuration (many flags, stdio backend)', async () => {
    const config = resolveServeConfig(
      {
        listen: ['http://127.0.0.1:0/mcp', 'unix:///tmp/x.sock'],
        sessionMode: 'shared',
        maxSessions: '7',
        maxTimeout: '90s',
        shutdownGrace: '3s',
        env: ['A=1'],
        inheritEnv: true,
        responseMode: 'sse',
        allowedOrigin: ['https://app.example'],
        logLevel: 'warn',
        restartMax: '2',
      },
      { positional: [], command: ['node', 'server.js', '--flag'] },
    );
    const out = path.join(dir, 'p1');
    expect(await writeProxyProject(config, { out })).toContain('switchboard.yaml');
    expect(resolveServeConfig({ config: path.join(out, 'switchboard.yaml') }, none)).toEqual(config);
  });
});
