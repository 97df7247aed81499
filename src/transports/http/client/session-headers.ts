import type { JSONRPCMessage } from '../../../protocol/messages.js';
import { eraOf } from '../../../protocol/versions.js';
import type { TransportSendOptions } from '../../../transport.js';
import { McpHeader, MediaType } from '../shared/headers.js';
import { bearerHeader, type ResolvedHttpClientOptions } from './http-client-options.js';
import { applyModernHeaders, modernVersionOf, normalizeHeaders } from './request-headers.js';

/**
 * The session state a Streamable HTTP client puts on its requests — `Mcp-Session-Id` and the
 * negotiated `MCP-Protocol-Version` (2025 era) — and the headers of each kind of request built from it.
 */
export class SessionHeaders {
  /** The session id issued on the `initialize` response (2025 era). */
  sessionId: string | undefined;
  /** The version the SDK negotiated (`setProtocolVersion`). */
  protocolVersion: string | undefined;
  readonly #opts: ResolvedHttpClientOptions;

  constructor(opts: ResolvedHttpClientOptions) {
    this.#opts = opts;
    this.sessionId = opts.sessionId;
    this.protocolVersion = opts.protocolVersion;
  }

  /**
   * The 2026-07-28 version a message is sent under: the one its `_meta` declares, else the negotiated
   * one when that is a stateless-era version; `undefined` for a 2025-era message.
   */
  modernVersion(message: JSONRPCMessage): string | undefined {
    const declared = modernVersionOf(message);
    if (declared !== undefined) return declared;
    const v = this.protocolVersion;
    return v !== undefined && eraOf(v) === 'stateless' ? v : undefined;
  }

  /** The user's headers, `Accept` and `Authorization`. */
  async base(accept: string): Promise<Record<string, string>> {
    const headers: Record<string, string> = { ...this.#opts.headers, accept };
    const auth = await bearerHeader(this.#opts.token);
    if (auth !== undefined) headers.authorization = auth;
    return headers;
  }

  /** Adds `Mcp-Session-Id` and `MCP-Protocol-Version` when known. */
  addSession(headers: Record<string, string>, sessionId = this.sessionId): void {
    if (sessionId !== undefined) headers[McpHeader.sessionId] = sessionId;
    if (this.protocolVersion !== undefined) headers[McpHeader.protocolVersion] = this.protocolVersion;
  }

  /** Headers of a session-bound request without a body (`GET`, `DELETE`). */
  async bodiless(accept: string, sessionId = this.sessionId): Promise<Record<string, string>> {
    const headers = await this.base(accept);
    this.addSession(headers, sessionId);
    return headers;
  }

  /**
   * Headers of the POST carrying `message`: 2026-07-28 metadata headers from the body for a modern
   * message, else the session headers (none on `initialize`, which starts a session); then the
   * per-message headers (`Mcp-Param-*`), which can never override the transport's own.
   */
  async post(
    message: JSONRPCMessage,
    modern: string | undefined,
    options: TransportSendOptions | undefined,
  ): Promise<Record<string, string>> {
    const headers = await this.base(`${MediaType.json}, ${MediaType.eventStream}`);
    headers['content-type'] = MediaType.json;
    if (modern !== undefined) applyModernHeaders(headers, message, modern);
    else if (message.method !== 'initialize') this.addSession(headers);
    if (options?.headers !== undefined)
      Object.assign(headers, normalizeHeaders(options.headers, 'per-message'));
    return headers;
  }
}
