/**
 * The handler guards: whatever an inner handler throws (or rejects with) is reported and answered, and
 * the process keeps serving — proven on a real child process whose handlers all throw.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { SwitchboardError } from '../../src/errors.js';
import { guardHandler } from '../../src/transports/handler-guard.js';
import { Inbox } from '../../src/transports/websocket-inbox.js';
import { compiledFixture } from '../fixtures/compiled.js';
import { httpExchange, openLineSocket, REPLY_MS } from '../fuzz/serve-targets.js';

describe('guardHandler', () => {
  it('reports a synchronous throw and an asynchronous rejection, then runs recover', async () => {
    const faults: SwitchboardError[] = [];
    const recovered: number[] = [];
    const sync = guardHandler(
      'sync',
      (n: number) => {
        throw new Error(`bad ${n}`);
      },
      (e) => faults.push(e),
      (n) => recovered.push(n),
    );
    const async = guardHandler(
      'async',
      async (n: number) => {
        await Promise.resolve();
        throw new Error(`late ${n}`);
      },
      (e) => faults.push(e),
      (n) => recovered.push(n),
    );
    expect(() => sync(1)).not.toThrow();
    expect(() => async(2)).not.toThrow();
    await new Promise((r) => setImmediate(r));
    expect(faults.map((f) => [f.code, f.message])).toEqual([
      ['INTERNAL', 'sync: bad 1'],
      ['INTERNAL', 'async: late 2'],
    ]);
    expect(recovered).toEqual([1, 2]);
  });

  it('contains a throwing reporter and a throwing recover as well', () => {
    const handler = guardHandler(
      'h',
      () => {
        throw new Error('a');
      },
      () => {
        throw new Error('b');
      },
      () => {
        throw new Error('c');
      },
    );
    expect(() => handler()).not.toThrow();
  });
});

describe('Inbox (WebSocket delivery queue)', () => {
  it('reports a throwing delivery and goes on with the next message', async () => {
    const seen: unknown[] = [];
    const faults: SwitchboardError[] = [];
    const inbox = new Inbox(
      (m) => {
        if (m.method === 'bad') throw new Error('delivery bug');
        seen.push(m.method);
      },
      (e) => faults.push(e),
    );
    for (const method of ['a', 'bad', 'b']) inbox.push({ jsonrpc: '2.0', method });
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['a', 'b']);
    expect(faults.map((f) => f.message)).toEqual(['delivery bug']);
  });
});

describe('a process whose inner handlers all throw keeps serving', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('answers 500, drops or refuses, reports each fault, and is still alive', async () => {
    const child = spawn(process.execPath, [compiledFixture('throwing-handlers.ts')], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stderr: string[] = [];
    child.stderr.setEncoding('utf8').on('data', (t: string) => stderr.push(t));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    stop = async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    };
    const ports = await new Promise<Record<string, number>>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (t: string) => {
        out += t;
        if (out.includes('\n')) resolve(JSON.parse(out) as Record<string, number>);
      });
      void exited.then((code) => reject(new Error(`fixture exited (${code}): ${stderr.join('')}`)));
    });
    const base = (port: number | undefined): URL => new URL(`http://127.0.0.1:${port}/`);

    for (let round = 0; round < 3; round++) {
      // A throwing request handler: 500, again and again.
      expect((await httpExchange(base(ports.syncHttp), {})).status).toBe(500);
      // One that fails after the head was sent: the connection is cut, the next request is served.
      await expect(httpExchange(base(ports.asyncHttp), {})).rejects.toThrow();
      // A throwing connection handler: the socket is destroyed, the server accepts the next one.
      const raw = net.connect(ports.rawTcp as number, '127.0.0.1');
      raw.on('error', () => undefined);
      await new Promise<void>((resolve) => raw.once('close', () => resolve()));
      // A WebSocket upgrade whose authenticate hook throws: 500 on the raw socket.
      const upgrade = await httpExchange(base(ports.ws), {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      expect(upgrade.status).toBe(500);
    }
    // A socket listener: onConnection throws for every other connection, onmessage for "boom".
    for (let i = 0; i < 4; i++) {
      const { socket, replies } = await openLineSocket({ host: '127.0.0.1', port: ports.sockets as number });
      const answered = replies.reply(`x${i}`, REPLY_MS).then(
        () => 'answered',
        () => 'closed',
      );
      socket.write(
        `{"jsonrpc":"2.0","id":"b${i}","method":"boom"}\n{"jsonrpc":"2.0","id":"x${i}","method":"ok"}\n`,
      );
      // Refused connections are closed; accepted ones survive the throwing onmessage and answer.
      expect(await answered).toBe(i % 2 === 0 ? 'closed' : 'answered');
      socket.destroy();
    }
    expect(child.exitCode).toBeNull();
    const faults = stderr
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('FAULT'));
    for (const expected of [
      'request handler bug',
      'async handler bug after the head',
      'connection handler bug',
      'authenticate bug',
      'onConnection bug',
      'onmessage bug',
    ]) {
      expect(faults.some((f) => f.includes(expected))).toBe(true);
    }
  }, 90_000);
});
