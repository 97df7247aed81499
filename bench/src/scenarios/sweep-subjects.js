import { HttpChannel } from '../load/http-channel.js';
import { TransportChannel } from '../load/transport-channel.js';
import { oursStdioClient, oursStdioServerChannel, stdioMissing } from '../subjects/ours.js';
import { rawStdioChannel, startRawServer } from '../subjects/raw.js';
import { benchCase, caseId } from './cases.js';
import { proxyCase } from './proxy-cases.js';

/**
 * The subjects the payload and concurrency sweeps run through, at one (concurrency, payload) point:
 * the raw pipe and HTTP limits, our stdio transports, the peers' and our Streamable HTTP proxies, and
 * at C=1 the ceiling of any HTTP → stdio hop (a forwarder that streams bytes and checks nothing) and, for
 * messages of 1 MiB and more, our proxy with `--gc incremental` (V8's own marking, the default before `auto`).
 * Each case's ratio is to the raw limit of its transport at the same point.
 * @param {{ scenario: string, group: string, concurrency: number, payloadBytes: number, windowScale?: number,
 *   inDefault?: boolean }} at
 * @returns {Promise<import('./cases.js').BenchCase[]>}
 */
export async function sweepCases(at) {
  const { scenario, group, concurrency, payloadBytes, windowScale, inDefault } = at;
  const missing = await stdioMissing();
  const common = { scenario, group, concurrency, payloadBytes, windowScale, inDefault };
  const rawPipe = caseId(scenario, 'raw-pipe', concurrency, payloadBytes);
  const rawHttp = caseId(scenario, 'raw-http', concurrency, payloadBytes);
  const proxies = /** @type {const} */ (['supergateway', 'mcp-proxy', 'switchboard']).map((system) =>
    proxyCase({ ...common, system, frontend: 'http', group, baseline: rawHttp }),
  );
  // Large messages at C=1: also `serve --gc incremental` (docs/raw-frames.md, "Large messages and the
  // garbage collector"): what the default `auto` saves against V8's own marking, in the same run.
  if (concurrency === 1 && payloadBytes >= 1024 * 1024) {
    proxies.push(
      proxyCase({
        ...common,
        system: 'switchboard',
        frontend: 'http',
        group,
        baseline: rawHttp,
        extraArgs: ['--gc', 'incremental'],
        variant: { id: 'incremental-gc', words: '--gc incremental' },
      }),
    );
  }
  return [
    benchCase({
      ...common,
      subject: 'raw-pipe',
      system: 'raw',
      label: 'lean client ⇄ raw echo child',
      transport: 'stdio pipes',
      setup: rawStdioChannel,
    }),
    benchCase({
      ...common,
      subject: 'raw-http',
      system: 'raw',
      label: `lean HTTP client (${concurrency} conn) ⇄ node:http echo`,
      transport: 'Streamable HTTP (JSON)',
      setup: async (ctx, bytes) =>
        new HttpChannel({
          url: await startRawServer(ctx, 'http-json'),
          payloadBytes: bytes,
          connections: concurrency,
        }),
    }),
    benchCase({
      ...common,
      subject: 'ours-stdio-client',
      system: 'switchboard',
      label: 'our StdioClientTransport ⇄ raw echo child',
      transport: 'stdio',
      baseline: rawPipe,
      unavailable: missing,
      setup: async (_ctx, bytes) =>
        new TransportChannel({ transport: await oursStdioClient('raw-echo-stdio.js'), payloadBytes: bytes }),
    }),
    benchCase({
      ...common,
      subject: 'ours-stdio-server',
      system: 'switchboard',
      label: 'lean client ⇄ echo on our StdioServerTransport',
      transport: 'stdio',
      baseline: rawPipe,
      unavailable: missing,
      setup: oursStdioServerChannel,
    }),
    ...(concurrency === 1
      ? [
          benchCase({
            ...common,
            subject: 'raw-forward',
            system: 'raw',
            label: 'lean HTTP client ⇄ check-nothing node:http → stdio forwarder ⇄ raw echo child',
            transport: 'Streamable HTTP (JSON) → stdio',
            baseline: rawHttp,
            setup: async (ctx, bytes) =>
              new HttpChannel({ url: await startRawServer(ctx, 'http-forward'), payloadBytes: bytes }),
          }),
        ]
      : []),
    ...(await Promise.all(proxies)),
  ];
}
