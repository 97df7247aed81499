/**
 * Runs the `@modelcontextprotocol/conformance` server suite against our Streamable HTTP listener fronting
 * the conformance backend (test/fixtures/conformance-server.ts), offline.
 *
 *   node --import tsx scripts/run-conformance.ts [--response-mode sse|json] [--suite active|all] [--scenario <name>] [--verbose]
 *
 * Exit code: the suite's (0 when every active scenario passed).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { listenHttp } from '../src/transports/http/server/http-listener.js';
import { createConformanceServer } from '../test/fixtures/conformance-server.js';

const { values } = parseArgs({
  options: {
    'response-mode': { type: 'string', default: 'sse' },
    scenario: { type: 'string' },
    suite: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const responseMode = values['response-mode'] === 'json' ? 'json' : 'sse';

const listener = await listenHttp(new URL('http://127.0.0.1:0/mcp'), {
  http: { responseMode },
  onConnection: (transport, info) => {
    if ((info as { era?: string }).era === 'stateless') {
      void transport.close(); // the suite speaks the 2025 era only
      return;
    }
    void createConformanceServer().connect(transport);
  },
  onError: (error) => process.stderr.write(`listener error: ${error.message}\n`),
});

const require = createRequire(import.meta.url);
const bin = path.join(
  path.dirname(require.resolve('@modelcontextprotocol/conformance/package.json')),
  'dist/index.js',
);
const args = [bin, 'server', '--url', listener.url];
if (values.scenario) args.push('--scenario', values.scenario);
if (values.suite) args.push('--suite', values.suite);
if (values.verbose) args.push('--verbose');
process.stderr.write(`conformance: ${listener.url} (response mode ${responseMode})\n`);
const child = spawn(process.execPath, args, { stdio: 'inherit' });
const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
await listener.close({ graceMs: 1000 });
process.exitCode = code;
