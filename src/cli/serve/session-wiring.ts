import type { Logger } from 'pino';
import type { ServeConfig } from '../../config/serve-config.js';
import type { ConnectionInfo } from '../../listener.js';
import { redactText } from '../../observability/redact-text.js';
import type { Proxy, ProxyEvent, ProxyOptions } from '../../proxy/proxy.js';
import type { AuthInfo, Transport } from '../../transport.js';

/** The session-resource part of the proxy's options, from the serve configuration. */
export function sessionProxyOptions(
  config: ServeConfig,
): Pick<ProxyOptions, 'maxSessions' | 'idleTimeoutMs' | 'firstMessageTimeoutMs' | 'clientLimits' | 'shared'> {
  return {
    maxSessions: config.maxSessions,
    idleTimeoutMs: config.idleTimeout,
    firstMessageTimeoutMs: config.firstMessageTimeout,
    clientLimits: config.clientLimits,
    shared: { abandonedCallTtlMs: config.shared.abandonedCallTtl },
  };
}

/**
 * The caller a session is counted under for per-principal caps: the `clientId` the authenticator gave
 * the session's opener (HTTP session, WebSocket upgrade), unless it is the unauthenticated placeholder.
 */
export function principalOf(info: ConnectionInfo): string | undefined {
  const auth = (info as ConnectionInfo & { authInfo?: AuthInfo }).authInfo;
  if (auth === undefined || auth.extra?.scheme === 'none') return undefined;
  return auth.clientId;
}

/**
 * The proxy's `accept` for the frontend `uri`: sessions carry their principal; a stdio frontend's one
 * session (whose client owns the process) is never closed for idleness or silence.
 */
export function acceptFor(uri: string, proxy: Proxy): (transport: Transport, info: ConnectionInfo) => void {
  return withPrincipal(
    /^stdio:/i.test(uri) ? proxy.acceptWith({ idleTimeoutMs: 0, firstMessageTimeoutMs: 0 }) : proxy.accept,
  );
}

/** `accept` with each session's principal (for per-principal caps) put in its connection info. */
export function withPrincipal(
  accept: (transport: Transport, info: ConnectionInfo) => void,
): (transport: Transport, info: ConnectionInfo) => void {
  return (transport, info) => {
    const principal = principalOf(info);
    accept(transport, principal === undefined ? info : { ...info, principal });
  };
}

/**
 * Values that must never appear in logs: the stdio backend's configured variables, the JWT secret, the
 * API keys of the environment. Free text from children (stderr, exit reports) is cleaned with them.
 */
export function knownSecrets(config: ServeConfig): string[] {
  const secrets = [...Object.values(config.stdio.env)];
  const jwt = config.security.jwt.secret ?? process.env.SWITCHBOARD_JWT_SECRET;
  if (jwt !== undefined) secrets.push(jwt);
  for (const k of config.security.apiKeys.keys) secrets.push(k.key);
  const fromEnv = process.env.SWITCHBOARD_API_KEYS;
  if (fromEnv !== undefined) secrets.push(...fromEnv.split(/[\s,]+/).map((e) => e.slice(e.indexOf(':') + 1)));
  return secrets.filter((s) => s.length > 0);
}

/**
 * Logs a backend exit or give-up for operators: the full cause (exit status, last stderr lines)
 * redacted, with the session and the incident id the clients received. `true` when `event` was one.
 */
export function logBackendFailure(
  log: Logger,
  event: ProxyEvent,
  secrets: (sessionId: string | undefined) => readonly string[],
): boolean {
  if (event.type !== 'backend') return false;
  const e = event.event;
  if (e.type !== 'exited' && e.type !== 'gave-up') return false;
  const hidden = secrets(event.sessionId);
  const d = e.error.details;
  const fields = {
    session: event.sessionId ?? 'shared',
    incident: e.incident,
    code: e.error.code,
    err: redactText(e.error.message, hidden),
    ...(d.exitCode !== undefined ? { exitCode: d.exitCode } : {}),
    ...(d.signal !== undefined ? { signal: d.signal } : {}),
    ...(d.stderrTail !== undefined ? { stderrTail: d.stderrTail.map((l) => redactText(l, hidden)) } : {}),
  };
  if (e.type === 'exited') {
    log.warn(
      { ...fields, uptimeMs: e.uptimeMs, inflight: e.inflight, wasReady: e.wasReady },
      'backend exited',
    );
  } else {
    log.error({ ...fields, attempts: e.attempts }, 'backend keeps failing; gave up');
  }
  return true;
}
