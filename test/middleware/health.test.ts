import { afterEach, describe, expect, it, vi } from 'vitest';
import { health } from '../../src/middleware/health.js';
import { pipe } from '../../src/middleware/pipe.js';
import type { BackendEvent } from '../../src/proxy/supervised-backend.js';
import { Proxy } from '../../src/proxy/proxy.js';
import { StdioClientTransport } from '../../src/transports/stdio-client.js';
import { fixture } from '../fixtures/paths.js';
import { clientVia, eventually, textOf } from '../proxy/harness.js';
import { flush, ok, request, rig } from './harness.js';

describe('health monitoring', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pings an idle backend, consumes the answers, and closes it after N pings without an answer', async () => {
    vi.useFakeTimers();
    const failures: number[] = [];
    let answering = true;
    const r = await rig(
      [health({ intervalMs: 1_000, timeoutMs: 500, failures: 3, onFailure: (n) => failures.push(n) })],
      (req, reply) => {
        if (req.method !== 'ping' || answering) void reply(ok(req.id));
      },
    );
    let closed = false;
    r.transport.onclose = () => (closed = true);
    const pings = (): number => r.atBackend.filter((m) => m.method === 'ping').length;

    // No ping before the backend answered anything (the session is not established).
    await vi.advanceTimersByTimeAsync(5_000);
    expect(pings()).toBe(0);
    await r.transport.send(request(1, 'initialize'));
    await flush();
    expect(r.delivered).toEqual([ok(1)]);

    await vi.advanceTimersByTimeAsync(3_000);
    expect(pings()).toBeGreaterThanOrEqual(1);
    // Ping answers are consumed, never delivered.
    expect(r.delivered).toEqual([ok(1)]);
    expect(closed).toBe(false);

    answering = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(failures).toEqual([1, 2, 3]);
    expect(closed).toBe(true);
  });

  it('a supervised backend that stops answering is detected and restarted', async () => {
    const events: BackendEvent[] = [];
    const proxy = new Proxy({
      connectBackend: () =>
        pipe(
          new StdioClientTransport({
            command: process.execPath,
            args: [fixture('raw-backend.mjs')],
            stderr: 'pipe',
          }),
          health({ intervalMs: 100, timeoutMs: 150, failures: 2 }),
        ),
      restart: { initialDelayMs: 10, maxDelayMs: 50 },
      onEvent: (e) => {
        if (e.type === 'backend') events.push(e.event);
      },
    });
    const client = await clientVia(proxy);
    try {
      const pid = Number(textOf(await client.callTool({ name: 'whoami', arguments: {} })));
      // Freeze the child: it stays alive but answers nothing (a hung server).
      process.kill(pid, 'SIGSTOP');
      await eventually(() => events.some((e) => e.type === 'started' && e.attempt === 2), 20_000);
      expect(events.find((e) => e.type === 'exited')).toMatchObject({
        error: {
          code: 'CONNECTION_FAILED',
          message: expect.stringMatching(/health checks failed/) as unknown,
        },
      });
      const again = Number(textOf(await client.callTool({ name: 'whoami', arguments: {} })));
      expect(again).not.toBe(pid);
    } finally {
      await client.close();
      await proxy.close({ graceMs: 0 });
    }
  });
});
