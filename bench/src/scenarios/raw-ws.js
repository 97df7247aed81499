import { WsChannel } from '../load/ws-channel.js';
import { startRawServer } from '../subjects/raw.js';
import { benchCase } from './cases.js';

/** @type {import('./cases.js').Scenario} */
export default {
  name: 'raw-ws',
  title: 'Raw WebSocket echo (`ws`, no SDK): the WebSocket limit',
  inDefault: true,
  cases: async () =>
    [1, 64].map((concurrency) =>
      benchCase({
        scenario: 'raw-ws',
        subject: 'ws',
        group: 'Raw limits',
        system: 'raw',
        label: 'lean ws client ⇄ raw ws echo',
        transport: 'WebSocket',
        concurrency,
        inDefault: concurrency !== 1,
        setup: async (ctx, payloadBytes) =>
          new WsChannel({ url: await startRawServer(ctx, 'ws'), payloadBytes }),
      }),
    ),
};
