import http from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../fixtures/paths.js';
import { dashboardUrl, httpClient, launchBrowser, rawGet, screenshot } from './dashboard-harness.js';
import { freePort, startServe, type Started } from './processes.js';

const KEY = 'k-0123456789abcdef0123456789abcdef';
const withKey = { 'x-api-key': KEY };

describe('the dashboard is protected like the rest of the edge', () => {
  let serve: Started & { urls: string[] };
  let admin: string;
  let frontend: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const adminPort = await freePort();
    serve = await startServe(
      [
        '--listen',
        'http://127.0.0.1:0/mcp',
        '--admin-bind',
        `127.0.0.1:${adminPort}`,
        '--dashboard',
        '--',
        process.execPath,
        fixture('dashboard-server.mjs'),
      ],
      { SWITCHBOARD_API_KEYS: `ops:${KEY}` },
    );
    admin = dashboardUrl(serve).replace(/\/dashboard$/, '');
    frontend = new URL(serve.urls[0] as string).origin;
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('refuses the data routes without credentials, on the admin endpoint and on the frontend', async () => {
    for (const base of [admin, frontend]) {
      for (const route of [
        '/dashboard/api/snapshot',
        '/dashboard/api/events',
        '/dashboard/api/session?id=x',
      ]) {
        const refused = await rawGet(`${base}${route}`);
        expect(refused.status, `${base}${route}`).toBe(401);
        expect(refused.body).not.toContain('sessions');
        const wrong = await rawGet(`${base}${route}`, {
          'x-api-key': 'k-wrong-wrong-wrong-wrong-wrong-wrong',
        });
        expect(wrong.status).toBe(401);
      }
      const snapshot = await rawGet(`${base}/dashboard/api/snapshot`, withKey);
      expect(snapshot.status).toBe(200);
      expect(JSON.parse(snapshot.body)).toHaveProperty('totals');
      const events = await rawGet(`${base}/dashboard/api/events`, withKey);
      expect(events.status).toBe(200);
      expect(events.headers['content-type']).toContain('text/event-stream');
      expect(events.body).toContain('event: snapshot');
    }
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin, even with credentials', async () => {
    for (const base of [admin, frontend]) {
      for (const route of ['/dashboard', '/dashboard/api/snapshot', '/dashboard/app.js']) {
        const host = await rawGet(`${base}${route}`, { ...withKey, host: 'evil.example' });
        expect(host.status, `${base}${route} Host`).toBe(403);
        const origin = await rawGet(`${base}${route}`, { ...withKey, origin: 'http://evil.example' });
        expect(origin.status, `${base}${route} Origin`).toBe(403);
      }
    }
  });

  it('serves the page itself (no data in it) with a strict content security policy', async () => {
    const page = await rawGet(`${admin}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/); // no CDN, no external font
    const uplot = await rawGet(`${admin}/dashboard/uplot.js`);
    expect(uplot.status).toBe(200);
    expect(uplot.body).toContain('uPlot');
  });

  it('in a browser: asks for credentials, then goes live with them', async () => {
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(`${admin}/dashboard`);
    await page.locator('[data-testid="login"]').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await page.locator('[data-testid="status"]').textContent()).toBe('credentials needed');
    expect(await page.locator('[data-testid="sessions"] tr').count()).toBe(0);
    await screenshot(page, 'credentials');
    const client = await httpClient(serve.urls[0] as string, 'secured-client', withKey);
    try {
      await client.callTool({ name: 'ok', arguments: {} });
      await page.locator('select[name="header"]').selectOption('apikey');
      await page.locator('input[name="secret"]').fill(KEY);
      await page.locator('#login button').click();
      await page.waitForSelector('[data-testid="status"].live', { timeout: 60_000 });
      const row = page.locator('[data-testid="sessions"] tr', { hasText: 'secured-client' });
      await row.first().waitFor({ timeout: 60_000 });
      // The session's principal is the API key's id.
      expect(await row.first().locator('td').nth(3).textContent()).toBe('apikey:ops');
    } finally {
      await client.close();
    }
  });

  it('answers GET / on the HTTP frontend with the front door (page and JSON)', async () => {
    const json = await rawGet(`${frontend}/`, { accept: 'application/json' });
    expect(json.status).toBe(200);
    const doc = JSON.parse(json.body) as {
      mcp: { endpoint: string; protocolVersions: string[] };
      connect: unknown;
      links: Record<string, string>;
      authentication: string;
    };
    expect(doc.mcp.endpoint).toBe(serve.urls[0]);
    expect(doc.mcp.protocolVersions).toContain('2026-07-28');
    expect(doc.mcp.protocolVersions).toContain('2025-11-25');
    expect(doc.connect).toEqual({ mcpServers: { switchboard: { type: 'http', url: serve.urls[0] } } });
    expect(doc.links).toEqual({ dashboard: '/dashboard' });
    expect(doc.authentication).toMatch(/^required/);
    const html = await rawGet(`${frontend}/`, { accept: 'text/html' });
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain(serve.urls[0]);
    expect(html.body).toContain('href="/dashboard"');
    // The MCP endpoint itself is unchanged.
    const mcp = await rawGet(serve.urls[0] as string, withKey);
    expect(mcp.status).not.toBe(200);
  });
});

describe('shutdown with dashboard streams open', () => {
  it('ends the live streams at once instead of waiting out the grace period', async () => {
    const serve = await startServe([
      '--listen',
      'http://127.0.0.1:0/mcp',
      '--dashboard',
      '--shutdown-grace',
      '60s',
      '--',
      process.execPath,
      fixture('dashboard-server.mjs'),
    ]);
    try {
      const origin = new URL(serve.urls[0] as string).origin;
      let body = '';
      const ended = new Promise<string>((resolve, reject) => {
        const req = http.get(`${origin}/dashboard/api/events`, (res) => {
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('close', () => resolve(body));
        });
        req.on('error', reject);
      });
      // The stream is open once the first snapshot came; then stop the process.
      const deadline = Date.now() + 30_000;
      while (!body.includes('event: snapshot')) {
        if (Date.now() > deadline) throw new Error('the stream did not open');
        await new Promise((r) => setTimeout(r, 50));
      }
      const started = Date.now();
      serve.proc.kill('SIGTERM');
      await ended;
      await new Promise<void>((resolve) => {
        if (serve.proc.exitCode !== null) resolve();
        else serve.proc.once('exit', () => resolve());
      });
      expect(serve.proc.exitCode).toBe(0);
      // Far less than the 60 s grace period a held connection would have cost.
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await serve.stop();
    }
  }, 90_000);
});
