import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/middleware/circuit-breaker.js';
import { pipe } from '../../src/middleware/pipe.js';
import { retry, type RetryEvent } from '../../src/middleware/retry.js';
import { clientVia, rawBackendProxy, textOf } from '../proxy/harness.js';

describe('resilience middleware inside the proxy', () => {
  it('a tools/list in flight when the backend dies is re-sent to the restarted backend; a tools/call is not', async () => {
    const retries: RetryEvent[] = [];
    const breaker = new CircuitBreaker();
    const { proxy, all } = rawBackendProxy({
      restart: { initialDelayMs: 10, maxDelayMs: 50 },
      wrapBackend: (backend) =>
        pipe(backend, breaker.middleware, retry({ initialDelayMs: 50, onRetry: (e) => retries.push(e) })),
    });
    const client = await clientVia(proxy);
    try {
      const pid = Number(textOf(await client.callTool({ name: 'whoami', arguments: {} })));
      // Freeze the child so that the next requests stay in flight, then kill it.
      process.kill(pid, 'SIGSTOP');
      const listed = client.listTools();
      const called = client.callTool({ name: 'echo', arguments: { x: 1 } }).then(
        () => new Error('answered'),
        (error: unknown) => error as Error,
      );
      await new Promise((r) => setTimeout(r, 100));
      process.kill(pid, 'SIGKILL');

      const tools = await listed;
      expect(tools.tools.map((t) => t.name)).toContain('echo');
      expect((await called).message).toMatch(
        /The backend exited during the request \(incident [0-9a-f]{8}\)/,
      );
      expect(retries.map((e) => e.method)).toEqual(['tools/list']);
      // The restarted child saw the re-sent tools/list, never a second tools/call.
      const after = Number(textOf(await client.callTool({ name: 'whoami', arguments: {} })));
      expect(after).not.toBe(pid);
      expect(all().filter((l) => l === 'IN tools/call 3')).toHaveLength(0);
      expect(breaker.state).toBe('closed');
    } finally {
      await client.close();
      await proxy.close({ graceMs: 0 });
    }
  });
});
