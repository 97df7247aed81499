/**
 * The era matrix through `switchboard serve`: {SDK v1 client (2025), SDK v2 client in 2025 mode, SDK v2
 * client pinned to 2026-07-28} × one backend × frontends {http, stdio, tcp, ws}, each cell exercising
 * tools/list, a tool call with progress, cancellation, an elicitation round trip, a sampling round trip,
 * roots, a resource subscription update and a log notification.
 */
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1HttpTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2HttpTransport,
} from '@modelcontextprotocol/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { connect } from '../../src/endpoint/registry.js';
import type { Transport } from '../../src/transport.js';
import { fixture } from '../fixtures/paths.js';
import { EVERYTHING, serveOverStdio, startServe, type Started } from './processes.js';
import { ProgressTap } from './progress-tap.js';

export type ClientKind = 'sdk-v1' | 'sdk-v2-2025' | 'sdk-v2-2026';
export type BackendKind = 'everything' | 'modern-only' | 'dual-era';
export type FrontendKind = 'http' | 'stdio' | 'tcp' | 'ws';
export type Mode = 'per-session' | 'shared';

export const CLIENTS: ClientKind[] = ['sdk-v1', 'sdk-v2-2025', 'sdk-v2-2026'];
export const FRONTENDS: FrontendKind[] = ['http', 'stdio', 'tcp', 'ws'];
export const MODES: Mode[] = ['per-session', 'shared'];

const LOG_LEVEL_KEY = 'io.modelcontextprotocol/logLevel';
export const ROOT_URI = 'file:///matrix-root';
const CAPABILITIES = { elicitation: {}, sampling: {}, roots: { listChanged: true } };

/** What a cell does with a client, whichever SDK and era. */
export interface MatrixClient {
  readonly era: '2025' | '2026-07-28';
  connect(transport: Transport): Promise<void>;
  negotiated(): string | undefined;
  tools(): Promise<string[]>;
  call(
    name: string,
    args: Record<string, unknown>,
    options?: { onprogress?: (p: number) => void; signal?: AbortSignal; logLevel?: string },
  ): Promise<string>;
  subscribe(uri: string): Promise<void>;
  setLogLevel(level: string): Promise<void>;
  /** Asks for tools `list_changed` (2026-07-28: a listen; 2025: they come unasked). */
  watchTools(): Promise<void>;
  /** How many tools `list_changed` notifications arrived. */
  toolsChanged(): number;
  readonly updates: string[];
  readonly logs: unknown[];
  /** What the transport carried for the last call that asked for progress (see {@link ProgressTap}). */
  progressOnWire(): { progress: number[]; answered: boolean };
  close(): Promise<void>;
}

const textOf = (result: unknown): string =>
  ((result as { content?: { type: string; text?: string }[] }).content ?? [])
    .map((c) => (c.type === 'text' ? (c.text ?? '') : ''))
    .join('\n');

