import type { Logger } from 'pino';
import type { ServeConfig } from '../../config/serve-config.js';
import type { Transport } from '../../transport.js';
import type { TlsClientOptions } from '../../transports/tls-options.js';
import { InMemoryTransport } from '../../transports/in-memory.js';
import { StdioClientTransport } from '../../transports/stdio-client.js';
import { describeBackendTarget, openBackend } from '../backend-target.js';
import { auditSpawn } from '../../security/spawn-audit.js';
import { redactText } from '../../observability/redact-text.js';
import { knownSecrets } from './session-wiring.js';
import type { SecurityWiring } from './security-wiring.js';
import { redisConnectSettings } from './redis-wiring.js';

/** An `Mcp-Session-Id` minted by our HTTP listener (a UUID): unique across instances. */
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** TLS options towards the backend, from `backendTls` (only what was set). */
function backendTls(config: ServeConfig): TlsClientOptions {
  const { caFile, certFile, keyFile, servername, minVersion } = config.backendTls;
  return {
    minVersion,
    ...(caFile !== undefined ? { caFile } : {}),
    ...(certFile !== undefined ? { certFile } : {}),
    ...(keyFile !== undefined ? { keyFile } : {}),
    ...(servername !== undefined ? { servername } : {}),
  };
}

/**
 * The proxy's `connectBackend`: a fresh connection to the configured backend, or to a new in-process
 * demo server when none is configured. A stdio child's stderr goes to our log, tagged with the session and
 * redacted (known secrets, credential-shaped text): it is for operators, never for clients (`onStderr`
 * gets each redacted line too: the dashboard's operator view).
 */
export function backendFactory(
  config: ServeConfig,
  log: Logger,
  security?: Pick<SecurityWiring, 'guard' | 'command' | 'childEnv' | 'spawnEnv'>,
  onStderr?: (sessionId: string | undefined, line: string) => void,
): (sessionId: string | undefined) => Transport {
  const target = config.backend;
  if (target === undefined) {
    return () => {
      const [ours, theirs] = InMemoryTransport.createLinkedPair();
      // Loaded on first use (it brings the SDK's server and its schema libraries): a serve with a real
      // backend never pays for it. What the client sends meanwhile waits in the pair's bounded queue.
      import('../../demo/demo-server.js')
        .then(({ createDemoServer }) => createDemoServer().connect(theirs))
        .catch((error: unknown) => {
          log.error({ err: error }, 'the demo server did not start');
          void ours.close();
        });
      return ours;
    };
  }
  const description = describeBackendTarget(target);
  // The command policy's absolute executable, so a later PATH change cannot swap the binary.
  const admitted = security?.command();
  const secrets = knownSecrets(config);
  const spawned = target.kind === 'stdio' && admitted ? { ...target, command: admitted.executable } : target;
  return (sessionId) => {
    const perUser = security?.childEnv(sessionId) ?? {};
    const transport = openBackend(spawned, {
      maxMessageBytes: config.maxMessageBytes,
      stderr: 'pipe',
      // The wiring filters what --inherit-env passes (no SWITCHBOARD_* secret, no code-loading variable).
      env: security ? security.spawnEnv(perUser) : { ...config.stdio.env, ...perUser },
      cwd: config.stdio.cwd,
      inheritEnv: security ? false : config.stdio.inheritEnv,
      websocketCompression: config.compression.websocket,
      tls: backendTls(config),
      // With shared state, a session's pool connection is named after the session: an instance that
      // takes the session over re-attaches to it (and gets the answers produced meanwhile).
      redis: {
        ...redisConnectSettings(config),
        ...(config.state !== undefined && sessionId !== undefined && SESSION_ID.test(sessionId)
          ? { connectionId: `session-${sessionId}` }
          : {}),
      },
      guard: security?.guard,
    });
    if (transport instanceof StdioClientTransport) {
      const childLog = log.child({ session: sessionId ?? 'shared', backend: description });
      const hidden = [...secrets, ...Object.values(perUser)];
      transport.onstderr = (line) => {
        const clean = redactText(line, hidden);
        childLog.info({ stderr: clean }, 'backend stderr');
        onStderr?.(sessionId, clean);
      };
      if (spawned.kind === 'stdio') {
        // Every spawn is logged with its argv (never the environment's values, which may be secrets).
        const argv = [spawned.command, ...spawned.args];
        return auditSpawn(transport, () =>
          childLog.info({ argv, envNames: Object.keys(perUser) }, 'spawning backend'),
        );
      }
    }
    return transport;
  };
}
