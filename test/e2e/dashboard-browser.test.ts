import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Browser, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../fixtures/paths.js';
import { dashboardUrl, httpClient, launchBrowser, screenshot } from './dashboard-harness.js';
import { freePort, startServe, type Started, stopsInBackground } from './processes.js';

const FIXTURE = fixture('dashboard-server.mjs');
const LONG = 60_000;

/** Text of the cells of every row of a tbody, by its data-testid. */
const rows = (page: Page, testid: string): Promise<string[][]> =>
  page.evaluate<string[][]>(
    `[...document.querySelectorAll('[data-testid="${testid}"] tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''))`,
  );

/** Waits until `check` holds for the rows of `testid` (the page updates from the live stream). */
async function waitRows(
  page: Page,
  testid: string,
  check: (rows: string[][]) => boolean,
  what: string,
): Promise<string[][]> {
  const deadline = Date.now() + LONG;
  for (;;) {
    const current = await rows(page, testid);
    if (check(current)) return current;
    if (Date.now() > deadline)
      throw new Error(`${what}: not shown; ${testid} = ${JSON.stringify(current).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `check` until it holds (the page updates from the live stream about once a second). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + LONG;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${LONG} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An attribute of the chart of one operation (`undefined` while it is not drawn). */
const chartAttr = async (page: Page, selector: string, name: string): Promise<string | undefined> =>
  (await page
    .locator(selector)
    .first()
    .getAttribute(name, { timeout: 1000 })
    .catch(() => null)) ?? undefined;

// The first serve stops while the gateway's test runs: it takes seconds to exit, and that test does not
// need it gone.
const stopLater = stopsInBackground();

describe('the live dashboard in a real browser, serve with one backend', () => {
  let serve: Started & { urls: string[] };
  let browser: Browser;
  let page: Page;
  let client: Client;
  let recordDir: string;

  beforeAll(async () => {
    const adminPort = await freePort();
    recordDir = mkdtempSync(path.join(os.tmpdir(), 'sb-dash-rec-'));
    serve = await startServe([
      '--listen',
      'http://127.0.0.1:0/mcp',
      '--admin-bind',
      `127.0.0.1:${adminPort}`,
      '--record',
      path.join(recordDir, 'session.jsonl'),
      '--',
      process.execPath,
      FIXTURE,
    ]);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(dashboardUrl(serve));
    await page.waitForSelector('[data-testid="status"].live', { timeout: LONG });
    client = await httpClient(serve.urls[0] as string, 'dashboard-e2e');
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await browser?.close();
    stopLater(
      (async () => {
        await serve?.stop();
        rmSync(recordDir, { recursive: true, force: true });
      })(),
    );
  });

  it('lists the session with its client, era and frontend', async () => {
    await client.callTool({ name: 'ok', arguments: { text: 'first' } });
    const sessions = await waitRows(
      page,
      'sessions',
      (r) => r.some((c) => c[1]?.startsWith('dashboard-e2e 2.5.0')),
      'the session',
    );
    const row = sessions.find((c) => c[1]?.startsWith('dashboard-e2e')) as string[];
    expect(row[2]).toMatch(/^2025 \(2025-/);
    expect(row[4]).toContain('http');
  });

  it("shows a failing tool's error rate on its chart", async () => {
    for (let i = 0; i < 3; i++) {
      const r = await client.callTool({ name: 'fail', arguments: {} });
      expect(r.isError).toBe(true);
    }
    const chart = page.locator('.chart[data-operation="tools/call fail"]');
    await chart.waitFor({ timeout: LONG });
    await eventually(
      async () => (await chartAttr(page, '.chart[data-operation="tools/call fail"]', 'data-errors')) === '3',
      'three errors on the chart',
    );
    expect(await chart.getAttribute('data-calls')).toBe('3');
    expect(await chart.locator('[data-testid="chart-summary"]').textContent()).toContain('100% errors');
    // Two uPlot charts per operation (calls/errors, latency percentiles), drawn on canvases.
    expect(await chart.locator('canvas').count()).toBe(2);
    const okChart = page.locator('.chart[data-operation="tools/call ok"]');
    expect(await okChart.locator('[data-testid="chart-summary"]').textContent()).toContain('0% errors');
  });

  it('updates the frame tail live, with filters and pause', async () => {
    await client.callTool({ name: 'ok', arguments: { text: 'tail-marker-1' } });
    await waitRows(page, 'tail', (r) => r.some((c) => c.join(' ').includes('tail-marker-1')), 'a new frame');

    await page.locator('[data-testid="filter-errors"]').check();
    const errorsOnly = await waitRows(
      page,
      'tail',
      (r) => r.length > 0 && r.every((c) => c[4] === 'error'),
      'errors only',
    );
    expect(errorsOnly.some((c) => c.join(' ').includes('this tool always fails'))).toBe(true);
    await page.locator('[data-testid="filter-errors"]').uncheck();

    await page.locator('[data-testid="filter-method"]').fill('tools/call ok');
    await waitRows(
      page,
      'tail',
      (r) => r.length > 0 && r.every((c) => c[5] === 'tools/call ok'),
      'method filter',
    );
    await page.locator('[data-testid="filter-method"]').fill('');

    await page.locator('[data-testid="pause"]').click();
    const before = Number(await page.locator('[data-testid="total-requests"]').textContent());
    await client.callTool({ name: 'ok', arguments: { text: 'paused-marker' } });
    // The totals move on (snapshots keep coming) while the paused tail does not show the new frame.
    await eventually(
      async () => Number(await page.locator('[data-testid="total-requests"]').textContent()) > before,
      'the totals moving on',
    );
    expect((await rows(page, 'tail')).some((c) => c.join(' ').includes('paused-marker'))).toBe(false);
    await page.locator('[data-testid="pause"]').click();
    await waitRows(page, 'tail', (r) => r.some((c) => c.join(' ').includes('paused-marker')), 'resumed tail');
  });

  it('shows in-flight calls with their progress, then the slowest calls', async () => {
    const slow = client.callTool({ name: 'slow', arguments: { ms: 3000 } }, undefined, {
      onprogress: () => undefined,
    });
    const inflight = await waitRows(
      page,
      'inflight',
      (r) => r.some((c) => c[2] === 'tools/call slow' && /\d \/ 4/.test(c[4] ?? '')),
      'in flight with progress',
    );
    expect(inflight.length).toBeGreaterThan(0);
    await slow;
    await waitRows(page, 'slowest', (r) => r[0]?.[0] === 'tools/call slow', 'slowest call first');
  });

  it("shows a backend's restart after a crash, with its stderr (operator only)", async () => {
    const crashed = await client.callTool({ name: 'crash', arguments: {} }).then(
      () => 'answered',
      (e: unknown) => (e as Error).message,
    );
    expect(crashed).toMatch(/backend exited/i);
    // The client never saw the child's stderr.
    expect(crashed).not.toContain('crashing on purpose');
    // The next call restarts the session's backend.
    await client.callTool({ name: 'ok', arguments: { text: 'after crash' } });
    const backends = await waitRows(
      page,
      'backends',
      (r) =>
        r.some((c) => c[2] === 'up' && Number(c[4]) >= 1 && (c[6] ?? '').includes('crashing on purpose')),
      'the restarted backend',
    );
    const row = backends.find((c) => Number(c[4]) >= 1) as string[];
    expect(row[5]).toContain('code 7');
    await screenshot(page, 'serve');
  });

  it('shows the recent frames of one session', async () => {
    await page.locator('[data-testid="sessions"] tr', { hasText: 'dashboard-e2e' }).first().click();
    await waitRows(
      page,
      'session-frames',
      (r) => r.some((c) => c[5] === 'tools/call crash'),
      'session frames',
    );
  });

  it('opens a recording (serve --record) and steps through it', async () => {
    const file = path.join(recordDir, 'session.jsonl');
    // The recorder writes as frames pass; wait until the crash call is in the file.
    await eventually(() => Promise.resolve(readFileSync(file, 'utf8').includes('"crash"')), 'the recording');
    await page.locator('[data-testid="open-recording"]').setInputFiles(file);
    await page.locator('[data-testid="recording"]').waitFor({ state: 'visible', timeout: LONG });
    const frames = await rows(page, 'recording-frames');
    expect(frames.length).toBeGreaterThan(10);
    expect(frames[0]?.[5]).toBe('initialize');
    // Answers are shown with the call they answer; a tool error counts as an error.
    expect(frames.some((c) => c[3] === '←' && c[4] === 'error' && c[5] === 'tools/call crash')).toBe(true);
    expect(frames.some((c) => c[3] === '←' && c[4] === 'error' && c[5] === 'tools/call fail')).toBe(true);
    expect(await page.locator('[data-testid="recording-position"]').textContent()).toBe(
      `frame 1 of ${frames.length}`,
    );
    await page.locator('[data-step="1"]').click();
    await page.locator('[data-step="1"]').click();
    expect(await page.locator('[data-testid="recording-position"]').textContent()).toBe(
      `frame 3 of ${frames.length}`,
    );
    const detail = JSON.parse(
      (await page.locator('[data-testid="recording-detail"]').textContent()) ?? '',
    ) as {
      message: { method?: string };
    };
    expect(detail.message.method).toBe(frames[2]?.[5]?.split(' ')[0]);
    await page
      .locator('[data-testid="recording-frames"] tr', { hasText: 'tools/call crash' })
      .first()
      .click();
    expect(await page.locator('[data-testid="recording-detail"]').textContent()).toContain('"name": "crash"');
    await screenshot(page, 'recording');
    await page.locator('[data-close-recording]').click();
    expect(await page.locator('#live').isVisible()).toBe(true);
  });
});

describe('the live dashboard in a real browser, the gateway with two servers', () => {
  let gateway: Started & { urls: string[] };
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sb-dash-gw-'));
    const adminPort = await freePort();
    const configFile = path.join(dir, 'gateway.yaml');
    writeFileSync(
      configFile,
      stringify({
        servers: {
          alpha: { command: process.execPath, args: [FIXTURE] },
          beta: { command: process.execPath, args: [FIXTURE] },
        },
        listen: ['http://127.0.0.1:0/mcp'],
        adminBind: `127.0.0.1:${adminPort}`,
      }),
    );
    gateway = await startServe(['--config', configFile]);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("places each call on its server, and shows each server's backends", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(dashboardUrl(gateway));
    await page.waitForSelector('[data-testid="status"].live', { timeout: LONG });
    const client = await httpClient(gateway.urls[0] as string, 'gateway-e2e');
    try {
      await client.callTool({ name: 'alpha__fail', arguments: {} });
      await client.callTool({ name: 'alpha__fail', arguments: {} });
      await client.callTool({ name: 'beta__ok', arguments: { text: 'via gateway' } });
      await eventually(
        async () =>
          (await chartAttr(
            page,
            '.chart[data-server="alpha"][data-operation="tools/call fail"]',
            'data-errors',
          )) === '2' &&
          (await chartAttr(
            page,
            '.chart[data-server="beta"][data-operation="tools/call ok"]',
            'data-calls',
          )) === '1',
        'calls placed on their servers',
      );
      const backends = await waitRows(
        page,
        'backends',
        (r) => ['alpha', 'beta'].every((s) => r.some((c) => c[0] === s && c[2] === 'up')),
        'both servers up',
      );
      expect(
        backends.some((c) => c[0] === 'alpha' && (c[6] ?? '').includes('dashboard-fixture: started')),
      ).toBe(true);
      await waitRows(
        page,
        'tail',
        (r) => r.some((c) => c[2] === 'beta' && c[5] === 'tools/call ok'),
        'gateway frames',
      );
      await page.locator('[data-testid="filter-server"]').fill('alpha');
      await waitRows(page, 'tail', (r) => r.length > 0 && r.every((c) => c[2] === 'alpha'), 'server filter');
      await page.locator('[data-testid="filter-server"]').fill('');
      await screenshot(page, 'gateway');
    } finally {
      await client.close();
      await page.close();
    }
  });
});
