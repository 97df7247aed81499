/**
 * Every entry point of a real `switchboard serve` (dist/cli.js) against JSON-looking garbage and hostile
 * HTTP requests, with a fixed seed: TCP, Unix, WebSocket, Streamable HTTP (both eras), the legacy SSE
 * POST endpoint, stdio, a backend's stdout, and the request line and headers of every HTTP-speaking
 * listener (HTTP frontend, WebSocket listener, admin server).
 *
 * After each case the process must still serve: the hostile connection itself answers a ping where it
 * is a stream, and a well-behaved SDK client on the same listener completes a ping.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/endpoint/registry.js';
import { CLI, networkFrontendFlags, startServe } from '../e2e/processes.js';
import { fixture } from '../fixtures/paths.js';
import { rawHttpRequest } from './http-garbage.js';
import { ciRun, garbageFrame, garbageLines, garbageText } from './json-garbage.js';
import {
  BackendStdoutLink,
  hitHttp,
  hitRawHttp,
  hitSocket,
  hitWebSocket,
  httpExchange,
  LegacySseSession,
  startStdioServe,
  type StdioServe,
} from './serve-targets.js';

const RUNS = 40;
const TEST_MS = 180_000;

type Serve = Awaited<ReturnType<typeof startServe>>;

interface Fronts {
  serve: Serve;
  tcp: { host: string; port: number };
  unix: { path: string };
  ws: string;
  http: URL;
  admin: URL;
  clients: Record<'tcp' | 'unix' | 'ws' | 'http' | 'sse', Client>;
}

let dir = '';
let fronts: Fronts;
let stdio: StdioServe;
let scripted: Serve;

async function sdkClient(uri: string): Promise<Client> {
  const client = new Client({ name: 'well-behaved', version: '1.0.0' });
  await client.connect(connect(uri));
  return client;
}

/** The well-behaved client of `kind` still gets answers (and the process is alive). */
async function stillServes(kind: keyof Fronts['clients']): Promise<void> {
  expect(fronts.serve.proc.exitCode).toBeNull();
  await fronts.clients[kind].ping({ timeout: 30_000 });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sb-fuzz-'));
  const serve = await startServe([
    ...networkFrontendFlags(dir),
    '--admin-bind',
    '127.0.0.1:0',
    '--max-message-bytes',
    String(1024 * 1024),
  ]);
  const [tcp, unix, ws, http] = serve.urls as [string, string, string, string];
  const adminLine = serve.stderr.find((l) => l.includes('admin endpoint'));
  const admin = new URL((JSON.parse(adminLine as string) as { url: string }).url);
  const tcpUrl = new URL(tcp);
  fronts = {
    serve,
    tcp: { host: '127.0.0.1', port: Number(tcpUrl.port) },
    unix: { path: path.join(dir, 'front.sock') },
    ws,
    http: new URL(http),
    admin,
    clients: {
      tcp: await sdkClient(tcp),
      unix: await sdkClient(unix),
      ws: await sdkClient(ws),
      http: await sdkClient(http),
      sse: await sdkClient(`sse+${new URL('/sse', http).href}`),
    },
  };
  stdio = startStdioServe(CLI);
  // The scripted peer answers no era probe: it is taken for a 2025 backend when the probe times out,
  // which by default keeps the first hit waiting 10 s.
  const scriptedConfig = path.join(dir, 'scripted.yaml');
  await writeFile(scriptedConfig, 'eraBridge:\n  probeTimeout: 1s\n');
  scripted = await startServe([
    '--config',
    scriptedConfig,
    '--listen',
    'tcp://127.0.0.1:0',
    '--',
    process.execPath,
    fixture('scripted-peer.mjs'),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(Object.values(fronts?.clients ?? {}).map((c) => c.close()));
  await Promise.allSettled([fronts?.serve.stop(), stdio?.stop(), scripted?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('fuzz: JSON-looking garbage on every serve frontend', () => {
  it(
    'TCP',
    async () => {
      await fc.assert(
        fc.asyncProperty(garbageLines, async (garbage) => {
          await hitSocket(fronts.tcp, garbage);
          await stillServes('tcp');
        }),
        ciRun(RUNS),
      );
    },
    TEST_MS,
  );

  it(
    'Unix socket',
    async () => {
      await fc.assert(
        fc.asyncProperty(garbageLines, async (garbage) => {
          await hitSocket(fronts.unix, garbage);
          await stillServes('unix');
        }),
        ciRun(RUNS),
      );
    },
    TEST_MS,
  );

  it(
    'WebSocket (text and binary messages)',
    async () => {
      await fc.assert(
        fc.asyncProperty(garbageFrame, fc.boolean(), async (garbage, binary) => {
          await hitWebSocket(fronts.ws, garbage, binary);
          await stillServes('ws');
        }),
        ciRun(RUNS),
      );
    },
    TEST_MS,
  );

  it(
    'Streamable HTTP POST bodies, both eras',
    async () => {
      await fc.assert(
        fc.asyncProperty(garbageText, fc.boolean(), async (body, modern) => {
          const status = await hitHttp(fronts.http, body, modern);
          expect(status).toBeGreaterThanOrEqual(200);
          expect(status).toBeLessThan(600);
          expect(status).not.toBe(500);
          await stillServes('http');
        }),
        ciRun(RUNS),
      );
    },
    TEST_MS,
  );

  it(
    'legacy SSE POST endpoint',
    async () => {
      const session = await LegacySseSession.open(new URL('/sse', fronts.http));
      try {
        await fc.assert(
          fc.asyncProperty(garbageText, async (body) => {
            const status = await session.post(body);
            expect([202, 400, 413, 503]).toContain(status);
            await session.ping();
            await stillServes('sse');
          }),
          ciRun(RUNS),
        );
      } finally {
        session.close();
      }
    },
    TEST_MS,
  );

  it(
    'stdio',
    async () => {
      await fc.assert(
        fc.asyncProperty(garbageLines, async (garbage) => {
          await stdio.hit(garbage);
        }),
        ciRun(RUNS),
      );
      expect(stdio.proc.exitCode).toBeNull();
    },
    TEST_MS,
  );

  it(
    "a backend's stdout",
    async () => {
      const url = new URL(scripted.urls[0] as string);
      const link = await BackendStdoutLink.open({ host: '127.0.0.1', port: Number(url.port) });
      try {
        await fc.assert(
          fc.asyncProperty(garbageText, async (garbage) => {
            await link.hit(garbage);
            expect(scripted.proc.exitCode).toBeNull();
          }),
          ciRun(RUNS),
        );
      } finally {
        link.close();
      }
    },
    TEST_MS,
  );
});

describe('fuzz: hostile request lines and headers on every HTTP-speaking listener', () => {
  const listeners: [name: string, port: () => number, check: () => Promise<void>][] = [
    [
      'HTTP frontend',
      () => Number(fronts.http.port),
      async () => {
        const { status } = await httpExchange(new URL('/healthz', fronts.http), {});
        expect(status).toBe(200);
        await stillServes('http');
      },
    ],
    [
      'WebSocket listener',
      () => Number(new URL(fronts.ws).port),
      async () => {
        const { status } = await httpExchange(new URL('/', fronts.ws.replace(/^ws/, 'http')), {});
        expect(status).toBe(426);
        await stillServes('ws');
      },
    ],
    [
      'admin server',
      () => Number(fronts.admin.port),
      async () => {
        const { status } = await httpExchange(new URL('/healthz', fronts.admin), {});
        expect(status).toBe(200);
      },
    ],
  ];
  for (const [name, port, check] of listeners) {
    it(
      name,
      async () => {
        await fc.assert(
          fc.asyncProperty(rawHttpRequest, async (request) => {
            await hitRawHttp(port(), request);
            await check();
          }),
          ciRun(RUNS),
        );
      },
      TEST_MS,
    );
  }
});
