import { runTransportContract } from '../contract/transport-contract.js';
import { testCerts } from '../fixtures/certs.js';
import { makeListenerPair, tmpSocketPath } from './socket-pairs.js';

runTransportContract('tcp (client ↔ listener connection)', () => makeListenerPair('tcp://127.0.0.1:0'));

runTransportContract('tcp, length-prefixed framing', () =>
  makeListenerPair('tcp://127.0.0.1:0', { framing: 'length-prefixed' }, { framing: 'length-prefixed' }),
);

runTransportContract('tls', async () => {
  const certs = await testCerts();
  return makeListenerPair('tls://localhost:0', { tls: certs.server }, { tls: { ca: certs.ca } });
});

runTransportContract('tls with client certificates (mTLS)', async () => {
  const certs = await testCerts();
  return makeListenerPair(
    'tls://127.0.0.1:0',
    { tls: { ...certs.server, ca: certs.ca, requestCert: true } },
    { tls: { ca: certs.ca, ...certs.client } },
  );
});

runTransportContract('unix socket', () => makeListenerPair(`unix://${tmpSocketPath()}`));
