import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../fixtures/browser.js';
import { startCountingBackend, startServe, type CountingBackend } from '../security/harness.js';

/** A page server on its own loopback port: its origin is `http://127.0.0.1:<port>`. */
async function pageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>client</title><p>MCP browser client</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What the page's script reports after calling the MCP endpoint. */
interface Outcome {
  ok: boolean;
  status?: number;
  sessionId?: string | null;
  serverName?: string;
  error?: string;
}

/** Runs in the page: an MCP initialize POST, cross-origin, then a tools/list with the session id. */
const callFromPage = async (url: string): Promise<Outcome> => {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'browser', version: '1' },
        },
      }),
    });
    const body = (await res.json()) as { result?: { serverInfo?: { name?: string } } };
    const sessionId = res.headers.get('mcp-session-id');
    // A follow-up request carrying the session id (a non-simple header: preflighted too).
    await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId ?? '',
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    return { ok: true, status: res.status, sessionId, serverName: body.result?.serverInfo?.name ?? '' };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
};

let backend: CountingBackend;
let allowed: Awaited<ReturnType<typeof pageServer>>;
let foreign: Awaited<ReturnType<typeof pageServer>>;
let serve: Awaited<ReturnType<typeof startServe>>;
let browser: Browser;

beforeAll(async () => {
  backend = await startCountingBackend();
  allowed = await pageServer();
  foreign = await pageServer();
  serve = await startServe(backend.uri, { security: { cors: { origins: [allowed.origin] } } });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await serve?.close();
  await allowed?.close();
  await foreign?.close();
  await backend?.close();
});

describe('a real browser calling the HTTP frontend cross-origin', () => {
  it('works from an allowed origin, and Mcp-Session-Id is readable from JS', async () => {
    const page = await browser.newPage();
    await page.goto(`${allowed.origin}/`);
    const outcome = await page.evaluate(callFromPage, serve.url);
    await page.close();
    expect(outcome.ok).toBe(true);
    expect(outcome.status).toBe(200);
    expect(outcome.sessionId).toMatch(/^[\x21-\x7e]+$/);
    expect(outcome.serverName).toBe('switchboard-demo');
  });

  it('is blocked from a foreign origin (another port), and nothing reaches the backend', async () => {
    const before = { connections: backend.connections, received: backend.received.length };
    const page = await browser.newPage();
    await page.goto(`${foreign.origin}/`);
    const outcome = await page.evaluate(callFromPage, serve.url);
    await page.close();
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toMatch(/TypeError|Failed to fetch/);
    expect(backend.connections).toBe(before.connections);
    expect(backend.received.length).toBe(before.received);
  });
});
