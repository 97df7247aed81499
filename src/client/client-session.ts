import {
  UriTemplate,
  type CallToolResult,
  type Client,
  type GetPromptResult,
  type ProgressCallback,
  type ReadResourceResult,
} from '@modelcontextprotocol/client';
import { SwitchboardError } from '../errors.js';
import type { ProtocolEra } from '../protocol/versions.js';

/** Per-call options of every generated function. */
export interface CallOptions {
  /** Deadline in ms (default: the session's `timeoutMs`, 60 s unless set at connect). */
  timeout?: number | undefined;
  /** Cancels the request (a `notifications/cancelled` is sent). */
  signal?: AbortSignal | undefined;
  /** Receives the server's progress notifications; each one also extends the deadline. */
  onprogress?: ProgressCallback | undefined;
}

/** Variables of a URI template (strings or numbers; numbers are written in decimal). */
export type TemplateVariables = object;

// The string members of an argument object (generated types are interfaces, hence `object`).
function stringMembers(values: object | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values ?? {}) as [string, unknown][]) {
    if (value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new SwitchboardError('INVALID_OPTIONS', `${what} "${name}": expected a string or a number`);
    }
    Object.defineProperty(out, name, { value: String(value), enumerable: true, writable: true });
  }
  return out;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A connected session with one MCP server: what generated clients call. Tools that end with
 * `isError: true` reject with `SwitchboardError` `TOOL_ERROR` (the whole result in `details.result`),
 * so a resolved promise always means success.
 */
export class ClientSession {
  readonly #client: Client;
  readonly #timeoutMs: number;
  readonly #era: ProtocolEra;

  /**
   * @param client - a connected SDK v2 client
   * @param options - default deadline (ms) and the negotiated era
   */
  constructor(client: Client, options: { timeoutMs: number; era: ProtocolEra }) {
    this.#client = client;
    this.#timeoutMs = options.timeoutMs;
    this.#era = options.era;
  }

  /** The SDK client, for anything the generated functions do not cover. */
  get raw(): Client {
    return this.#client;
  }

  /** The server's self-reported name and version (null when a stateless server gives none). */
  get serverInfo(): { name: string; version: string } | null {
    const info = this.#client.getServerVersion();
    return info ? { name: info.name, version: info.version } : null;
  }

  /** `session` (2025 initialize handshake) or `stateless` (2026-07-28). */
  get era(): ProtocolEra {
    return this.#era;
  }

  #requestOptions(options: CallOptions | undefined): {
    timeout: number;
    signal?: AbortSignal;
    onprogress?: ProgressCallback;
    resetTimeoutOnProgress?: boolean;
  } {
    return {
      timeout: options?.timeout ?? this.#timeoutMs,
      ...(options?.signal ? { signal: options.signal } : {}),
      ...(options?.onprogress ? { onprogress: options.onprogress, resetTimeoutOnProgress: true } : {}),
    };
  }

  /**
   * Calls a tool and returns its result; rejects when the tool reports an error.
   *
   * @param name - the tool's name exactly as the server lists it
   * @param args - its arguments
   * @param options - deadline, abort signal, progress
   * @throws SwitchboardError `TOOL_ERROR` when the result has `isError: true`
   */
  async callTool(name: string, args: object | undefined, options?: CallOptions): Promise<CallToolResult> {
    const result = await this.#client.callTool(
      { name, arguments: { ...args } },
      this.#requestOptions(options),
    );
    if (result.isError === true) {
      const text = result.content
        .filter((c) => c.type === 'text')
        .map((c) => c.text)
        .join(' ')
        .slice(0, 500);
      throw new SwitchboardError('TOOL_ERROR', `tool "${name}" failed${text === '' ? '' : `: ${text}`}`, {
        details: { tool: name, result },
      });
    }
    return result;
  }

  /**
   * Calls a tool that declares an `outputSchema` and returns its `structuredContent`.
   *
   * @param name - the tool's name
   * @param args - its arguments
   * @param options - deadline, abort signal, progress
   * @throws SwitchboardError `TOOL_ERROR` on `isError: true` or when `structuredContent` is missing
   */
  async callToolStructured<T>(name: string, args: object | undefined, options?: CallOptions): Promise<T> {
    const result = await this.callTool(name, args, options);
    if (!isObject(result.structuredContent)) {
      throw new SwitchboardError('TOOL_ERROR', `tool "${name}" returned no structuredContent`, {
        details: { tool: name, result },
      });
    }
    return result.structuredContent as T;
  }

  /**
   * Gets a prompt.
   *
   * @param name - the prompt's name
   * @param args - its arguments (strings; undefined ones are left out)
   * @param options - deadline, abort signal
   * @throws SwitchboardError `INVALID_OPTIONS` for an argument that is neither a string nor a number
   */
  async getPrompt(name: string, args: object | undefined, options?: CallOptions): Promise<GetPromptResult> {
    return await this.#client.getPrompt(
      { name, arguments: stringMembers(args, 'prompt argument') },
      this.#requestOptions(options),
    );
  }

  /**
   * Reads a resource.
   *
   * @param uri - its URI
   * @param options - deadline, abort signal
   */
  readResource(uri: string, options?: CallOptions): Promise<ReadResourceResult> {
    return this.#client.readResource({ uri }, this.#requestOptions(options));
  }

  /**
   * Expands a URI template (RFC 6570, the SDK's implementation) and reads the resource.
   *
   * @param template - the template as the server lists it
   * @param variables - its variables (undefined ones are left out)
   * @param options - deadline, abort signal
   */
  async readTemplate(
    template: string,
    variables: TemplateVariables,
    options?: CallOptions,
  ): Promise<ReadResourceResult> {
    return await this.readResource(expandUriTemplate(template, variables), options);
  }

  /** Closes the connection (idempotent). */
  async close(): Promise<void> {
    await this.#client.close();
  }
}

/**
 * Expands an RFC 6570 URI template with the SDK's `UriTemplate`.
 *
 * @param template - e.g. `demo://greeting/{name}`
 * @param variables - e.g. `{ name: 'Ada' }`
 * @example
 * ```ts
 * expandUriTemplate('demo://greeting/{name}', { name: 'Ada Lovelace' }); // 'demo://greeting/Ada%20Lovelace'
 * ```
 */
export function expandUriTemplate(template: string, variables: TemplateVariables): string {
  return new UriTemplate(template).expand(stringMembers(variables, 'template variable'));
}
