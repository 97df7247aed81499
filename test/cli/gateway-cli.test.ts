/**
 * The gateway's configuration: `servers:` in YAML and `--server NAME=…` flags (flags win), virtual
 * servers as `listen` objects, `${VAR}` in headers, startup errors for names that cannot be told apart,
 * and the security policy applied to namespaced names through the real CLI.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { resolveServeConfig } from '../../src/cli/commands/serve.js';
import { serverConfig } from '../../src/cli/serve/gateway-servers.js';
import { connect } from '../../src/endpoint/registry.js';
import { fixture } from '../fixtures/paths.js';
import { startServe, type Started } from '../e2e/processes.js';
import { runCli } from './cli-runner.js';

const none = { positional: [], command: [] };
const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-gw-cli-'));
const yamlFile = (name: string, value: unknown): string => {
  const file = path.join(dir, name);
  writeFileSync(file, stringify(value));
  return file;
};

describe('gateway configuration', () => {
  it('reads servers from YAML and --server flags; a flag replaces the target and keeps the rest', () => {
    const config = resolveServeConfig(
      {
        config: yamlFile('a.yaml', {
          servers: {
            files: { url: 'http://127.0.0.1:9000/mcp', headers: { 'X-K': 'v' }, sessionMode: 'shared' },
            everything: { command: 'npx', args: ['-y', 'x'], env: { A: '1' } },
          },
        }),
        server: ['files=node "my server.js" --flag', 'extra=ws://127.0.0.1:9/mcp'],
      },
      none,
    );
    expect(config.backend).toBeUndefined();
    expect(config.servers).toMatchObject({
      files: { command: 'node', args: ['my server.js', '--flag'], sessionMode: 'shared' },
      everything: { command: 'npx', args: ['-y', 'x'], env: { A: '1' } },
      extra: { url: 'ws://127.0.0.1:9/mcp' },
    });
    expect(Object.keys(config.servers ?? {})).toEqual(['files', 'everything', 'extra']);
    expect(config.servers?.files?.url).toBeUndefined();
    expect(config.namespace).toEqual({ separator: '__' });
  });

  it('keeps --server URL as the --http alias', () => {
    const config = resolveServeConfig({ server: ['https://example.com/mcp'] }, none);
    expect(config.backend).toMatchObject({ kind: 'uri', uri: 'https://example.com/mcp' });
    expect(config.servers).toBeUndefined();
  });

  it('turns listen objects into virtual servers (expose)', () => {
    const config = resolveServeConfig(
      {
        config: yamlFile('v.yaml', {
          servers: { files: { url: 'http://127.0.0.1:9000/mcp' } },
          listen: [
            'http://127.0.0.1:8000/mcp',
            { uri: 'http://127.0.0.1:8001/mcp', expose: ['files__read_*'] },
          ],
        }),
      },
      none,
    );
    expect(config.listen).toEqual(['http://127.0.0.1:8000/mcp', 'http://127.0.0.1:8001/mcp']);
    expect(config.expose).toEqual({ 'http://127.0.0.1:8001/mcp': ['files__read_*'] });
  });

  it.each([
    [{ servers: { a: { url: 'http://h/mcp' }, a_: { url: 'http://h/mcp' } } }, /"a" and "a_" are ambiguous/],
    [{ servers: { my__x: { url: 'http://h/mcp' } } }, /contains the namespace separator/],
    [
      { servers: { a: { url: 'http://h/mcp' }, b: { url: 'http://i/mcp' } }, namespace: false },
      /namespace: false needs a single server/,
    ],
    [{ servers: { a: { url: 'http://h/mcp', command: 'x' } } }, /either "command"/],
    [
      { servers: { a: { url: 'http://h/mcp' } }, expose: { 'http://x/mcp': ['a__*'] } },
      /not one of the listen URIs/,
    ],
    [{ servers: { a: { url: 'http://h/mcp' } }, backend: 'http://b/mcp' }, /not both/],
    [
      {
        servers: { a: { url: 'http://h/mcp' } },
        listen: ['http://127.0.0.1:8000/mcp', { uri: 'http://127.0.0.1:8000/mcp/ro', expose: ['a__*'] }],
      },
      /share 127\.0\.0\.1:8000; each listen URI is a listener of its own/,
    ],
  ])('refuses %j', (file, message) => {
    expect(() => resolveServeConfig({ config: yamlFile('bad.yaml', file) }, none)).toThrow(message);
  });

  it('resolves ${VAR} in header values, and names a variable that is not set', () => {
    const config = resolveServeConfig(
      {
        config: yamlFile('env.yaml', {
          servers: {
            files: { url: 'http://127.0.0.1:9000/mcp', headers: { Authorization: 'Bearer ${SB_GW_TOKEN}' } },
          },
        }),
      },
      none,
    );
    const entry = config.servers?.files;
    if (entry === undefined) throw new Error('no files server');
    process.env.SB_GW_TOKEN = 'secret-1';
    try {
      expect(serverConfig('files', entry, config).backend).toMatchObject({
        headers: { Authorization: 'Bearer secret-1' },
      });
    } finally {
      delete process.env.SB_GW_TOKEN;
    }
    expect(() => serverConfig('files', entry, config)).toThrow(
      /servers\.files\.headers\.Authorization: environment variable SB_GW_TOKEN is not set/,
    );
  });

  it('an ambiguous server name is a startup error of the CLI naming both (exit code 2)', async () => {
    const r = await runCli([
      'serve',
      '--server',
      'a=http://127.0.0.1:1/mcp',
      '--server',
      'a_=http://127.0.0.1:1/mcp',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/server names "a" and "a_" are ambiguous with the separator "__"/);
  });
});

describe('gateway security: the policy applies to namespaced names', () => {
  const started: Started[] = [];
  afterAll(async () => {
    await Promise.allSettled(started.map((s) => s.stop()));
  });

  it('a caller sees and calls only the namespaced tools the policy grants', async () => {
    const crashy = { command: process.execPath, args: [fixture('crashy-server.mjs')] };
    const gateway = await startServe([
      '--config',
      yamlFile('policy.yaml', {
        servers: { x: crashy, y: crashy },
        listen: ['tcp://127.0.0.1:0'],
        security: { policy: { rules: [{ tools: ['x__*'] }] } },
      }),
    ]);
    started.push(gateway);
    const client = new Client({ name: 'policy', version: '1.0.0' });
    await client.connect(connect(gateway.urls[0] as string));
    try {
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual([
        'x__cancelled',
        'x__crash',
        'x__hello',
        'x__wait',
      ]);
      const ok = await client.callTool({ name: 'x__hello', arguments: { name: 'p' } });
      expect(ok.content).toEqual([{ type: 'text', text: 'hello p from crashy' }]);
      await expect(client.callTool({ name: 'y__hello', arguments: {} })).rejects.toThrow(
        /tool "y__hello" is not allowed/,
      );
    } finally {
      await client.close();
    }
  }, 60_000);
});
