/**
 * The gateway router's own cost per request, in process (no I/O, no HTTP): a client session through the
 * proxy's relay to one in-memory raw echo backend (what `serve` does per session), against the same
 * through a gateway session (name lookup, rewrite, routing) — same run, alternating rounds, CPU
 * microseconds per request of this process.
 *
 *   node --import tsx scripts/bench-gateway-router.ts [--requests 200000] [--rounds 5]
 */
import { parseArgs } from 'node:util';
import { Gateway } from '../src/gateway/index.js';
import { Proxy } from '../src/proxy/proxy.js';
import { isRequest, type JSONRPCMessage } from '../src/protocol/messages.js';
import type { Transport } from '../src/transport.js';
import { InMemoryTransport } from '../src/transports/in-memory.js';

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '5' } },
});
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = 64;

/** A raw echo server over an in-memory pair; it answers on a later microtask, as a real peer would. */
function memoryEcho(): Transport {
  const [ours, theirs] = InMemoryTransport.createLinkedPair();
  theirs.onmessage = (m) => {
    if (!isRequest(m)) return;
    const params = (m.params ?? {}) as { protocolVersion?: string; arguments?: { text?: string } };
    const result =
      m.method === 'initialize'
        ? {
            protocolVersion: params.protocolVersion,
            capabilities: { tools: {} },
            serverInfo: { name: 'echo', version: '1' },
          }
        : m.method === 'tools/list'
          ? { tools: [{ name: 'echo', inputSchema: { type: 'object' } }] }
          : { content: [{ type: 'text', text: params.arguments?.text ?? '' }] };
    const id = m.id;
    const answer: JSONRPCMessage = { jsonrpc: '2.0', id, result };
    queueMicrotask(() => void theirs.send(answer));
  };
  void theirs.start();
  return ours;
}

async function openSession(accept: (t: Transport) => void): Promise<Transport> {
  const [client, server] = InMemoryTransport.createLinkedPair();
  accept(server);
  const initialized = new Promise<void>((resolve) => {
    client.onmessage = (m) => {
      if ('id' in m && m.id === 0) resolve();
    };
  });
  await client.start();
  await client.send({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
  });
  await initialized;
  await client.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return client;
}

/** CPU microseconds per request for `count` tools/call requests, CONCURRENCY in flight. */
async function drive(client: Transport, tool: string, count: number): Promise<number> {
  let sent = 0;
  let answered = 0;
  const request = (): void =>
    void client.send({
      jsonrpc: '2.0',
      id: ++sent,
      method: 'tools/call',
      params: { name: tool, arguments: { text: 'x' } },
    });
  const done = new Promise<void>((resolve, reject) => {
    client.onmessage = (m) => {
      if ('error' in m) reject(new Error(JSON.stringify(m)));
      if (++answered === count) resolve();
      else if (sent < count) request();
    };
  });
  const before = process.cpuUsage();
  for (let i = 0; i < CONCURRENCY; i++) request();
  await done;
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

const proxy = new Proxy({ connectBackend: () => memoryEcho() });
const gateway = new Gateway({ servers: [{ name: 'a', connect: () => memoryEcho() }] });
await gateway.start();
const viaRelay = await openSession(proxy.accept);
const viaGateway = await openSession(gateway.accept);
await drive(viaRelay, 'echo', REQUESTS / 4);
await drive(viaGateway, 'a__echo', REQUESTS / 4);
const relay: number[] = [];
const router: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  relay.push(await drive(viaRelay, 'echo', REQUESTS));
  router.push(await drive(viaGateway, 'a__echo', REQUESTS));
}
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;
const a = median(relay);
const b = median(router);
process.stdout.write(
  `relay (serve's path): ${a.toFixed(2)} µs/request · gateway session: ${b.toFixed(2)} µs/request · router adds ${(b - a).toFixed(2)} µs (${ROUNDS} rounds of ${REQUESTS}, medians)\n`,
);
await proxy.close({ graceMs: 0 });
await gateway.close({ graceMs: 0 });
