/**
 * Nothing of one user reaches another through `serve`:
 * - shared mode, real server-everything: 5 clients each calling `trigger-elicitation-request` 4 times at
 *   once — no elicitation reaches a session it does not belong to; each call completes with its own
 *   client's answer or fails with a clear error; alone, every client's elicitation completes;
 * - shared mode, log messages sent during calls reach only their caller (or nobody when the caller
 *   cannot be known);
 * - a crashing child's stderr (with a secret in it) reaches the operator's log, redacted, under an
 *   incident id — and the client gets only that id.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/endpoint/registry.js';
import { compiledFixture } from '../fixtures/compiled.js';
import { eventually } from '../proxy/harness.js';
import { EVERYTHING, startServe, type Started } from './processes.js';

const started: Started[] = [];
afterAll(async () => {
  await Promise.allSettled(started.map((s) => s.stop()));
});

const CLIENTS = 5;
const CALLS = 4;
const AMBIGUOUS = /several client sessions share this backend/;

async function sharedServe(backend: string[]): Promise<string> {
  const serve = await startServe([
    '--session-mode',
    'shared',
    '--listen',
    'tcp://127.0.0.1:0',
    '--',
    ...backend,
  ]);
  started.push(serve);
  return serve.urls[0] as string;
}

interface Session {
  client: Client;
  elicited: number;
  logs: string[];
}

async function openSessions(url: string): Promise<Session[]> {
  const sessions = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const client = new Client(
        { name: `client-${i}`, version: '1.0.0' },
        { capabilities: { elicitation: {} } },
      );
      const session: Session = { client, elicited: 0, logs: [] };
      client.setRequestHandler(ElicitRequestSchema, () => {
        session.elicited++;
        return { action: 'accept', content: { name: `client-${i}`, check: true } };
      });
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        session.logs.push(String(n.params.data));
        return Promise.resolve();
      });
      await client.connect(connect(url));
      return session;
    }),
  );
  return sessions;
}

const textsOf = (result: unknown): string =>
  ((result as { content?: { text?: string }[] }).content ?? []).map((c) => c.text ?? '').join('\n');

describe('shared mode: server→client requests never reach another session', () => {
  it('5 clients × 4 concurrent elicitations through real server-everything: zero cross-session deliveries', async () => {
    const url = await sharedServe([process.execPath, EVERYTHING, 'stdio']);
    const sessions = await openSessions(url);
    try {
      const outcomes = await Promise.all(
        sessions.flatMap((s, i) =>
          Array.from({ length: CALLS }, () =>
            s.client
              .callTool({ name: 'trigger-elicitation-request', arguments: {} }, undefined, {
                timeout: 60_000,
              })
              .then(
                (result) => ({ i, text: textsOf(result), isError: result.isError === true }),
                (error: unknown) => ({ i, text: String(error), isError: true }),
              ),
          ),
        ),
      );
      let completed = 0;
      for (const o of outcomes) {
        const names = [...o.text.matchAll(/Name: (client-\d+)/g)].map((m) => m[1]);
        // A completed call carries its own client's answer, never another client's.
        expect(names.every((n) => n === `client-${o.i}`)).toBe(true);
        if (names.length > 0) completed++;
        // Anything else is a clear error about the ambiguity.
        else expect(o.isError && AMBIGUOUS.test(o.text)).toBe(true);
      }
      // A client was asked only for its own completed calls.
      const elicited = sessions.reduce((n, s) => n + s.elicited, 0);
      expect(elicited).toBe(completed);
      // Alone, each client's elicitation always completes with its own answer.
      for (const [i, s] of sessions.entries()) {
        const result = await s.client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
        expect(textsOf(result)).toContain(`Name: client-${i}`);
      }
    } finally {
      await Promise.allSettled(sessions.map((s) => s.client.close()));
    }
  }, 120_000);

  it('log messages sent during calls reach only their caller', async () => {
    const url = await sharedServe([process.execPath, compiledFixture('log-server.ts')]);
    const sessions = await openSessions(url);
    try {
      await Promise.all(
        sessions.flatMap((s, i) =>
          Array.from({ length: CALLS }, () =>
            s.client.callTool({ name: 'log-echo', arguments: { who: `client-${i}`, count: 3 } }),
          ),
        ),
      );
      // Alone, a caller gets its logs.
      for (const [i, s] of sessions.entries()) {
        const before = s.logs.length;
        await s.client.callTool({ name: 'log-echo', arguments: { who: `client-${i}`, count: 2 } });
        await eventually(() => s.logs.length >= before + 2);
      }
      for (const [i, s] of sessions.entries())
        expect(s.logs.every((who) => who === `client-${i}`)).toBe(true);
    } finally {
      await Promise.allSettled(sessions.map((s) => s.client.close()));
    }
  }, 120_000);
});

describe("a crashing child's stderr is for operators", () => {
  it('the client gets an incident id; the log has the redacted stderr under that id', async () => {
    const secret = 'sk-live-0123456789abcdefXYZ';
    const serve = await startServe([
      '--listen',
      'tcp://127.0.0.1:0',
      '--env',
      `API_TOKEN=${secret}`,
      '--',
      process.execPath,
      compiledFixture('log-server.ts'),
    ]);
    started.push(serve);
    const client = new Client({ name: 'victim', version: '1.0.0' });
    await client.connect(connect(serve.urls[0] as string));
    try {
      const error = await client
        .callTool({ name: 'crash', arguments: { stderr: `fatal: cannot reach db with API_TOKEN=${secret}` } })
        .then(
          () => undefined,
          (e: unknown) => e as Error & { data?: { incident?: string } },
        );
      expect(error?.message).toMatch(/The backend exited during the request \(incident [0-9a-f]{8}\)/);
      expect(JSON.stringify({ message: error?.message, data: error?.data })).not.toMatch(
        /sk-live|API_TOKEN|fatal|code 3/,
      );
      const incident = error?.data?.incident as string;
      await eventually(() => serve.stderr.some((l) => l.includes('"msg":"backend exited"')), 20_000);
      const exited = serve.stderr
        .filter((l) => l.includes('"msg":"backend exited"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(exited).toContainEqual(
        expect.objectContaining({
          incident,
          exitCode: 3,
          stderrTail: ['fatal: cannot reach db with API_TOKEN=[redacted]'],
        }),
      );
      // The secret is nowhere in the operator's log either (the stderr lines are redacted too).
      expect(serve.stderr.some((l) => l.includes('cannot reach db'))).toBe(true);
      expect(serve.stderr.join('\n')).not.toContain(secret);
    } finally {
      await client.close();
    }
  }, 60_000);
});
