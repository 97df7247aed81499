import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, graphql, postJson, startAdapters, type AdapterStack } from './harness.js';

// The adapters behind serve's security: API keys, the authorization policy (calls refused, listings
// filtered per caller), per-tool rate limits, CORS, body limits and deadlines — the same settings as
// for /mcp, no adapter-specific copy.

const ADMIN = 'admin-key-0123456789abcdef0123';
const USER = 'user-key-0123456789abcdef01234';

let stack: AdapterStack;

beforeAll(async () => {
  stack = await startAdapters(undefined, {
    maxMessageBytes: 4096,
    requestTimeout: '400ms',
    security: {
      apiKeys: {
        keys: [
          { id: 'admin', key: ADMIN, scopes: ['admin'] },
          { id: 'user', key: USER, scopes: ['basic'] },
        ],
      },
      policy: {
        rules: [
          { scopes: ['admin'], tools: ['*'], resources: ['*'], prompts: ['*'] },
          { scopes: ['basic'], tools: ['echo'] },
        ],
      },
      rateLimit: { rate: 100, burst: 100, tools: { add: { rate: 0.01, burst: 1 } } },
      cors: { origins: ['http://app.example'] },
    },
  });
});
afterAll(async () => {
  await stack?.close();
});

const as = (key: string): Record<string, string> => ({ 'x-api-key': key });

describe('adapters behind serve security', () => {
  it('requires authentication (401) on REST and GraphQL', async () => {
    const rest = await postJson(`${stack.rest}/tools/echo`, { message: 'x' });
    expect(rest.status).toBe(401);
    expect(rest.headers.get('www-authenticate')).toContain('ApiKey');
    await expect(graphql(stack.graphql, '{ tools { name } }')).resolves.toMatchObject({ status: 401 });
    await expect(postJson(`${stack.rest}/tools/echo`, { message: 'x' }, as('wrong'))).resolves.toMatchObject({
      status: 401,
    });
  });

  it('applies the policy per caller: 403 for tools not granted, listings filtered', async () => {
    await expect(postJson(`${stack.rest}/tools/echo`, { message: 'x' }, as(USER))).resolves.toMatchObject({
      status: 200,
      body: 'x',
    });
    const refused = await postJson(`${stack.rest}/tools/countdown`, { steps: 1, delayMs: 0 }, as(USER));
    expect(refused).toMatchObject({ status: 403, body: { error: { code: -32003 } } });
    const userTools = (await getJson(`${stack.rest}/tools`, as(USER))).body as { tools: { name: string }[] };
    expect(userTools.tools.map((t) => t.name)).toEqual(['echo']);
    const adminTools = (await getJson(`${stack.rest}/tools`, as(ADMIN))).body as {
      tools: { name: string }[];
    };
    expect(adminTools.tools.map((t) => t.name)).toEqual(['echo', 'add', 'countdown', 'sample']);
    // Per caller over one shared MCP session: the admin's call right after the user's refusal works.
    await expect(
      postJson(`${stack.rest}/tools/countdown`, { steps: 1, delayMs: 0 }, as(ADMIN)),
    ).resolves.toMatchObject({
      status: 200,
    });

    const gql = await graphql(
      stack.graphql,
      'mutation { countdown(steps: 1, delayMs: 0) { isError } }',
      undefined,
      as(USER),
    );
    expect(gql.body).toMatchObject({
      errors: [{ extensions: { code: 'MCP_ERROR', status: 403, mcp: { code: -32003 } } }],
    });
    const listed = await graphql(stack.graphql, '{ tools { name } }', undefined, as(USER));
    expect(listed.body).toEqual({ data: { tools: [{ name: 'echo' }] } });
  });

  it('rate-limits per tool (429 with Retry-After)', async () => {
    await expect(postJson(`${stack.rest}/tools/add`, { a: 1, b: 2 }, as(ADMIN))).resolves.toMatchObject({
      status: 200,
      body: { sum: 3 },
    });
    const limited = await postJson(`${stack.rest}/tools/add`, { a: 1, b: 2 }, as(ADMIN));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.body).toMatchObject({ error: { code: -32004 } });
  });

  it('announces the auth schemes in the OpenAPI document (Swagger UI shows Authorize)', async () => {
    const doc = (await getJson(`${stack.rest}/openapi.json`, as(USER))).body as Record<string, unknown>;
    expect(doc.components).toMatchObject({
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer' },
        apiKeyAuth: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
    });
    expect(doc.security).toEqual([{ bearerAuth: [] }, { apiKeyAuth: [] }]);
  });

  it('answers CORS preflights for granted origins and refuses other origins', async () => {
    const preflight = await fetch(`${stack.rest}/tools/echo`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-api-key',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://app.example');
    const call = await postJson(
      `${stack.rest}/tools/echo`,
      { message: 'c' },
      { ...as(USER), origin: 'http://app.example' },
    );
    expect(call.status).toBe(200);
    expect(call.headers.get('access-control-allow-origin')).toBe('http://app.example');
    await expect(
      postJson(`${stack.rest}/tools/echo`, { message: 'c' }, { ...as(USER), origin: 'http://evil.example' }),
    ).resolves.toMatchObject({ status: 403 });
  });

  it('limits bodies (413) and answers the proxy deadline with 504', async () => {
    const big = await postJson(`${stack.rest}/tools/echo`, { message: 'x'.repeat(8192) }, as(USER));
    expect(big.status).toBe(413);
    const slow = await postJson(`${stack.rest}/tools/countdown`, { steps: 3, delayMs: 1000 }, as(ADMIN));
    expect(slow.status).toBe(504);
    expect(slow.body).toMatchObject({ error: { code: -32001, data: { code: 'UPSTREAM_TIMEOUT' } } });
  });
});
