import { pino, type Logger } from 'pino';
import { parseBackendTarget, type BackendTargetInput } from '../../src/cli/backend-target.js';
import { runServe, type RunningServe } from '../../src/cli/serve/run-serve.js';
import { ServeConfigSchema } from '../../src/config/serve-config.js';

/** `switchboard serve` with both adapters, in-process on a free loopback port. */
export interface AdapterStack {
  running: RunningServe;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** The MCP endpoint. */
  mcp: string;
  /** The REST adapter's base URL (`…/rest`). */
  rest: string;
  /** The GraphQL endpoint (`…/graphql`). */
  graphql: string;
  close(): Promise<void>;
}

/**
 * Starts serve (retries, breaker and health checks off, so failures show as they are) with the REST
 * adapter at `/rest` and the GraphQL adapter at `/graphql`, in front of `backend` (default: the
 * built-in demo server).
 *
 * @param config - more serve configuration (merged over the defaults here)
 */
export async function startAdapters(
  backend?: BackendTargetInput,
  config: Record<string, unknown> = {},
  log: Logger = pino({ level: 'silent' }),
): Promise<AdapterStack> {
  const parsed = ServeConfigSchema.parse({
    listen: ['http://127.0.0.1:0/mcp'],
    adapters: { rest: {}, graphql: {} },
    resilience: { retry: { enabled: false }, circuitBreaker: { enabled: false }, health: { enabled: false } },
    observability: { metrics: false, tracing: false },
    ...config,
    ...(backend ? { backend: parseBackendTarget(backend) } : {}),
  });
  const running = await runServe(parsed, log);
  const mcp = running.urls[0] ?? '';
  const origin = new URL(mcp).origin;
  return {
    running,
    origin,
    mcp,
    rest: `${origin}${parsed.adapters.rest?.path ?? '/rest'}`,
    graphql: `${origin}${parsed.adapters.graphql?.path ?? '/graphql'}`,
    close: () => running.close(),
  };
}

/** One HTTP exchange, body read. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** POSTs `body` as JSON (a string is sent as is). */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return reply(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

/** GETs `url`. */
export async function getJson(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return reply(await fetch(url, { headers }));
}

/** Runs a GraphQL operation; returns the reply with `body` = `{ data, errors }`. */
export function graphql(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return postJson(url, { query, variables }, { accept: 'application/graphql-response+json', ...headers });
}

/** Reads an SSE response into its events. */
export function parseSse(text: string): { event: string; data: unknown }[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const lines = block.split('\n');
      const event =
        lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim() ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\n');
      return { event, data: JSON.parse(data) as unknown };
    });
}

/** Polls `check` until it returns a value other than `undefined` (generous deadline, no fixed sleeps). */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
