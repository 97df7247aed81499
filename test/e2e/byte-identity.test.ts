/**
 * A message that passes `serve` unchanged arrives byte for byte as it was sent, in both directions: key
 * order, `1.0` and `1e3` (which JSON.stringify would write as 1 and 1000), raw and escaped U+2028, escaped
 * and raw `é`. Real processes and sockets: `dist/cli.js serve` in front of a backend child that records the
 * exact bytes it receives and answers with exact bytes it is given.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture } from '../fixtures/paths.js';
import { CLI, startServe, type Started } from './processes.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sb-bytes-'));
const started: Started[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  await Promise.allSettled(started.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

let recordCount = 0;
const backendArgs = (record: string): string[] => [
  '--',
  process.execPath,
  fixture('bytes-backend.mjs'),
  record,
];

/** The answer the backend writes, spelled the way JSON.stringify never would. */
const answerBytes = (id: number): Buffer =>
  Buffer.from(
    `{"result":{"content":[{"type":"text","text":"é \u2028 \\u2028 \\u00e9"}],"x":1.0,"y":1e3},"id":${id},"jsonrpc":"2.0"}`,
  );

/** The answer as the backend is asked to write it: its own id for the request in place of `__ID__`. */
const answerTemplate = Buffer.from(answerBytes(0).toString('utf8').replace('"id":0', '"id":__ID__')).toString(
  'base64',
);

/** The request the client sends: members in odd order, odd numbers and escapes, the answer to give. */
const requestBytes = (id: number, token = true): Buffer =>
  Buffer.from(
    `{"params":{"arguments":{"n":1.0,"m":1e3,"s":"é \u2028 \\u2028 \\u00e9","line":"${answerTemplate}"},"name":"reply"${token ? ',"_meta":{"progressToken":"t\\u0031"}' : ''}},"method":"tools/call","id":${id},"jsonrpc":"2.0"}`,
  );

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bytes', version: '1' } },
});
const INITIALIZED = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });

/** The lines the backend received, as bytes. */
function received(record: string): Buffer[] {
  return readFileSync(record, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((b64) => Buffer.from(b64, 'base64'));
}

function post(
  url: string,
  body: Buffer | string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Reads NDJSON lines (as bytes) from a stream until `want` returns a line. */
function lineReader(stream: NodeJS.ReadableStream): (want: (line: Buffer) => boolean) => Promise<Buffer> {
  let buffered = Buffer.alloc(0);
  const lines: Buffer[] = [];
  const waiters: (() => void)[] = [];
  stream.on('data', (c: Buffer) => {
    buffered = Buffer.concat([buffered, c]);
    for (let nl = buffered.indexOf(10); nl !== -1; nl = buffered.indexOf(10)) {
      lines.push(buffered.subarray(0, nl));
      buffered = buffered.subarray(nl + 1);
    }
    for (const w of waiters.splice(0)) w();
  });
  return async (want) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const found = lines.find(want);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('no such line within 30 s');
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 500);
      });
    }
  };
}

const hasId = (id: number) => (line: Buffer) => new RegExp(`"id":${id}[,}]`).test(line.toString('utf8'));

describe('byte identity through serve', () => {
  for (const mode of ['json', 'sse'] as const) {
    it(`Streamable HTTP frontend (${mode} answers) → stdio backend, both directions`, async () => {
      const record = path.join(dir, `record-${++recordCount}.b64`);
      const serve = await startServe([
        '--listen',
        'http://127.0.0.1:0/mcp',
        '--response-mode',
        mode,
        ...backendArgs(record),
      ]);
      started.push(serve);
      const url = serve.urls[0] as string;
      const init = await post(url, INITIALIZE, {});
      expect(init.status).toBe(200);
      const session = { 'mcp-session-id': String(init.headers['mcp-session-id']) };
      const headers = { ...session, 'mcp-protocol-version': '2025-06-18' };
      expect((await post(url, INITIALIZED, headers)).status).toBe(202);

      const answer = await post(url, requestBytes(7), headers);
      expect(answer.status).toBe(200);
      if (mode === 'json') expect(answer.body.toString('utf8')).toBe(answerBytes(7).toString('utf8'));
      else
        expect(
          answer.body.includes(Buffer.concat([Buffer.from('data: '), answerBytes(7), Buffer.from('\n')])),
        ).toBe(true);
      const lines = received(record);
      expect(lines.some((l) => l.equals(requestBytes(7)))).toBe(true);
    }, 90_000);
  }

  it('shared mode: only the id changes, spliced into the bytes both ways', async () => {
    const record = path.join(dir, `record-${++recordCount}.b64`);
    const serve = await startServe([
      '--listen',
      'http://127.0.0.1:0/mcp',
      '--response-mode',
      'json',
      '--session-mode',
      'shared',
      ...backendArgs(record),
    ]);
    started.push(serve);
    const url = serve.urls[0] as string;
    const init = await post(url, INITIALIZE, {});
    const headers = {
      'mcp-session-id': String(init.headers['mcp-session-id']),
      'mcp-protocol-version': '2025-06-18',
    };
    await post(url, INITIALIZED, headers);
    const answer = await post(url, requestBytes(10, false), headers);
    expect(answer.body.toString('utf8')).toBe(answerBytes(10).toString('utf8'));
    // The backend saw the request under the shared backend's own id, every other byte as sent.
    const sent = requestBytes(10, false).toString('utf8');
    const seen = received(record)
      .map((l) => l.toString('utf8'))
      .find((l) => l.includes('"name":"reply"'));
    expect(seen).toMatch(/"id":\d+,"jsonrpc"/);
    expect(seen?.replace(/"id":\d+,"jsonrpc"/, '"id":10,"jsonrpc"')).toBe(sent);
  }, 90_000);

  it('stdio frontend → stdio backend, both directions', async () => {
    const record = path.join(dir, `record-${++recordCount}.b64`);
    const child = spawn(
      process.execPath,
      [CLI, 'serve', '--listen', 'stdio:', '--log-level', 'warn', ...backendArgs(record)],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    children.push(child);
    const next = lineReader(child.stdout);
    child.stdin.write(`${INITIALIZE}\n`);
    await next(hasId(0));
    child.stdin.write(`${INITIALIZED}\n`);
    child.stdin.write(Buffer.concat([requestBytes(8), Buffer.from('\n')]));
    const answer = await next(hasId(8));
    expect(answer.equals(answerBytes(8))).toBe(true);
    expect(received(record).some((l) => l.equals(requestBytes(8)))).toBe(true);
    child.stdin.end();
  }, 90_000);

  it('TCP frontend → stdio backend, both directions', async () => {
    const record = path.join(dir, `record-${++recordCount}.b64`);
    const serve = await startServe(['--listen', 'tcp://127.0.0.1:0', ...backendArgs(record)]);
    started.push(serve);
    const { port, hostname } = new URL(serve.urls[0] as string);
    const socket = net.connect(Number(port), hostname);
    const next = lineReader(socket);
    socket.write(`${INITIALIZE}\n`);
    await next(hasId(0));
    socket.write(`${INITIALIZED}\n`);
    socket.write(Buffer.concat([requestBytes(9), Buffer.from('\n')]));
    const answer = await next(hasId(9));
    expect(answer.equals(answerBytes(9))).toBe(true);
    expect(received(record).some((l) => l.equals(requestBytes(9)))).toBe(true);
    socket.destroy();
  }, 90_000);
});
