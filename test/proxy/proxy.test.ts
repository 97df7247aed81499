import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { isRequestId, type JSONRPCMessage } from '../../src/protocol/messages.js';
import { Proxy } from '../../src/proxy/proxy.js';
import type { BackendEvent } from '../../src/proxy/supervised-backend.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';
import { clientVia, eventually, rawBackendProxy, textOf } from './harness.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

function track(proxy: Proxy, ...clients: Client[]): void {
  cleanup.push(() => proxy.close({ graceMs: 0 }));
  for (const c of clients) cleanup.push(() => c.close());
}

describe('proxy relay (per-session)', () => {
  it('relays requests, progress, server→client requests, unknown methods and _meta unchanged', async () => {
    const { proxy, all } = rawBackendProxy();
    const client = await clientVia(proxy, 'forty-two');
    track(proxy, client);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('echo');
    const echoed = await client.callTool({
      name: 'echo',
      arguments: { x: 'é', n: 1 },
      _meta: { 'acme/trace': 'abc' },
    });
    expect(JSON.parse(textOf(echoed))).toEqual({ x: 'é', n: 1 });
    const progress: number[] = [];
    const slow = await client.callTool({ name: 'slow', arguments: { ms: 100, steps: 4 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(textOf(slow)).toBe('slow done 4');
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(textOf(await client.callTool({ name: 'ask', arguments: { question: 'q?' } }))).toBe(
      'answer: forty-two',
    );
    // An unknown method reaches the backend and its error comes back unchanged.
    await expect(
      client.request({ method: 'acme/unknown', params: { a: 1 } }, (await import('zod')).z.object({})),
    ).rejects.toThrow(/Method not found: acme\/unknown/);
    // The backend notes it on stderr, a pipe of its own: the line may come after the answer on stdout.
    await eventually(() => all().some((l) => /^IN acme\/unknown \d+$/.test(l)));
  });

  it('answers a call at once when the child is killed with SIGKILL, then restarts it for the next call', async () => {
    const { proxy, children } = rawBackendProxy({ restart: { initialDelayMs: 20 } });
    const client = await clientVia(proxy);
    track(proxy, client);
    const firstPid = Number(textOf(await client.callTool({ name: 'whoami' })));
    const call = client.callTool({ name: 'slow', arguments: { ms: 60_000, steps: 1 } }, undefined, {
      timeout: 120_000,
    });
    await eventually(() => proxy.inflightCount === 1);
    const killedAt = Date.now();
    process.kill(firstPid, 'SIGKILL');
    // The client learns that the backend went away and an incident id, never the exit status or stderr.
    await expect(call).rejects.toThrow(/The backend exited during the request \(incident [0-9a-f]{8}\)/);
    // At the exit, not when the 60 s call would have ended (a bound that holds on a busy machine too).
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    const secondPid = Number(textOf(await client.callTool({ name: 'whoami' })));
    expect(secondPid).not.toBe(firstPid);
    expect(children).toHaveLength(2);
    // The restarted child was re-initialized with the session's initialize before the call reached it.
    expect(proxy.ready).toBe(true);
  });

  it('gives up on a backend that crashes at every start: clients get incident ids, never its stderr; not ready', async () => {
    const { Proxy } = await import('../../src/proxy/proxy.js');
    const { StdioClientTransport } = await import('../../src/transports/stdio-client.js');
    const { InMemoryTransport } = await import('../../src/transports/in-memory.js');
    let starts = 0;
    const events: BackendEvent[] = [];
    const proxy = new Proxy({
      connectBackend: () => {
        starts++;
        return new StdioClientTransport({
          command: process.execPath,
          args: [
            '-e',
            'process.stderr.write("fatal: db password=hunter2-secret\\n"); setTimeout(() => process.exit(7), 20)',
          ],
          stderr: 'pipe',
        });
      },
      restart: { initialDelayMs: 10, maxDelayMs: 50, maxFastFailures: 3 },
      onEvent: (e) => {
        if (e.type === 'backend') events.push(e.event);
      },
    });
    cleanup.push(() => proxy.close({ graceMs: 0 }));
    const [client, proxySide] = InMemoryTransport.createLinkedPair();
    const answers: JSONRPCMessage[] = [];
    client.onmessage = (m) => answers.push(m);
    proxy.accept(proxySide);
    await client.start();
    const init = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } };
    await client.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: init });
    // The first request is answered as soon as the child dies, with an incident id and nothing else.
    await eventually(() => answers.length === 1);
    expect(answers[0]).toMatchObject({
      id: 1,
      error: { code: -32000, data: { code: 'BACKEND_UNAVAILABLE' } },
    });
    const first = answers[0] as { error: { message: string; data: { incident: string } } };
    expect(first.error.message).toBe(
      `The backend exited during the request (incident ${first.error.data.incident})`,
    );
    // The operators' side has the full cause under the same incident.
    const exit = events.find((e) => e.type === 'exited' && e.incident === first.error.data.incident);
    expect(exit?.type === 'exited' && exit.error.details).toMatchObject({
      exitCode: 7,
      stderrTail: ['fatal: db password=hunter2-secret'],
    });
    await eventually(() => !proxy.ready);
    expect(starts).toBe(3);
    await client.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    await eventually(() => answers.length === 2);
    const gaveUp = events.find((e) => e.type === 'gave-up');
    expect(gaveUp?.type === 'gave-up' && gaveUp.incident).toMatch(/^[0-9a-f]{8}$/);
    expect(answers[1]).toMatchObject({
      id: 2,
      error: {
        message: `Backend unavailable: it failed 3 times in a row (incident ${gaveUp?.type === 'gave-up' ? gaveUp.incident : ''})`,
      },
    });
    for (const answer of answers)
      expect(JSON.stringify(answer)).not.toMatch(/hunter2|password|stderr|exitCode|signal|code 7/);
  });
});

