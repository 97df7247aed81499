import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startAdapterServer, type AdapterServer } from '../fixtures/adapter-server.js';
import { eventually, getJson, graphql, postJson, startAdapters, type AdapterStack } from './harness.js';

// A backend that is down (nothing listens on its port), comes up, goes down and comes back.

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Restarts give up quickly, so "down" shows within a test's time.
const QUICK_GIVE_UP = { restart: { maxFastFailures: 1, initialDelay: '10ms', maxDelay: '50ms' } };

describe('a dead backend', () => {
  it('is 503 with Retry-After on REST and GraphQL; Swagger UI still loads; recovery when it comes up', async () => {
    const port = await freePort();
    const stack: AdapterStack = await startAdapters(
      { positional: [`tcp://127.0.0.1:${port}`] },
      QUICK_GIVE_UP,
    );
    cleanups.push(() => stack.close());

    const call = await postJson(`${stack.rest}/tools/echo`, { text: 'x' });
    expect(call.status).toBe(503);
    expect(Number(call.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(call.body).toMatchObject({
      error: { message: expect.stringContaining('Backend unavailable') as unknown },
    });
    await expect(getJson(`${stack.rest}/openapi.json`)).resolves.toMatchObject({ status: 503 });
    const query = await graphql(stack.graphql, '{ tools { name } }');
    expect(query.status).toBe(503);
    expect(query.headers.get('retry-after')).not.toBeNull();
    expect(query.body).toMatchObject({
      errors: [{ extensions: { code: 'BACKEND_UNAVAILABLE', status: 503 } }],
    });
    await expect(getJson(`${stack.rest}/docs`)).resolves.toMatchObject({ status: 200 });

    let backend: AdapterServer = await startAdapterServer(port);
    cleanups.push(() => backend.close());
    await eventually(
      async () => {
        const res = await postJson(`${stack.rest}/tools/echo`, { text: 'up' });
        return res.status === 200 ? res : undefined;
      },
      'the adapter to reconnect',
      45_000,
    );

    // Down again: in-flight and new calls are 503, never a hang; then back.
    await backend.close();
    await eventually(
      async () => {
        const res = await postJson(`${stack.rest}/tools/echo`, { text: 'down' });
        return res.status === 503 ? res : undefined;
      },
      '503 while the backend is down',
      45_000,
    );
    backend = await startAdapterServer(port);
    cleanups.push(() => backend.close());
    const back = await eventually(
      async () => {
        const res = await postJson(`${stack.rest}/tools/echo`, { text: 'back' });
        return res.status === 200 ? res : undefined;
      },
      'the adapter to recover',
      45_000,
    );
    expect(back.body).toBe('back');
    // The document is served from the catalog again.
    await expect(getJson(`${stack.rest}/openapi.json`)).resolves.toMatchObject({ status: 200 });
  });
});
