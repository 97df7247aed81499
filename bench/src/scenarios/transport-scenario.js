import { TransportChannel } from '../load/transport-channel.js';
import { connectMissing, listenMissing } from '../subjects/our-capabilities.js';
import { oursClient, startOursServer } from '../subjects/ours.js';
import { startRawServer } from '../subjects/raw.js';
import { benchCase, caseId } from './cases.js';

/**
 * @typedef {import('../load/channel.js').Channel} Channel
 *
 * @typedef {object} ServerSide - one configuration of our listener, driven by the lean client
 * @property {string} subject - e.g. "ours-server", "ours-server-json"
 * @property {string} label
 * @property {() => string} listenUri - what our echo server listens on (port 0 / a fresh socket path)
 * @property {object} [listenOptions] - listen options of the scheme
 * @property {(listenerUrl: string) => string} [clientUrl] - where the lean client goes (default: the
 *   listener's URL)
 *
 * @typedef {object} TransportScenarioSpec
 * @property {string} name - scenario name, e.g. "tcp"
 * @property {string} transport - in words, for the report
 * @property {{ probeUri: string, rawKind: Parameters<typeof startRawServer>[1],
 *   uri?: (rawUrl: string) => string, options?: object } | undefined} client - our client transport
 *   against a raw echo server (probeUri: a well-formed URI to test that `connect()` exists)
 * @property {ServerSide[]} servers
 * @property {(url: string, payloadBytes: number, concurrency: number) => Channel | Promise<Channel>} leanChannel
 * @property {(concurrency: number) => string | string[]} baseline - the raw limit to compare with
 * @property {string[]} needs - the scenarios holding those baselines
 */

/**
 * A scenario for one of our network transports: our client transport against the raw echo server
 * and the lean client against our listener, at C=1 and C=64. A side that is not in the built library
 * yet says "not available yet".
 * @param {TransportScenarioSpec} spec
 * @returns {import('./cases.js').Scenario}
 */
export function transportScenario(spec) {
  return {
    name: spec.name,
    title: `Our ${spec.transport} transport with a lean peer (vs the raw limit)`,
    inDefault: true,
    needs: spec.needs,
    cases: async () => {
      const common = {
        scenario: spec.name,
        group: 'Our transports, lean peer',
        system: /** @type {const} */ ('switchboard'),
        transport: spec.transport,
      };
      const client = spec.client;
      const clientMissing = client ? await connectMissing(client.probeUri) : undefined;
      const serverMissing = await Promise.all(
        spec.servers.map((s) => listenMissing(s.listenUri(), s.listenOptions)),
      );
      // C=1 (latency) runs when the scenario is named; the default run keeps C=64.
      return [1, 64].flatMap((concurrency) => [
        ...(client
          ? [
              benchCase({
                ...common,
                subject: 'ours-client',
                label: `our ${spec.transport} client transport ⇄ raw echo`,
                concurrency,
                inDefault: concurrency !== 1,
                baseline: spec.baseline(concurrency),
                unavailable: clientMissing,
                setup: async (ctx, payloadBytes) => {
                  const url = await startRawServer(ctx, client.rawKind);
                  const transport = await oursClient(client.uri?.(url) ?? url, client.options);
                  return new TransportChannel({ transport, payloadBytes });
                },
              }),
            ]
          : []),
        ...spec.servers.map((server, i) =>
          benchCase({
            ...common,
            subject: server.subject,
            label: server.label,
            concurrency,
            inDefault: concurrency !== 1,
            baseline: spec.baseline(concurrency),
            unavailable: serverMissing[i],
            setup: async (ctx, payloadBytes) => {
              const url = await startOursServer(ctx, server.listenUri(), server.listenOptions);
              return spec.leanChannel(server.clientUrl?.(url) ?? url, payloadBytes, concurrency);
            },
          }),
        ),
      ]);
    },
  };
}

/**
 * The raw-socket baseline of a kind at a concurrency.
 * @param {'tcp' | 'unix'} kind
 * @returns {(concurrency: number) => string}
 */
export function rawSocketBaseline(kind) {
  return (concurrency) => caseId('raw-socket', kind, concurrency);
}
