import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../../src/cli/commands/serve.js';
import { loadLinkKeys } from '../../src/cli/serve/middleware-wiring.js';

const none = { positional: [], command: [] };
const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-rcfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serve configuration: resilience, link, compression, observability', () => {
  it('has safe defaults: retry, breaker, health and metrics on; bulkhead, compression, links off', () => {
    const c = resolveServeConfig({}, none);
    expect(c.resilience.retry).toMatchObject({
      enabled: true,
      maxRetries: 2,
      initialDelay: 100,
      maxDelay: 5000,
      tools: [],
    });
    expect(c.resilience.circuitBreaker).toMatchObject({
      enabled: true,
      threshold: 0.5,
      window: 30_000,
      halfOpenAfter: 10_000,
    });
    expect(c.resilience.bulkhead.maxConcurrent).toBe(0);
    expect(c.resilience.health).toMatchObject({
      enabled: true,
      interval: 30_000,
      timeout: 10_000,
      failures: 3,
    });
    expect(c.compression).toEqual({ websocket: false, http: false, httpMinBytes: 1024 });
    expect(c.link).toMatchObject({ frontend: false, backend: false, keys: [], batching: true });
    expect(c.observability).toMatchObject({ metrics: true, tracing: true, measureBytes: false });
    expect(c.observability.record).toBeUndefined();
  });

  it('flags override the file; negatable flags only turn things off', () => {
    const file = path.join(dir, 'serve.yaml');
    writeFileSync(
      file,
      [
        'resilience:',
        '  retry: { maxRetries: 4, tools: [search] }',
        '  circuitBreaker: { threshold: 0.2, window: 1m }',
        'link: { compression: [gzip] }',
        'observability: { tracing: false }',
      ].join('\n'),
    );
    const fromFile = resolveServeConfig({ config: file, retry: true, tracing: true }, none);
    expect(fromFile.resilience.retry).toMatchObject({ enabled: true, maxRetries: 4, tools: ['search'] });
    expect(fromFile.resilience.circuitBreaker).toMatchObject({ threshold: 0.2, window: 60_000 });
    expect(fromFile.link.compression).toEqual(['gzip']);
    expect(fromFile.observability.tracing).toBe(false); // `true` from commander means "flag absent"

    const c = resolveServeConfig(
      {
        config: file,
        retry: false,
        breakerThreshold: '0.3',
        breakerHalfOpen: '2s',
        bulkhead: '8',
        bulkheadQueue: '0',
        health: false,
        wsCompression: true,
        httpCompression: true,
        linkBackend: true,
        linkCompression: 'none',
        metrics: false,
        record: '/tmp/x.jsonl',
        retryTools: 'a, b',
      },
      none,
    );
    expect(c.resilience.retry).toMatchObject({ enabled: false, tools: ['a', 'b'] });
    expect(c.resilience.circuitBreaker).toMatchObject({
      threshold: 0.3,
      halfOpenAfter: 2000,
      window: 60_000,
    });
    expect(c.resilience.bulkhead).toEqual({ maxConcurrent: 8, maxQueued: 0 });
    expect(c.resilience.health.enabled).toBe(false);
    expect(c.compression).toMatchObject({ websocket: true, http: true });
    expect(c.link).toMatchObject({ backend: true, compression: [] });
    expect(c.observability).toMatchObject({ metrics: false, record: '/tmp/x.jsonl' });
  });

  it('rejects bad values with a usage error naming the flag or key', () => {
    expect(() => resolveServeConfig({ breakerThreshold: '2' }, none)).toThrow(/--breaker-threshold "2"/);
    expect(() => resolveServeConfig({ bulkhead: 'many' }, none)).toThrow(/--bulkhead "many"/);
    expect(() => resolveServeConfig({ linkCompression: 'zstd' }, none)).toThrow(/link\.compression/);
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'resilience: { retry: { attempts: 3 } }\n');
    expect(() => resolveServeConfig({ config: file }, none)).toThrow(/resilience\.retry/);
  });

  it('reads link keys from a key file and refuses a key that is not 32 bytes', () => {
    const good = path.join(dir, 'keys.yaml');
    writeFileSync(good, `keys:\n  - { id: new, secret: ${'ab'.repeat(32)} }\n`);
    const keys = loadLinkKeys({
      ...resolveServeConfig({}, none).link,
      keyFile: good,
      keys: [{ id: 'old', secret: Buffer.alloc(32, 1).toString('base64') }],
    });
    expect(keys.map((k) => [k.id, k.secret.length])).toEqual([
      ['old', 32],
      ['new', 32],
    ]);
    const bad = path.join(dir, 'bad-keys.yaml');
    writeFileSync(bad, 'keys:\n  - { id: k, secret: c2hvcnQ= }\n');
    expect(() => loadLinkKeys({ ...resolveServeConfig({}, none).link, keyFile: bad })).toThrow(
      /must be 32 bytes/,
    );
  });
});
