import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIO_BASE64,
  PNG_BASE64,
  startAdapterServer,
  type AdapterServer,
} from '../fixtures/adapter-server.js';
import { validateOpenApi } from '../schema/validators.js';
import { eventually, getJson, parseSse, postJson, startAdapters, type AdapterStack } from './harness.js';

// The REST adapter in front of the fixture backend over TCP (serve in-process, real sockets).

let backend: AdapterServer;
let stack: AdapterStack;

beforeAll(async () => {
  backend = await startAdapterServer();
  stack = await startAdapters({ positional: [backend.uri] });
});
afterAll(async () => {
  await stack?.close();
  await backend?.close();
});

type Doc = { paths: Record<string, Record<string, { 'x-mcp-tool'?: string }>> };

describe('tool calls', () => {
  it('answers with the text (parsed as JSON when it is JSON), structured content, audio and mixed content', async () => {
    await expect(postJson(`${stack.rest}/tools/echo`, { text: 'hi' })).resolves.toMatchObject({
      status: 200,
      body: 'hi',
    });
    await expect(postJson(`${stack.rest}/tools/echo`, { text: '[1,2]' })).resolves.toMatchObject({
      status: 200,
      body: [1, 2],
    });
    await expect(postJson(`${stack.rest}/tools/weather`, {})).resolves.toMatchObject({
      status: 200,
      body: { celsius: 21, sky: 'clear sky' },
    });
    await expect(postJson(`${stack.rest}/tools/beep`, {})).resolves.toMatchObject({
      status: 200,
      body: `data:audio/wav;base64,${AUDIO_BASE64}`,
    });
    const mixed = await postJson(`${stack.rest}/tools/mixed`, '');
    expect(mixed.status).toBe(200);
    expect(mixed.body).toEqual([
      { a: 1 },
      'plain words',
      `data:image/png;base64,${PNG_BASE64}`,
      { type: 'resource_link', uri: 'fixture://hello', name: 'hello' },
      { type: 'resource', resource: { uri: 'fixture://hello', mimeType: 'text/plain', text: 'hello' } },
    ]);
  });

  it('validates arguments against the input schema, $defs included (422 with the errors)', async () => {
    const ok = await postJson(`${stack.rest}/tools/order`, { item: { sku: 'ABC-1', qty: 2 } });
    expect(ok).toMatchObject({ status: 200, body: { ok: true, item: { sku: 'ABC-1', qty: 2 } } });
    const bad = await postJson(`${stack.rest}/tools/order`, { item: { sku: 'abc', qty: 0 }, extra: 1 });
    expect(bad.status).toBe(422);
    const errors = (
      bad.body as { error: { code: number; data: { errors: { instancePath: string; keyword: string }[] } } }
    ).error;
    expect(errors.code).toBe(-32602);
    expect(errors.data.errors.map((e) => `${e.instancePath}:${e.keyword}`).sort()).toEqual([
      '/item/qty:minimum',
      '/item/sku:pattern',
      ':additionalProperties',
    ]);
    // Nothing invalid reached the backend: the backend would have answered 200.
    await expect(postJson(`${stack.rest}/tools/echo`, {})).resolves.toMatchObject({ status: 422 });
  });

  it('refuses bodies that are not JSON objects (400/415) and unknown tools (404)', async () => {
    await expect(postJson(`${stack.rest}/tools/echo`, '[1]')).resolves.toMatchObject({ status: 400 });
    await expect(postJson(`${stack.rest}/tools/echo`, '{"text":')).resolves.toMatchObject({ status: 400 });
    const form = await fetch(`${stack.rest}/tools/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'text=hi',
    });
    expect(form.status).toBe(415);
    const unknown = await postJson(`${stack.rest}/tools/nope`, {});
    expect(unknown).toMatchObject({ status: 404, body: { error: { message: 'Unknown tool "nope"' } } });
    await expect(postJson(`${stack.rest}/nope`, {})).resolves.toMatchObject({ status: 404 });
    await expect(getJson(`${stack.rest}/tools/echo`)).resolves.toMatchObject({ status: 405 });
  });

  it('maps isError to 422 with the tool text and the whole result', async () => {
    const failed = await postJson(`${stack.rest}/tools/fail`, { reason: 'disk full' });
    expect(failed.status).toBe(422);
    expect(failed.body).toEqual({
      error: { message: 'failed: disk full' },
      result: { content: [{ type: 'text', text: 'failed: disk full' }], isError: true },
    });
  });

  it('answers mcpo-style aliases POST /{tool}', async () => {
    await expect(postJson(`${stack.rest}/echo`, { text: 'alias' })).resolves.toMatchObject({
      status: 200,
      body: 'alias',
    });
  });
});

describe('resources', () => {
  it('lists and reads; an unknown resource is 404', async () => {
    await expect(getJson(`${stack.rest}/resources`)).resolves.toMatchObject({
      status: 200,
      body: { resources: [{ uri: 'fixture://hello' }] },
    });
    await expect(getJson(`${stack.rest}/resources/read?uri=fixture://hello`)).resolves.toMatchObject({
      status: 200,
      body: { contents: [{ text: 'hello' }] },
    });
    await expect(getJson(`${stack.rest}/resources/read?uri=fixture://nope`)).resolves.toMatchObject({
      status: 404,
      body: { error: { code: -32002 } },
    });
    await expect(getJson(`${stack.rest}/resources/read`)).resolves.toMatchObject({ status: 400 });
  });
});

