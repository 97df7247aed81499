/**
 * Every refusal of a non-loopback backend address runs in a network namespace of its own (loopback
 * only): a regressed guard would get ENETUNREACH there, never reach 169.254.169.254 or a private
 * network. `serve`, `inspect` and `schema` refuse the same addresses, and `--allow-private-backends`
 * lets each of them try (the attempt then fails inside the namespace, which proves the flag works
 * without sending a packet).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compiledFixture } from '../fixtures/compiled.js';
import { runCliIsolated, runIsolated } from '../fixtures/netns.js';

// Each case spawns a process in a namespace of its own: generous deadlines for a busy machine.
const CLI_TIMEOUT = 90_000;

describe('the isolation itself', () => {
  it(
    'inside the namespace, loopback works and any other address is unreachable at once',
    async () => {
      const script = `
      const net = require('node:net');
      const server = net.createServer((s) => s.end()).listen(0, '127.0.0.1', () => {
        const local = net.connect(server.address().port, '127.0.0.1');
        local.on('connect', () => {
          local.destroy();
          const outside = net.connect(80, '169.254.169.254');
          outside.on('error', (e) => { console.log(e.code); server.close(); });
          outside.on('connect', () => { console.log('CONNECTED'); process.exit(1); });
        });
      });`;
      const run = await runIsolated([process.execPath, '-e', script]);
      expect(run.stdout.trim()).toBe('ENETUNREACH');
    },
    CLI_TIMEOUT,
  );
});

describe('SSRF refusals (library and serve startup), isolated', () => {
  let outcomes: Record<string, { code?: string; message?: string; hits?: number }>;
  beforeAll(async () => {
    const run = await runIsolated([process.execPath, compiledFixture('ssrf-probe.ts')], {
      timeoutMs: 120_000,
    });
    if (run.code !== 0) throw new Error(`probe failed (${run.code}): ${run.stderr.slice(-2000)}`);
    outcomes = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as typeof outcomes;
  }, 150_000);

  it('serve refuses to start for 14 private, link-local, CGNAT, unspecified, multicast, NAT64 and odd-spelling URLs', () => {
    const startups = Object.entries(outcomes).filter(([name]) => name.startsWith('startup '));
    expect(startups).toHaveLength(14);
    for (const [name, outcome] of startups) expect(outcome.code, name).toBe('SSRF_BLOCKED');
  });

  it('a name resolving to a private address is refused', () => {
    expect(outcomes['name resolving to a private address']?.code).toBe('SSRF_BLOCKED');
  });

  it('DNS rebinding between check and use: the socket re-resolves through the guard and is refused', () => {
    const outcome = outcomes['tcp rebinding between check and use'];
    expect(outcome?.message).toMatch(/SSRF guard/);
    expect(outcome?.hits).toBe(0);
  });

  it('an HTTP backend re-resolved to a private address is refused before any request is sent', () => {
    const outcome = outcomes['http re-resolved to a private address'];
    expect(outcome?.code).not.toBe('SENT');
    expect(outcome?.hits).toBe(0);
  });
});

describe('CLI refusals, isolated: exit code and one line naming --allow-private-backends', () => {
  it(
    'serve http://169.254.169.254/mcp → exit 2',
    async () => {
      const run = await runCliIsolated(['serve', 'http://169.254.169.254/mcp']);
      expect(run.code).toBe(2);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/SSRF guard.*--allow-private-backends/);
    },
    CLI_TIMEOUT,
  );

  it(
    'serve tcp://10.0.0.5:7000 --listen stdio: (the old README example) → exit 2',
    async () => {
      const run = await runCliIsolated(['serve', 'tcp://10.0.0.5:7000', '--listen', 'stdio:']);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain('--allow-private-backends');
    },
    CLI_TIMEOUT,
  );

  for (const command of [['inspect'], ['schema', 'openapi']]) {
    it(
      `${command.join(' ')} of a metadata URL → exit 1 before any connection`,
      async () => {
        const run = await runCliIsolated([...command, 'http://169.254.169.254/latest/meta-data']);
        expect(run.code).toBe(1);
        expect(run.stderr.trim().split('\n')).toHaveLength(1);
        expect(run.stderr).toMatch(/SSRF guard.*--allow-private-backends/);
      },
      CLI_TIMEOUT,
    );

    it(
      `${command.join(' ')} --allow-private-backends lets it try (unreachable in the namespace: exit 4)`,
      async () => {
        const run = await runCliIsolated([
          ...command,
          'http://10.0.0.5:7000/mcp',
          '--allow-private-backends',
          '--timeout',
          '5000',
        ]);
        expect(run.code).toBe(4);
        expect(run.stderr).not.toMatch(/SSRF guard/);
      },
      CLI_TIMEOUT,
    );
  }
});