/** A client that answers elicitation with `name: token`, sampling with `token`, roots with {@link ROOT_URI}. */
export function matrixClient(kind: ClientKind, token: string): MatrixClient {
  const updates: string[] = [];
  const logs: unknown[] = [];
  let toolsChanged = 0;
  const elicited = { action: 'accept' as const, content: { name: token } };
  const sampled = {
    role: 'assistant' as const,
    content: { type: 'text' as const, text: token },
    model: 'matrix',
  };
  const roots = { roots: [{ uri: ROOT_URI, name: 'matrix' }] };
  let tap: ProgressTap | undefined;
  const onWire = (): { progress: number[]; answered: boolean } =>
    tap?.lastCall() ?? { progress: [], answered: false };
  if (kind === 'sdk-v1') {
    const c = new V1Client({ name: 'matrix-v1', version: '1.0.0' }, { capabilities: CAPABILITIES });
    c.setRequestHandler(ElicitRequestSchema, () => elicited);
    c.setRequestHandler(CreateMessageRequestSchema, () => sampled);
    c.setRequestHandler(ListRootsRequestSchema, () => roots);
    c.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
    c.setNotificationHandler(ToolListChangedNotificationSchema, () => void toolsChanged++);
    return {
      era: '2025',
      updates,
      logs,
      connect: async (t) => {
        await c.connect(t, { timeout: 30_000 });
        tap = new ProgressTap(t);
      },
      progressOnWire: () => onWire(),
      negotiated: () => undefined,
      tools: async () => (await c.listTools()).tools.map((t) => t.name),
      call: async (name, args, o = {}) =>
        textOf(
          await c.callTool({ name, arguments: args }, undefined, {
            timeout: 30_000,
            ...(o.onprogress ? { onprogress: (p) => o.onprogress?.(p.progress) } : {}),
            ...(o.signal ? { signal: o.signal } : {}),
          }),
        ),
      subscribe: async (uri) => void (await c.subscribeResource({ uri })),
      setLogLevel: async (level) => void (await c.setLoggingLevel(level as 'debug')),
      watchTools: () => Promise.resolve(),
      toolsChanged: () => toolsChanged,
      close: () => c.close(),
    };
  }
  const modern = kind === 'sdk-v2-2026';
  const c = new V2Client(
    { name: modern ? 'matrix-v2-2026' : 'matrix-v2-2025', version: '1.0.0' },
    {
      capabilities: CAPABILITIES,
      ...(modern ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}),
    },
  );
  c.setRequestHandler('elicitation/create', () => elicited);
  c.setRequestHandler('sampling/createMessage', () => sampled);
  c.setRequestHandler('roots/list', () => roots);
  c.setNotificationHandler('notifications/resources/updated', (n) => void updates.push(n.params.uri));
  c.setNotificationHandler('notifications/message', (n) => void logs.push(n.params));
  c.setNotificationHandler('notifications/tools/list_changed', () => void toolsChanged++);
  const listens: { close: () => Promise<void> }[] = [];
  return {
    era: modern ? '2026-07-28' : '2025',
    updates,
    logs,
    connect: async (t) => {
      await c.connect(t, { timeout: 30_000 });
      tap = new ProgressTap(t);
    },
    progressOnWire: () => onWire(),
    negotiated: () => c.getNegotiatedProtocolVersion(),
    tools: async () => (await c.listTools()).tools.map((t) => t.name),
    call: async (name, args, o = {}) =>
      textOf(
        await c.callTool(
          { name, arguments: args, ...(o.logLevel ? { _meta: { [LOG_LEVEL_KEY]: o.logLevel } } : {}) },
          {
            timeout: 30_000,
            // The SDK reports each input_required round as progress of its own: not the server's.
            ...(o.onprogress
              ? {
                  onprogress: (p: { progress: number; message?: string | undefined }) => {
                    if (p.message?.startsWith('Fulfilling input required') !== true)
                      o.onprogress?.(p.progress);
                  },
                }
              : {}),
            ...(o.signal ? { signal: o.signal } : {}),
          },
        ),
      ),
    subscribe: async (uri) => {
      if (modern) listens.push(await c.listen({ resourceSubscriptions: [uri] }));
      else await c.subscribeResource({ uri });
    },
    setLogLevel: async (level) => {
      if (!modern) await c.setLoggingLevel(level as 'debug');
    },
    watchTools: async () => {
      if (modern) listens.push(await c.listen({ toolsListChanged: true }));
    },
    toolsChanged: () => toolsChanged,
    close: async () => {
      await Promise.allSettled(listens.map((l) => l.close()));
      await c.close();
    },
  };
}

/** How a backend's tools exercise the matrix's features. */
export interface BackendProfile {
  kind: BackendKind;
  /** The backend command, after `--`. */
  command: string[];
  /**
   * `--backend-era` for the stdio frontend's own `serve` (one per client): the era the network
   * frontends' `serve` detects (`auto`), given to spare each of these a probe.
   */
  era: 'auto' | '2025' | '2026';
  /** The era a client of this backend should end up speaking: its own (relay or bridge). */
  tools: string[];
  progress(c: MatrixClient, onprogress: (p: number) => void): Promise<string>;
  /** Starts a call that reports progress, then waits; `tag` names it for {@link cancelSeen}. */
  cancellable(
    c: MatrixClient,
    tag: string,
    o: { signal: AbortSignal; onprogress: () => void },
  ): Promise<string>;
  /** Resolves once the server saw the cancellation (where the server can tell), else after a follow-up call. */
  cancelSeen(c: MatrixClient, tag: string): Promise<void>;
  elicit(c: MatrixClient): Promise<string>;
  sample(c: MatrixClient): Promise<string>;
  roots(c: MatrixClient): Promise<string>;
  resourceUri: string;
  /** Makes the server send `notifications/resources/updated` for {@link resourceUri}. */
  update(c: MatrixClient): Promise<void>;
  /** Makes the server send a log message during a call (`logLevel` for 2026-07-28 clients). */
  log(c: MatrixClient): Promise<void>;
}

