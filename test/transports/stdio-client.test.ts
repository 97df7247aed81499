import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SwitchboardError } from '../../src/errors.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { StdioClientTransport } from '../../src/transports/stdio-client.js';
import { compiledFixture } from '../fixtures/compiled.js';
import { fixture, projectFile } from '../fixtures/paths.js';

const EVERYTHING = projectFile('node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((t) => t.close()));
});

function track<T extends { close(): Promise<void> }>(t: T): T {
  open.push(t);
  return t;
}

/** `true` when `pid` runs (a zombie — dead, not yet reaped by a non-reaping PID 1 — counts as gone). */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
};

function nextError(t: StdioClientTransport): Promise<Error> {
  return new Promise((resolve) => {
    const previous = t.onerror;
    t.onerror = (e) => {
      previous?.(e);
      resolve(e);
    };
  });
}

describe('StdioClientTransport with the real server-everything', () => {
  it('lists tools, calls a tool with progress, reads a resource, and answers a sampling request', async () => {
    const client = track(new Client({ name: 'test', version: '1.0.0' }, { capabilities: { sampling: {} } }));
    const sampled: string[] = [];
    client.setRequestHandler(CreateMessageRequestSchema, (req) => {
      const first = req.params.messages[0]?.content;
      sampled.push(first && 'text' in first ? String(first.text) : '');
      return { role: 'assistant', content: { type: 'text', text: 'sampled answer' }, model: 'test-model' };
    });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [EVERYTHING, 'stdio'],
      stderr: 'pipe',
    });
    await client.connect(transport);
    expect(transport.pid).toBeGreaterThan(0);

    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'echo',
        'get-sum',
        'trigger-long-running-operation',
        'trigger-sampling-request',
      ]),
    );

    const progress: number[] = [];
    const long = await client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 4 } },
      undefined,
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect(JSON.stringify(long.content)).toContain('completed');
    expect(progress).toEqual([1, 2, 3, 4]);

    const { resources } = await client.listResources();
    expect(resources.length).toBeGreaterThan(0);
    const first = resources[0];
    if (!first) throw new Error('no resources');
    const read = await client.readResource({ uri: first.uri });
    expect(read.contents[0]?.uri).toBe(first.uri);

    const sampling = await client.callTool({
      name: 'trigger-sampling-request',
      arguments: { prompt: 'Say hi', maxTokens: 10 },
    });
    expect(sampled).toEqual([expect.stringContaining('Say hi')]);
    expect(JSON.stringify(sampling.content)).toContain('sampled answer');
  });
});

describe('StdioClientTransport lifecycle', () => {
  it('fails a pending SDK request at once when the child is killed with SIGKILL mid-request', async () => {
    const client = track(new Client({ name: 'test', version: '1.0.0' }));
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [compiledFixture('run-server.ts'), 'v1'],
      stderr: 'pipe',
    });
    await client.connect(transport);
    const errors: Error[] = [];
    const previous = transport.onerror;
    transport.onerror = (e) => {
      previous?.(e);
      errors.push(e);
    };
    // A 100 s call with the SDK's timeout at 120 s: only the crash can end it within the test timeout.
    const call = client.callTool({ name: 'countdown', arguments: { steps: 100, delayMs: 1000 } }, undefined, {
      timeout: 120_000,
    });
    await new Promise((r) => setTimeout(r, 200));
    process.kill(transport.pid as number, 'SIGKILL');
    await expect(call).rejects.toThrow(/closed/i);
    expect(transport.signalCode).toBe('SIGKILL');
    expect(transport.closeReason?.code).toBe('CHILD_EXITED');
    expect(transport.closeReason?.details.signal).toBe('SIGKILL');
    expect(errors.some((e) => e instanceof SwitchboardError && e.code === 'CHILD_EXITED')).toBe(true);
  }, 15_000);

  it('reports an unexpected exit with its code and last stderr lines; later sends reject with a coded error', async () => {
    const transport = track(
      new StdioClientTransport({
        command: process.execPath,
        args: [
          '-e',
          "process.stderr.write('boom: config missing\\n'); setTimeout(() => process.exit(3), 50)",
        ],
        stderr: 'pipe',
      }),
    );
    let closes = 0;
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => {
        closes++;
        resolve();
      };
    });
    const error = nextError(transport);
    await transport.start();
    await closed;
    const e = await error;
    expect(e).toBeInstanceOf(SwitchboardError);
    expect((e as SwitchboardError).code).toBe('CHILD_EXITED');
    expect((e as SwitchboardError).details).toMatchObject({ exitCode: 3, signal: null });
    expect((e as SwitchboardError).details.stderrTail).toContain('boom: config missing');
    expect(e.message).toContain('exited with code 3');
    await expect(transport.send({ jsonrpc: '2.0', method: 'x' })).rejects.toMatchObject({
      code: 'TRANSPORT_CLOSED',
    });
    await transport.close();
    expect(closes).toBe(1);
  });

  it('rejects start() with SPAWN_FAILED for a command that does not exist', async () => {
    const transport = new StdioClientTransport({ command: 'definitely-not-a-command-xyz' });
    await expect(transport.start()).rejects.toMatchObject({ code: 'SPAWN_FAILED' });
  });

  it('never runs arguments through a shell', async () => {
    const transport = track(
      new StdioClientTransport({
        command: process.execPath,
        args: [
          '-e',
          'process.stderr.write(JSON.stringify(process.argv.slice(1)) + "\\n")',
          '; rm -rf /tmp/x',
          '$(whoami)',
        ],
        stderr: 'pipe',
      }),
    );
    const lines: string[] = [];
    transport.onstderr = (l) => lines.push(l);
    const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
    await transport.start();
    await closed;
    expect(JSON.parse(lines[0] ?? '[]')).toEqual(['; rm -rf /tmp/x', '$(whoami)']);
  });

  it('passes only the minimal environment plus explicit variables by default', async () => {
    process.env.SWITCHBOARD_TEST_SECRET = 'hunter2';
    try {
      const run = async (inheritEnv: boolean) => {
        const t = track(
          new StdioClientTransport({
            command: process.execPath,
            args: ['-e', 'process.stderr.write(JSON.stringify(process.env) + "\\n")'],
            env: { EXPLICIT_VAR: 'yes' },
            inheritEnv,
            stderr: 'pipe',
          }),
        );
        const lines: string[] = [];
        t.onstderr = (l) => lines.push(l);
        const closed = new Promise<void>((resolve) => (t.onclose = resolve));
        await t.start();
        await closed;
        return JSON.parse(lines.join('')) as Record<string, string>;
      };
      const minimal = await run(false);
      expect(minimal.EXPLICIT_VAR).toBe('yes');
      expect(minimal.SWITCHBOARD_TEST_SECRET).toBeUndefined();
      expect(minimal.PATH).toBe(process.env.PATH);
      const full = await run(true);
      expect(full.SWITCHBOARD_TEST_SECRET).toBe('hunter2');
    } finally {
      delete process.env.SWITCHBOARD_TEST_SECRET;
    }
  });

  it('leaves no process of the tree behind after close, even one that ignores stdin EOF and SIGTERM', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [fixture('tree-server.mjs')],
      stderr: 'pipe',
      closeTimeoutMs: 300,
    });
    const pids = new Promise<number[]>((resolve) => {
      transport.onstderr = (line) => {
        const m = /^PIDS (\d+) (\d+)/.exec(line);
        if (m) resolve([Number(m[1]), Number(m[2])]);
      };
    });
    await transport.start();
    const [child, grandchild] = await pids;
    expect(alive(child as number)).toBe(true);
    expect(alive(grandchild as number)).toBe(true);
    await transport.close();
    expect(alive(child as number)).toBe(false);
    expect(alive(grandchild as number)).toBe(false);
  }, 15_000);
});

