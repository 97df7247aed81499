import type { CallToolResult } from '@modelcontextprotocol/client';
import type { ProtocolEra } from '../protocol/versions.js';
import type { Transport } from '../transport.js';
import {
  closeQuietly,
  connectInspector,
  DEFAULT_INSPECT_TIMEOUT_MS,
  inspectFailure,
  type InspectClientOptions,
} from './client.js';
import type { ToolArguments } from './tool-args.js';

/** What {@link callServerTool} returns. */
export interface ToolCallOutcome {
  /** The tool's result, as the server sent it. */
  result: CallToolResult;
  serverInfo: { name: string; version: string } | null;
  protocol: { version: string | null; era: ProtocolEra };
  timing: { connectMs: number; callMs: number };
}

/**
 * Calls one tool over one connection (either protocol era) and returns its result unchanged.
 *
 * @param transport - an unstarted client transport; closed at the end
 * @param call - the tool name and its arguments
 * @param options - timeout (default 30 s) and client identity
 * @throws SwitchboardError `INSPECT_FAILED`, `details.failure` ∈ `unreachable | auth | server`
 * @example
 * ```ts
 * const { result } = await callServerTool(transport, { name: 'echo', arguments: { message: 'hi' } });
 * ```
 */
export async function callServerTool(
  transport: Transport,
  call: { name: string; arguments: ToolArguments },
  options: InspectClientOptions = {},
): Promise<ToolCallOutcome> {
  const timeout = options.timeoutMs ?? DEFAULT_INSPECT_TIMEOUT_MS;
  const connection = await connectInspector(transport, options);
  const { client } = connection;
  try {
    const started = performance.now();
    const result = await client.callTool({ name: call.name, arguments: call.arguments }, { timeout });
    const serverInfo = client.getServerVersion();
    return {
      result,
      serverInfo: serverInfo ? { name: serverInfo.name, version: serverInfo.version } : null,
      protocol: { version: connection.protocolVersion, era: connection.era },
      timing: { connectMs: connection.connectMs, callMs: performance.now() - started },
    };
  } catch (error) {
    throw inspectFailure(error, 'request', connection.transportError());
  } finally {
    await closeQuietly(client);
  }
}