/** Calls a toggle tool of server-everything until it reports "Started" (the toggles are per process). */
async function started(c: MatrixClient, tool: string, logLevel?: string): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const text = await c.call(tool, {}, logLevel ? { logLevel } : {});
    if (text.startsWith('Started')) return;
  }
  throw new Error(`${tool} did not start`);
}

export async function eventually(
  cond: () => boolean | Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const EVERYTHING_DOC = 'demo://resource/static/document/architecture.md';

/** server-everything (SDK v1, 2025 era) over stdio. */
export const everythingProfile: BackendProfile = {
  kind: 'everything',
  command: [process.execPath, EVERYTHING, 'stdio'],
  era: '2025',
  tools: [
    'trigger-long-running-operation',
    'trigger-elicitation-request',
    'trigger-sampling-request',
    'get-roots-list',
  ],
  progress: (c, onprogress) =>
    c.call('trigger-long-running-operation', { duration: 0.3, steps: 3 }, { onprogress }),
  // The first progress (which cancels the call) comes after duration/steps: 0.1 s; the call would end
  // after 3 s.
  cancellable: (c, _tag, o) => c.call('trigger-long-running-operation', { duration: 3, steps: 30 }, o),
  // server-everything does not report cancellations; the session must stay usable after one.
  cancelSeen: async (c) => {
    expect(await c.call('echo', { message: 'after-cancel' })).toContain('after-cancel');
  },
  elicit: (c) => c.call('trigger-elicitation-request', {}),
  sample: (c) => c.call('trigger-sampling-request', { prompt: 'matrix' }),
  roots: (c) => c.call('get-roots-list', {}),
  resourceUri: EVERYTHING_DOC,
  update: (c) => started(c, 'toggle-subscriber-updates'),
  log: (c) => started(c, 'toggle-simulated-logging', c.era === '2025' ? undefined : 'debug'),
};

/** The SDK v2 era fixture, `modern` (2026-07-28 only) or `dual`. */
export function eraServerProfile(era: 'modern' | 'dual'): BackendProfile {
  return {
    kind: era === 'modern' ? 'modern-only' : 'dual-era',
    command: [process.execPath, fixture('era-server.mjs'), '--era', era],
    // A dual-era backend can only be found by the probe.
    era: era === 'modern' ? '2026' : 'auto',
    tools: ['countdown', 'wait', 'confirm', 'sample', 'roots', 'bump', 'log'],
    progress: (c, onprogress) => c.call('countdown', { steps: 3 }, { onprogress }),
    cancellable: (c, tag, o) => c.call('wait', { tag }, o),
    cancelSeen: (c, tag) =>
      eventually(
        async () => (await c.call('cancelled', { tag })) === 'yes',
        'the server saw the cancellation',
      ),
    elicit: (c) => c.call('confirm', {}),
    sample: (c) => c.call('sample', { question: 'matrix' }),
    roots: (c) => c.call('roots', {}),
    resourceUri: 'matrix://counter',
    update: async (c) => void (await c.call('bump', { uri: 'matrix://counter' })),
    log: async (c) =>
      void (await c.call('log', { text: 'matrix-log' }, c.era === '2025' ? {} : { logLevel: 'debug' })),
  };
}

/** A config file for shared-mode matrix runs (see {@link startMatrixServe}). */
function sharedConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'era-matrix-'));
  const file = join(dir, 'shared.yaml');
  writeFileSync(file, 'shared:\n  abandonedCallTtl: 1ms\n');
  return file;
}

/** A `serve` with tcp, ws and http frontends in front of `profile`'s backend. */
export async function startMatrixServe(
  profile: BackendProfile,
  mode: Mode,
): Promise<Started & { urls: string[] }> {
  // Shared mode: a cell's cancelled call is forgotten at once, so the next cell's server→client requests
  // have one possible owner (the default keeps it a candidate for 60 s: the server may still run it).
  const shared = mode === 'shared' ? ['--config', sharedConfig()] : [];
  return startServe([
    ...shared,
    '--listen',
    'tcp://127.0.0.1:0',
    '--listen',
    'ws://127.0.0.1:0/mcp',
    '--listen',
    'http://127.0.0.1:0/mcp',
    '--session-mode',
    mode,
    '--',
    ...profile.command,
  ]);
}