describe('StdioClientTransport framing errors', () => {
  async function scripted() {
    const transport = track(
      new StdioClientTransport({
        command: process.execPath,
        args: [fixture('scripted-peer.mjs')],
        stderr: 'pipe',
        maxMessageBytes: 4096,
      }),
    );
    const got: string[] = [];
    const received: JSONRPCMessage[] = [];
    const errors: SwitchboardError[] = [];
    transport.onstderr = (l) => got.push(l);
    transport.onmessage = (m) => received.push(m);
    transport.onerror = (e) => errors.push(e as SwitchboardError);
    await transport.start();
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(cond()).toBe(true);
    };
    return { transport, got, received, errors, until };
  }

  it('answers a malformed request from the peer with -32700 / -32600 error responses and keeps going', async () => {
    const { transport, got, received, errors, until } = await scripted();
    await transport.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'emit',
      params: {
        raw: '{"jsonrpc":"2.0","id":77,"method":"x" BROKEN\n{"jsonrpc":"1.0","id":78,"method":"y"}\n{"jsonrpc":"2.0","method":"ok"}\n',
      },
    });
    await until(() => got.length >= 2 && received.length >= 1);
    const replies = got.map((l) => JSON.parse(l.slice(4)) as { id: number; error: { code: number } });
    expect(replies).toEqual([
      expect.objectContaining({ id: 77, error: expect.objectContaining({ code: -32700 }) as unknown }),
      expect.objectContaining({ id: 78, error: expect.objectContaining({ code: -32600 }) as unknown }),
    ]);
    expect(received).toEqual([{ jsonrpc: '2.0', method: 'ok' }]);
    expect(errors.map((e) => e.code)).toEqual(['PARSE_ERROR', 'INVALID_MESSAGE']);
  });

  it('turns an oversized response into a local error response for its id, without closing', async () => {
    const { transport, received, errors, until } = await scripted();
    await transport.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'emit-big',
      params: { id: 'big-1', bytes: 20_000 },
    });
    await transport.send({
      jsonrpc: '2.0',
      id: 2,
      method: 'emit',
      params: { raw: '{"jsonrpc":"2.0","id":2,"result":{}}\n' },
    });
    await until(() => received.length >= 2);
    expect(received[0]).toMatchObject({
      id: 'big-1',
      error: { code: -32600, data: { code: 'FRAME_TOO_LARGE' } },
    });
    expect(received[1]).toEqual({ jsonrpc: '2.0', id: 2, result: {} });
    expect(errors.map((e) => e.code)).toEqual(['FRAME_TOO_LARGE']);
    expect(transport.closed).toBe(false);
  });
});
