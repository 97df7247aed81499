import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseBackendTarget } from '../../src/cli/backend-target.js';
import { runSchema } from '../../src/cli/commands/schema.js';
import { listen } from '../../src/endpoint/registry.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { fixtureCommand } from '../fixtures/compiled.js';
import { createConformanceServer } from '../fixtures/conformance-server.js';
import { createNastyHandler } from '../fixtures/nasty-server.js';
import { serveNasty } from '../introspect/servers.js';
import { checkGraphql, parseProto, validateOpenApi } from '../schema/validators.js';
import { recordingIo, runCli } from './cli-runner.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function serveConformance(): Promise<string> {
  const uri = `memory:conformance-${randomUUID()}`;
  const listener = await listen(uri, {
    onConnection: (transport) => void createConformanceServer().connect(transport),
  });
  cleanups.push(() => listener.close());
  return uri;
}

describe('switchboard schema (child process)', () => {
  it('openapi, graphql and protobuf for the conformance backend over stdio validate', async () => {
    const server = fixtureCommand('conformance-server.ts');
    const openapi = await runCli(['schema', 'openapi', '--with-examples', '--', ...server]);
    expect(openapi.code).toBe(0);
    const doc = JSON.parse(openapi.stdout) as Record<string, unknown>;
    expect(await validateOpenApi(doc)).toMatchObject({ valid: true });
    const file = path.join(os.tmpdir(), `sb-schema-${randomUUID()}.graphql`);
    cleanups.push(() => rm(file, { force: true }));
    const graphql = await runCli(['schema', 'graphql', '-o', file, '--', ...server]);
    expect(graphql.code).toBe(0);
    expect(checkGraphql(await readFile(file, 'utf8')).errors).toEqual([]);
  });

  it('protobuf over tcp (--backend tcp --tcp host:port)', async () => {
    const listener = await listen('tcp://127.0.0.1:0', {
      onConnection(transport) {
        const handle = createNastyHandler();
        transport.onmessage = (message) => {
          const response = handle(message);
          if (response) void transport.send(response as unknown as JSONRPCMessage).catch(() => undefined);
        };
        void transport.start();
      },
    });
    cleanups.push(() => listener.close());
    const run = await runCli(['schema', 'protobuf', '--backend', 'tcp', '--tcp', new URL(listener.url).host]);
    expect(run.code).toBe(0);
    expect(parseProto(run.stdout).pkg).toBe('mcp.nasty_server_u');
  });

  it('usage errors exit 1, an unreachable server 4', async () => {
    expect((await runCli(['schema'])).code).toBe(1);
    expect((await runCli(['schema', 'avro', '--', 'x'])).code).toBe(1);
    const unreachable = await runCli(['schema', 'graphql', '--', '/nonexistent/server']);
    expect(unreachable.code).toBe(4);
    expect(unreachable.stderr).toMatch(/^switchboard schema graphql: /);
  });
});

describe('runSchema (in-process)', () => {
  it('the conformance backend: all three outputs validate', async () => {
    const target = parseBackendTarget({ positional: [await serveConformance()] });
    const openapi = recordingIo();
    expect(
      await runSchema('openapi', target, { format: 'yaml', baseUrl: 'http://127.0.0.1:9/' }, openapi.io),
    ).toBe(0);
    const doc = parseYaml(openapi.out()) as Record<string, unknown>;
    expect(doc.servers).toEqual([{ url: 'http://127.0.0.1:9/' }]);
    expect(await validateOpenApi(doc)).toMatchObject({ valid: true });
    const graphql = recordingIo();
    expect(await runSchema('graphql', target, {}, graphql.io)).toBe(0);
    expect(checkGraphql(graphql.out()).errors).toEqual([]);
    const protobuf = recordingIo();
    expect(await runSchema('protobuf', target, {}, protobuf.io)).toBe(0);
    expect(() => parseProto(protobuf.out())).not.toThrow();
  });

  it.each([
    ['openapi', { format: 'xml' }, /--format "xml"/],
    ['graphql', { format: 'json' }, /--format "json"/],
    ['openapi', { baseUrl: 'not a url' }, /--base-url/],
  ] as const)('%s %j is a usage error (exit 1)', async (kind, options, message) => {
    const server = await serveNasty();
    cleanups.push(() => server.close());
    const rec = recordingIo();
    expect(await runSchema(kind, parseBackendTarget({ positional: [server.uri] }), options, rec.io)).toBe(1);
    expect(rec.err()).toMatch(message);
    expect(rec.out()).toBe('');
  });
});
