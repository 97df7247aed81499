import type { Logger } from 'pino';
import { createDemoServer } from '../../demo/demo-server.js';
import type { ServeConfig } from '../../config/serve-config.js';
import type { Transport } from '../../transport.js';
import { InMemoryTransport } from '../../transports/in-memory.js';
import { StdioClientTransport } from '../../transports/stdio-client.js';
import { describeBackendTarget, openBackend } from '../backend-target.js';

/**
 * The proxy's `connectBackend`: a fresh connection to the configured backend, or to a new in-process
 * demo server when none is configured. A stdio child's stderr goes to our log, tagged with the session.
 */
export function backendFactory(
  config: ServeConfig,
  log: Logger,
): (sessionId: string | undefined) => Transport {
  const target = config.backend;
  if (target === undefined) {
    return () => {
      const [ours, theirs] = InMemoryTransport.createLinkedPair();
      void createDemoServer().connect(theirs);
      return ours;
    };
  }
  const description = describeBackendTarget(target);
  return (sessionId) => {
    const transport = openBackend(target, {
      maxMessageBytes: config.maxMessageBytes,
      stderr: 'pipe',
      env: config.stdio.env,
      cwd: config.stdio.cwd,
    });
    if (transport instanceof StdioClientTransport) {
      const childLog = log.child({ session: sessionId ?? 'shared', backend: description });
      transport.onstderr = (line) => childLog.info({ stderr: line }, 'backend stderr');
    }
    return transport;
  };
}
