import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../fixtures/browser.js';
import { projectFile } from '../fixtures/paths.js';
import type { Started } from './processes.js';

/** Where the browser tests save their screenshots (kept out of git). */
export const ARTIFACTS = projectFile('test-artifacts/dashboard');

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return launchChromium();
}

/** Saves a full-page screenshot under {@link ARTIFACTS}. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The dashboard URL a running serve logged (`"msg":"dashboard"`). */
export function dashboardUrl(serve: Started): string {
  const line = serve.stderr.find((l) => l.includes('"msg":"dashboard"'));
  if (line === undefined) throw new Error(`no dashboard logged: ${serve.stderr.slice(-5).join(' | ')}`);
  return (JSON.parse(line) as { url: string }).url;
}

/** An SDK client connected over Streamable HTTP. */
export async function httpClient(
  url: string,
  name: string,
  headers?: Record<string, string>,
): Promise<Client> {
  const client = new Client({ name, version: '2.5.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), headers ? { requestInit: { headers } } : undefined),
  );
  return client;
}

/** A raw GET (any Host/Origin header, which fetch would not let us set); resolves with status and body. */
export function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
        // An event stream never ends: its first bytes are enough.
        if (res.headers['content-type']?.startsWith('text/event-stream')) res.destroy();
      });
      res.on('close', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('timeout')));
  });
}