/** The client transport of one frontend of `serve` (stdio: its own `serve --listen stdio:` child). */
export function frontendTransport(
  kind: FrontendKind,
  client: ClientKind,
  urls: string[],
  profile: BackendProfile,
  mode: Mode,
): Transport {
  const url = (scheme: string): string => {
    const found = urls.find((u) => u.startsWith(`${scheme}:`));
    if (found === undefined) throw new Error(`no ${scheme} frontend in ${urls.join(' ')}`);
    return found;
  };
  switch (kind) {
    case 'stdio':
      return serveOverStdio([
        ...(mode === 'shared' ? ['--config', sharedConfig()] : []),
        '--session-mode',
        mode,
        '--backend-era',
        profile.era,
        '--',
        ...profile.command,
      ]);
    case 'http':
      return client === 'sdk-v1'
        ? new V1HttpTransport(new URL(url('http')))
        : new V2HttpTransport(new URL(url('http')));
    case 'tcp':
      return connect(url('tcp'));
    case 'ws':
      return connect(url('ws'));
  }
}

/** A cell slower than this prints how long each of its steps took (to find a stall in a CI log). */
const SLOW_CELL_MS = 10_000;

/** Runs every feature of the matrix on one connected client; each step fails with its own name. */
export async function runCell(c: MatrixClient, profile: BackendProfile, token: string): Promise<void> {
  const steps: string[] = [];
  const t0 = Date.now();
  let last = t0;
  const lap = (name: string): void => {
    const now = Date.now();
    steps.push(`${name} ${now - last} ms`);
    last = now;
  };
  try {
    await cellSteps(c, profile, token, lap);
  } finally {
    if (Date.now() - t0 > SLOW_CELL_MS) {
      process.stderr.write(
        `slow matrix cell ${token} (${profile.kind}, ${c.era}): ${steps.join(', ')}, then ${Date.now() - last} ms\n`,
      );
    }
  }
}

async function cellSteps(
  c: MatrixClient,
  profile: BackendProfile,
  token: string,
  lap: (step: string) => void,
): Promise<void> {
  if (c.era === '2026-07-28') expect(c.negotiated(), 'negotiated version').toBe('2026-07-28');
  else if (c.negotiated() !== undefined) expect(c.negotiated(), 'negotiated version').not.toBe('2026-07-28');

  const tools = await c.tools();
  expect(tools, 'tools/list').toEqual(expect.arrayContaining(profile.tools));
  lap('tools/list');

  const progress: number[] = [];
  const counted = await profile.progress(c, (p) => progress.push(p));
  expect(counted, 'progress call').toMatch(/done 3|completed/);
  // Every notification reached the client, in order, before the answer (across an input round, when the
  // server asked for roots meanwhile). The SDK's `onprogress` may miss those that came in the same network
  // read as an answer (see ProgressTap); it must not reorder them.
  expect(c.progressOnWire(), 'progress notifications on the wire').toEqual({
    progress: [1, 2, 3],
    answered: true,
  });
  for (let i = 1; i < progress.length; i++)
    expect(progress[i], 'progress order').toBeGreaterThan(progress[i - 1] as number);
  lap('progress');

  const controller = new AbortController();
  const tag = `cancel-${token}`;
  const cancelled = await profile
    .cancellable(c, tag, { signal: controller.signal, onprogress: () => controller.abort('matrix cancels') })
    .then(
      () => 'finished',
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
  expect(cancelled, 'cancellation').not.toBe('finished');
  lap('cancel');
  await profile.cancelSeen(c, tag);
  lap('cancel seen');

  expect(await profile.elicit(c), 'elicitation round trip').toContain(token);
  lap('elicitation');
  expect(await profile.sample(c), 'sampling round trip').toContain(token);
  lap('sampling');
  expect(await profile.roots(c), 'roots').toContain('matrix-root');
  lap('roots');

  await c.subscribe(profile.resourceUri);
  lap('subscribe');
  await profile.update(c);
  await eventually(() => c.updates.includes(profile.resourceUri), 'resource update');
  lap('update');

  await c.setLogLevel('debug');
  await profile.log(c);
  await eventually(() => c.logs.length > 0, 'log notification');
  lap('log');
}
