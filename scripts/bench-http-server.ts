/**
 * Quick throughput check of the Streamable HTTP listener (not the real benchmark suite, which lives in
 * bench/): a raw echo backend (no SDK) behind our listener in a child process, and a lean HTTP/1.1
 * keep-alive client (undici Pool, C connections) with C concurrent in-flight `tools/call` requests.
 * `--mode raw` runs a bare node:http JSON echo instead of our listener: the ceiling on this machine.
 *
 *   node --import tsx scripts/bench-http-server.ts [--mode json|sse|stateless] [--concurrency 64] [--seconds 10]
 *
 * Prints msg/s, latency percentiles and the server process's CPU time per message (robust to a busy
 * machine: it does not depend on the client). Repeat and quote the median: the machine is shared and noisy.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { isRequest, type JSONRPCMessage } from '../src/protocol/messages.js';
import type { Transport } from '../src/transport.js';
import type { listenHttp as ListenHttp } from '../src/transports/http/server/http-listener.js';

const { values } = parseArgs({
  options: {
    serve: { type: 'string' },
    url: { type: 'string' },
    mode: { type: 'string', default: 'json' },
    concurrency: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
  },
});

/** A raw echo backend: answers initialize, tools/list and tools/call "echo" without the SDK. */
function echo(transport: Transport): void {
  transport.onmessage = (m: JSONRPCMessage) => {
    if (!isRequest(m)) return;
    const id = m.id;
    let result: Record<string, unknown>;
    if (m.method === 'initialize') {
      result = {
        protocolVersion: '2025-06-18',
        capabilities: { tools: {} },
        serverInfo: { name: 'echo', version: '1' },
      };
    } else if (m.method === 'tools/call') {
      const text = (m.params as { arguments?: { text?: unknown } } | undefined)?.arguments?.text;
      result = { content: [{ type: 'text', text: typeof text === 'string' ? text : '' }] };
    } else if (m.method === 'server/discover') {
      result = {
        supportedVersions: ['2026-07-28'],
        capabilities: { tools: {} },
        serverInfo: { name: 'echo', version: '1' },
      };
    } else result = {};
    void transport.send({ jsonrpc: '2.0', id, result }, { relatedRequestId: id });
  };
  void transport.start();
}

/** `GET /cpu`: this process's CPU time so far (µs), so the client can compute server CPU per message. */
function cpuRoute(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (req.url !== '/cpu') return false;
  const { user, system } = process.cpuUsage();
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ micros: user + system }));
  return true;
}

/** The ceiling: a bare node:http server that parses and answers the same JSON-RPC, no MCP transport. */
async function serveRaw(): Promise<void> {
  const server = http.createServer((req, res) => {
    if (cpuRoute(req, res)) return;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = JSON.parse(Buffer.concat(chunks).toString()) as {
        id?: number;
        params?: { arguments?: { text?: string } };
      };
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: m.id,
        result: { content: [{ type: 'text', text: m.params?.arguments?.text ?? '' }] },
      });
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'mcp-session-id': 'x',
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  process.stdout.write(`http://127.0.0.1:${address.port}/mcp\n`);
}

/** The compiled listener from dist/ when built (what users run), else the TypeScript source via tsx. */
async function loadListenHttp(): Promise<typeof ListenHttp> {
  const compiled = new URL('../dist/transports/http/server/http-listener.js', import.meta.url);
  const mod = (await import(
    existsSync(compiled) ? compiled.href : '../src/transports/http/server/http-listener.js'
  )) as {
    listenHttp: typeof ListenHttp;
  };
  return mod.listenHttp;
}

async function serve(mode: string): Promise<void> {
  if (mode === 'raw') return serveRaw();
  const listenHttp = await loadListenHttp();
  const listener = await listenHttp(new URL('http://127.0.0.1:0/mcp'), {
    http: { responseMode: mode === 'sse' ? 'sse' : 'json', onRequest: cpuRoute },
    onConnection: (t) => echo(t),
  });
  process.stdout.write(`${listener.url}\n`);
  // Exit cleanly on SIGINT (so `node --cpu-prof` can write its profile).
  process.once('SIGINT', () => void listener.close({ graceMs: 0 }));
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function post(pool: Pool, url: URL, headers: Record<string, string>, body: string): Promise<Reply> {
  const res = await pool.request({
    path: url.pathname,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body,
  });
  return {
    status: res.statusCode,
    headers: res.headers,
    body: await res.body.text(),
  };
}

async function run(): Promise<void> {
  const mode = values.mode;
  const concurrency = Number(values.concurrency);
  const child =
    values.url === undefined
      ? spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', mode], {
          stdio: ['ignore', 'pipe', 'inherit'],
        })
      : undefined;
  const url = new URL(
    values.url ??
      (await new Promise<string>((resolve) =>
        child?.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())),
      )),
  );
  const agent = new Pool(url.origin, { connections: concurrency, pipelining: 1 });
  const headers: Record<string, string> = {};
  if (mode === 'stateless') headers['mcp-protocol-version'] = '2026-07-28';
  else {
    const init = await post(
      agent,
      url,
      {},
      JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'bench', version: '1' },
        },
      }),
    );
    headers['mcp-session-id'] = String(init.headers['mcp-session-id']);
    headers['mcp-protocol-version'] = '2025-06-18';
    await post(agent, url, headers, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  }
  const meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': {},
  };
  let id = 1;
  let done = 0;
  let measuring = false;
  const latencies: number[] = [];
  let stop = false;
  const worker = async (): Promise<void> => {
    while (!stop) {
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: id++,
        method: 'tools/call',
        params: {
          name: 'echo',
          arguments: { text: 'hello world 1234' },
          ...(mode === 'stateless' ? { _meta: meta } : {}),
        },
      });
      const h =
        mode === 'stateless' ? { ...headers, 'mcp-method': 'tools/call', 'mcp-name': 'echo' } : headers;
      const t0 = performance.now();
      const reply = await post(agent, url, h, body);
      if (reply.status !== 200 || !reply.body.includes('hello world 1234'))
        throw new Error(`bad reply ${reply.status}: ${reply.body}`);
      if (measuring) {
        done++;
        latencies.push(performance.now() - t0);
      }
    }
  };
  const workers = Array.from({ length: concurrency }, () => worker());
  await new Promise((r) => setTimeout(r, Number(values.warmup) * 1000));
  const serverCpu = async (): Promise<number> => {
    const res = await agent.request({ path: '/cpu', method: 'GET' });
    return ((await res.body.json()) as { micros: number }).micros;
  };
  const cpu0 = await serverCpu();
  measuring = true;
  const start = performance.now();
  await new Promise((r) => setTimeout(r, Number(values.seconds) * 1000));
  measuring = false;
  const elapsed = (performance.now() - start) / 1000;
  const cpuPerMsg = ((await serverCpu()) - cpu0) / Math.max(1, done);
  stop = true;
  await Promise.all(workers);
  latencies.sort((a, b) => a - b);
  const pct = (p: number): string => (latencies[Math.floor((latencies.length - 1) * p)] ?? 0).toFixed(2);
  process.stdout.write(
    `mode=${mode} C=${concurrency}: ${Math.round(done / elapsed)} msg/s  p50=${pct(0.5)} ms p95=${pct(0.95)} ms p99=${pct(0.99)} ms  ` +
      `server CPU ${cpuPerMsg.toFixed(1)} µs/msg (≈ ${Math.round(1e6 / cpuPerMsg)} msg/s per core)\n`,
  );
  await agent.close();
  child?.kill();
}

if (values.serve !== undefined) await serve(values.serve);
else await run();