describe('proxy deadlines and cancellation', () => {
  it('extends the deadline on progress, up to the hard cap; on expiry cancels at the backend and errors the client', async () => {
    // The 1 s deadline also covers the child's start at the first message (backends start lazily).
    const { proxy, all } = rawBackendProxy({ relay: { requestTimeoutMs: 1000, maxRequestTimeoutMs: 3000 } });
    const client = await clientVia(proxy);
    track(proxy, client);
    // 2 s of work with progress every 200 ms: beyond the 1 s timeout, within the 3 s cap.
    const ok = await client.callTool({ name: 'slow', arguments: { ms: 2000, steps: 10 } }, undefined, {
      onprogress: () => undefined,
      timeout: 20_000,
    });
    expect(textOf(ok)).toBe('slow done 10');
    // Without progress the 1 s deadline applies.
    const noProgress = client.callTool({ name: 'slow', arguments: { ms: 5000, steps: 1 } }, undefined, {
      timeout: 20_000,
    });
    await expect(noProgress).rejects.toThrow(/timed out after 1(\.\d)? s/);
    // With progress forever, the hard cap ends it.
    const capped = client.callTool({ name: 'slow', arguments: { ms: 15_000, steps: 75 } }, undefined, {
      onprogress: () => undefined,
      timeout: 20_000,
    });
    await expect(capped).rejects.toThrow(/timed out after 3(\.\d)? s/);
    await eventually(() => all().filter((l) => l.startsWith('CANCELLED')).length === 2);
  });

  it("relays a client's notifications/cancelled to the backend", async () => {
    const { proxy, all } = rawBackendProxy();
    const client = await clientVia(proxy);
    track(proxy, client);
    const controller = new AbortController();
    const call = client.callTool({ name: 'slow', arguments: { ms: 5000, steps: 1 } }, undefined, {
      signal: controller.signal,
    });
    await eventually(() => proxy.inflightCount === 1);
    controller.abort('user gave up');
    await expect(call).rejects.toThrow();
    await eventually(() => all().some((l) => /^CANCELLED \d+$/.test(l)));
    expect(proxy.inflightCount).toBe(0);
  });
});

describe('proxy sessions', () => {
  it('refuses sessions beyond --max-sessions with an error', async () => {
    const { proxy } = rawBackendProxy({ maxSessions: 1 });
    const first = await clientVia(proxy);
    track(proxy, first);
    await expect(clientVia(proxy)).rejects.toThrow(/too many sessions \(max 1\)/);
  });

  it('closes idle per-session backends after the idle timeout', async () => {
    const { proxy, children } = rawBackendProxy({ idleTimeoutMs: 200 });
    const client = await clientVia(proxy);
    track(proxy, client);
    await client.callTool({ name: 'echo', arguments: {} });
    expect(proxy.sessionCount).toBe(1);
    await eventually(() => proxy.sessionCount === 0, 20_000);
    await eventually(() => children[0]?.closed === true, 20_000);
  });

  it('lets requests in flight finish on close within the grace period', async () => {
    const { proxy } = rawBackendProxy();
    const client = await clientVia(proxy);
    cleanup.push(() => client.close());
    const call = client.callTool({ name: 'slow', arguments: { ms: 300, steps: 1 } });
    await eventually(() => proxy.inflightCount === 1);
    await proxy.close({ graceMs: 5000 });
    expect(textOf(await call)).toBe('slow done 1');
  });

  it('does not wait out the grace period for a subscriptions/listen stream on close', async () => {
    // A backend that answers initialize and holds every listen stream open, as a 2026-07-28 server does.
    const proxy = new Proxy({
      connectBackend: () => {
        const [proxySide, serverSide] = InMemoryTransport.createLinkedPair();
        serverSide.onmessage = (message) => {
          if (message.method === 'initialize' && isRequestId(message.id)) {
            void serverSide.send({
              jsonrpc: '2.0',
              id: message.id,
              result: {
                protocolVersion: '2025-06-18',
                capabilities: {},
                serverInfo: { name: 'b', version: '1' },
              },
            });
          }
        };
        void serverSide.start();
        return proxySide;
      },
    });
    const [clientSide, proxySide] = InMemoryTransport.createLinkedPair();
    const answers: JSONRPCMessage[] = [];
    clientSide.onmessage = (message) => void answers.push(message);
    proxy.accept(proxySide);
    await clientSide.start();
    await clientSide.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
    });
    await eventually(() => answers.some((m) => m.id === 1));
    await clientSide.send({ jsonrpc: '2.0', id: 2, method: 'subscriptions/listen', params: {} });
    await eventually(() => proxy.inflightCount === 1);
    // A grace far beyond the test's timeout: close must not wait for the stream.
    await proxy.close({ graceMs: 600_000 });
    // The stream was ended with an error answer rather than left open.
    await eventually(() => answers.some((m) => m.id === 2 && 'error' in m));
    await clientSide.close();
  });

  it('passes an 8 MiB tool result', async () => {
    const { proxy } = rawBackendProxy();
    const client = await clientVia(proxy);
    track(proxy, client);
    const big = await client.callTool({ name: 'big', arguments: { bytes: 8 * 1024 * 1024 } });
    expect(textOf(big).length).toBe(8 * 1024 * 1024);
  });
});