describe('progress and cancellation', () => {
  it('streams progress events then the result with Accept: text/event-stream', async () => {
    const res = await postJson(`${stack.rest}/tools/slow`, { ms: 120 }, { accept: 'text/event-stream' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = parseSse(res.text);
    const progress = events.filter((e) => e.event === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]?.data).toMatchObject({ progress: 1, message: 'step 1' });
    expect(events.at(-1)).toEqual({ event: 'result', data: 'slept 120' });
  });

  it('streams an error event for a failed call', async () => {
    const res = await postJson(`${stack.rest}/tools/fail`, { reason: 'x' }, { accept: 'text/event-stream' });
    expect(parseSse(res.text).at(-1)).toMatchObject({
      event: 'error',
      data: { status: 422, error: { message: 'failed: x' } },
    });
  });

  it.each([
    ['JSON', 'application/json'],
    ['SSE', 'text/event-stream'],
  ])('a client that disconnects cancels the call (%s)', async (_name, accept) => {
    const before = { started: backend.state.started, cancelled: backend.state.cancelled };
    const url = new URL(`${stack.rest}/tools/slow`);
    const req = http.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept },
    });
    req.on('error', () => undefined);
    req.end(JSON.stringify({ ms: 20_000 }));
    await eventually(() => (backend.state.started > before.started ? true : undefined), 'the call to start');
    req.destroy();
    await eventually(
      () => (backend.state.cancelled > before.cancelled ? true : undefined),
      'the backend to see the cancellation',
    );
  });
});

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1, served relative to the mount, and follows list_changed', async () => {
    const first = await getJson(`${stack.rest}/openapi.json`);
    expect(first.status).toBe(200);
    const doc = first.body as Doc & { servers: { url: string }[] };
    expect(doc.servers).toEqual([{ url: '/rest' }]);
    await expect(validateOpenApi(doc as unknown as Record<string, unknown>)).resolves.toMatchObject({
      valid: true,
    });
    expect(doc.paths['/tools/echo']?.post?.['x-mcp-tool']).toBe('echo');
    expect(doc.paths['/tools/shiny']).toBeUndefined();

    await expect(postJson(`${stack.rest}/tools/add-tool`, { name: 'shiny' })).resolves.toMatchObject({
      status: 200,
    });
    const updated = await eventually(async () => {
      const d = (await getJson(`${stack.rest}/openapi.json`)).body as Doc;
      return d.paths['/tools/shiny'] !== undefined ? d : undefined;
    }, 'the new tool in /openapi.json');
    expect(updated.paths['/tools/shiny']?.post?.['x-mcp-tool']).toBe('shiny');
    await expect(validateOpenApi(updated as unknown as Record<string, unknown>)).resolves.toMatchObject({
      valid: true,
    });
    await expect(postJson(`${stack.rest}/tools/shiny`, { n: 1 })).resolves.toMatchObject({
      status: 200,
      body: 'shiny: {"n":1}',
    });

    await expect(postJson(`${stack.rest}/tools/remove-tool`, { name: 'shiny' })).resolves.toMatchObject({
      status: 200,
    });
    await eventually(async () => {
      const d = (await getJson(`${stack.rest}/openapi.json`)).body as Doc;
      return d.paths['/tools/shiny'] === undefined ? true : undefined;
    }, 'the removed tool to leave /openapi.json');
    await expect(postJson(`${stack.rest}/tools/shiny`, {})).resolves.toMatchObject({ status: 404 });
  });
});
