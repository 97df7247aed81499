import { InMemoryTransport } from '../../src/transports/in-memory.js';
import { runTransportContract } from '../contract/transport-contract.js';
import { makeStdioPair } from '../fixtures/stdio-pair.js';

runTransportContract(
  'in-memory',
  () => {
    const [client, server] = InMemoryTransport.createLinkedPair();
    return Promise.resolve({ client, server });
  },
  {
    skip: [{ test: 'backpressure', reason: 'in-memory delivery is synchronous; there is no buffer to fill' }],
  },
);

runTransportContract('stdio (client spawns a relay child; server on its socket)', makeStdioPair);
