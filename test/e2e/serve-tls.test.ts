/**
 * `switchboard serve` with TLS from the command line: a mutual-TLS frontend (`tls://` + client CA), an
 * `https://` frontend, and a TLS-verified backend (`--backend-tls-ca`) — through the real CLI.
 */
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/endpoint/registry.js';
import { testCerts, type TestCerts } from '../fixtures/certs.js';
import { startServe, type Started } from './processes.js';

const started: Started[] = [];
let certs: TestCerts;
const file = (name: string): string => path.join(certs.dir, name);

beforeAll(async () => {
  certs = await testCerts();
});
afterAll(async () => {
  await Promise.allSettled(started.map((s) => s.stop()));
});

const echo = async (client: Client): Promise<string> => {
  const r = await client.callTool({ name: 'echo', arguments: { message: 'over tls' } });
  return (r.content as { text: string }[])[0]?.text ?? '';
};

describe('serve with TLS flags', () => {
  it('mTLS frontend: a client with a certificate from the CA gets in, others are refused', async () => {
    const serve = await startServe([
      '--listen',
      'tls://127.0.0.1:0',
      '--tls-cert',
      file('server.pem'),
      '--tls-key',
      file('server.key'),
      '--tls-client-ca',
      file('ca.pem'),
    ]);
    started.push(serve);
    const url = serve.urls[0] as string;
    const good = new Client({ name: 'alice', version: '1' });
    await good.connect(
      connect(url, {
        tls: { caFile: file('ca.pem'), certFile: file('client.pem'), keyFile: file('client.key') },
      }),
    );
    expect(await echo(good)).toBe('over tls');
    await good.close();
    for (const tls of [
      { caFile: file('ca.pem') },
      { caFile: file('ca.pem'), certFile: file('foreign-client.pem'), keyFile: file('foreign-client.key') },
      { caFile: file('ca.pem'), certFile: file('expired-client.pem'), keyFile: file('expired-client.key') },
    ]) {
      const bad = new Client({ name: 'mallory', version: '1' });
      await expect(bad.connect(connect(url, { tls }), { timeout: 10_000 })).rejects.toThrow();
      await bad.close();
    }
  }, 60_000);

  it('https frontend, and a second serve reaching it as a TLS-verified backend', async () => {
    const front = await startServe([
      '--listen',
      'https://127.0.0.1:0/mcp',
      '--tls-cert',
      file('server.pem'),
      '--tls-key',
      file('server.key'),
    ]);
    started.push(front);
    // The second serve reaches the https backend and verifies it against our test CA.
    const relay = await startServe([
      front.urls[0] as string,
      '--listen',
      'tcp://127.0.0.1:0',
      '--backend-tls-ca',
      file('ca.pem'),
    ]);
    started.push(relay);
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(connect(relay.urls[0] as string));
    expect(await echo(client)).toBe('over tls');
    await client.close();
  }, 60_000);

  it('--require-auth accepts a tls:// frontend only with client certificates (mTLS authenticates the peer)', async () => {
    const tlsArgs = [
      '--listen',
      'tls://127.0.0.1:0',
      '--tls-cert',
      file('server.pem'),
      '--tls-key',
      file('server.key'),
    ];
    const withMtls = await startServe([...tlsArgs, '--tls-client-ca', file('ca.pem'), '--require-auth']);
    started.push(withMtls);
    expect(withMtls.urls).toHaveLength(1);
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { CLI } = await import('./processes.js');
    const refused = (await promisify(execFile)(process.execPath, [
      CLI,
      'serve',
      ...tlsArgs,
      '--require-auth',
    ]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--tls-client-ca \(mTLS\)/);
  }, 60_000);

  it('refuses a TLS frontend without a certificate, with a one-line usage error', async () => {
    const { resolveServeConfig } = await import('../../src/cli/commands/serve.js');
    const none = { positional: [], command: [] };
    expect(() => resolveServeConfig({ listen: ['tls://127.0.0.1:0'] }, none)).toThrow(
      /needs --tls-cert <file> and --tls-key <file>/,
    );
    expect(() => resolveServeConfig({ tlsCert: 'a.pem' }, none)).toThrow(
      /--tls-cert and --tls-key go together/,
    );
    expect(() => resolveServeConfig({ tlsCert: 'a.pem', tlsKey: 'a.key' }, none)).toThrow(
      /need a tls:\/\/, https:\/\/ or wss:\/\/ frontend/,
    );
  });
});
