import type {
  Client,
  ClientCapabilities,
  CreateMessageRequest,
  CreateMessageResult,
  ElicitRequest,
  ElicitResult,
  Root,
} from '@modelcontextprotocol/client';
import { SwitchboardError } from '../errors.js';
import { connectInspector } from '../introspect/client.js';
import { ClientSession } from './client-session.js';
import { openClientTransport, type ClientTarget } from './client-target.js';

/** Default deadline of a generated client's requests, in ms. */
export const DEFAULT_CLIENT_TIMEOUT_MS = 60_000;

/** Answers the server's requests to this client; each one declares its capability. */
export interface ClientHandlers {
  /** `sampling/createMessage`: the server asks the client's model. */
  sampling?: ((params: CreateMessageRequest['params']) => Promise<CreateMessageResult>) | undefined;
  /** `elicitation/create`: the server asks the user for input. */
  elicitation?: ((params: ElicitRequest['params']) => Promise<ElicitResult>) | undefined;
  /** `roots/list`: the roots the client exposes (a list, or a function returning one). */
  roots?: readonly Root[] | (() => Promise<readonly Root[]>) | undefined;
}

/** Options of {@link connectSession} (and of every generated `connect()`). */
export interface ConnectSessionOptions extends ClientHandlers {
  /** Default deadline of every request in ms, the handshake included (default 60 000). */
  timeoutMs?: number | undefined;
  /** The identity this client reports (generated clients pass their package name and version). */
  clientInfo?: { name: string; version: string } | undefined;
}

function capabilitiesOf(handlers: ClientHandlers): ClientCapabilities {
  const capabilities: ClientCapabilities = {};
  if (handlers.sampling) capabilities.sampling = {};
  if (handlers.elicitation) capabilities.elicitation = { form: {} };
  if (handlers.roots) capabilities.roots = { listChanged: false };
  return capabilities;
}

function installHandlers(client: Client, handlers: ClientHandlers): void {
  const { sampling, elicitation, roots } = handlers;
  if (sampling) client.setRequestHandler('sampling/createMessage', (request) => sampling(request.params));
  if (elicitation) client.setRequestHandler('elicitation/create', (request) => elicitation(request.params));
  if (roots) {
    client.setRequestHandler('roots/list', async () => ({
      roots: [...(typeof roots === 'function' ? await roots() : roots)],
    }));
  }
}

/**
 * Connects to an MCP server over any transport of mcp-switchboard and returns a {@link ClientSession}.
 * Speaks both protocol eras: it probes for a 2026-07-28 server and falls back to the 2025 handshake.
 *
 * @param target - an endpoint URI, `{ command, args }`, `{ transport }` or a transport
 * @param options - deadline (default 60 s), client identity, handlers of server→client requests
 * @throws SwitchboardError `CONNECTION_FAILED` (`details.failure`: `unreachable`, `auth` or `server`),
 *   `INVALID_OPTIONS` for a target that cannot be parsed
 * @example
 * ```ts
 * const session = await connectSession('http://127.0.0.1:3000/mcp');
 * const result = await session.callTool('echo', { message: 'hi' });
 * ```
 */
export async function connectSession(
  target: ClientTarget,
  options: ConnectSessionOptions = {},
): Promise<ClientSession> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS;
  const transport = openClientTransport(target);
  try {
    const connection = await connectInspector(transport, {
      timeoutMs,
      clientInfo: options.clientInfo ?? { name: 'mcp-switchboard-client', version: '0.0.0' },
      capabilities: capabilitiesOf(options),
      beforeConnect: (client) => installHandlers(client, options),
    });
    return new ClientSession(connection.client, { timeoutMs, era: connection.era });
  } catch (error) {
    if (error instanceof SwitchboardError && error.code === 'INSPECT_FAILED') {
      throw new SwitchboardError('CONNECTION_FAILED', error.message, {
        cause: error.cause,
        details: error.details,
      });
    }
    throw error;
  }
}
