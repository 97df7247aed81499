import { runTransportContract } from '../contract/transport-contract.js';
import { testCerts } from '../fixtures/certs.js';
import { makeListenerPair } from './socket-pairs.js';

runTransportContract('websocket (client ↔ listener connection)', () =>
  makeListenerPair('ws://127.0.0.1:0/mcp'),
);

runTransportContract(
  'websocket with permessage-deflate',
  () =>
    makeListenerPair(
      'ws://127.0.0.1:0/mcp',
      { websocket: { perMessageDeflate: true } },
      { websocket: { perMessageDeflate: true } },
    ),
  {
    skip: [
      {
        test: 'backpressure',
        reason:
          "the test's repetitive payload compresses ~1000:1, so the wire does not fill within the test's " +
          'bound; backpressure counts wire flushes and is covered by the uncompressed pairs',
      },
    ],
  },
);

runTransportContract('wss with client certificates (mTLS)', async () => {
  const certs = await testCerts();
  return makeListenerPair(
    'wss://localhost:0/mcp',
    { tls: { ...certs.server, ca: certs.ca, requestCert: true } },
    { tls: { ca: certs.ca, ...certs.client } },
  );
});
