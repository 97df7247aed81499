import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdapters, type AdapterStack } from '../adapters/harness.js';
import { launchChromium } from '../fixtures/browser.js';
import { projectFile } from '../fixtures/paths.js';

// A real browser (Debian's chromium, driven by playwright-core) uses Swagger UI's "Try it out" and
// GraphiQL against the adapters, all assets from node_modules (no CDN). Screenshots go to
// test-artifacts/ (ignored by git).

/** The part of the page's DOM the scripts below use (the test compiles without the DOM library). */
interface DomLike {
  document: { querySelector(selector: string): unknown };
}
const ARTIFACTS = projectFile('test-artifacts');

let browser: Browser;
let stack: AdapterStack;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startAdapters();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** A page that records console errors and every request leaving for another origin. */
async function openPage(): Promise<{ page: Page; problems: string[]; foreign: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const foreign: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(stack.origin) && !r.url().startsWith('data:')) foreign.push(r.url());
  });
  return { page, problems, foreign };
}

describe('Swagger UI', () => {
  it('expands a tool, uses "Try it out" and shows the tool result', async () => {
    const { page, problems, foreign } = await openPage();
    await page.goto(`${stack.rest}/docs`);
    const operation = page.locator('#operations-tools-call_echo');
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    const body = operation.locator('textarea.body-param__text');
    await body.fill(JSON.stringify({ message: 'hello from the browser' }));
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table tbody .response-col_status').first();
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toContain('200');
    const shown = operation.locator('.live-responses-table tbody .response-col_description pre').first();
    await expect.poll(() => shown.textContent(), { timeout: 20_000 }).toContain('hello from the browser');
    // The operation down to its live response (the documented responses follow below it).
    const box = await operation.boundingBox();
    const end = await operation.locator('.live-responses-table').boundingBox();
    const scrollY = await page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY);
    if (box !== null && end !== null) {
      const y = box.y + scrollY;
      const clip = { x: box.x, y, width: box.width, height: end.y + scrollY + end.height - y + 10 };
      await page.screenshot({ path: `${ARTIFACTS}/swagger-ui-try-it-out.png`, clip, fullPage: true });
    }
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  }, 60_000);
});

describe('GraphiQL', () => {
  it('runs a mutation and shows the result', async () => {
    const { page, problems, foreign } = await openPage();
    await page.goto(stack.graphql);
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor({ timeout: 20_000 });
    await page.evaluate((query) => {
      const editor = (globalThis as unknown as DomLike).document.querySelector(
        '.graphiql-query-editor .CodeMirror',
      ) as {
        CodeMirror: { setValue(v: string): void };
      };
      editor.CodeMirror.setValue(query);
    }, 'mutation {\n  echo(message: "hello from GraphiQL") {\n    content { ... on TextContent { text } }\n  }\n}\n');
    await page.locator('button.graphiql-execute-button').click();
    const result = (): Promise<string> =>
      page.evaluate(() => {
        const editor = (globalThis as unknown as DomLike).document.querySelector(
          '.graphiql-response .CodeMirror',
        ) as {
          CodeMirror?: { getValue(): string };
        } | null;
        return editor?.CodeMirror?.getValue() ?? '';
      });
    await expect.poll(result, { timeout: 20_000 }).toContain('hello from GraphiQL');
    expect(JSON.parse(await result())).toEqual({
      data: { echo: { content: [{ text: 'hello from GraphiQL' }] } },
    });
    await page.screenshot({ path: `${ARTIFACTS}/graphiql-mutation.png` });
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  }, 60_000);
});
