/** Numeric JSON-RPC error codes used on the wire (JSON-RPC 2.0 and the MCP specification). */
export const JsonRpcCode = {
  /** Invalid JSON was received. */
  ParseError: -32700,
  /** The JSON sent is not a valid request object. */
  InvalidRequest: -32600,
  /** The method does not exist or is not available. */
  MethodNotFound: -32601,
  /** Invalid method parameters. */
  InvalidParams: -32602,
  /** Internal error. */
  InternalError: -32603,
  /** The connection to the peer (or backend) closed (same value as the SDK's `ConnectionClosed`). */
  ConnectionClosed: -32000,
  /** The request timed out (same value as the SDK's `RequestTimeout`). */
  RequestTimeout: -32001,
  /** MCP 2026-07-28: an HTTP header does not match the body. */
  HeaderMismatch: -32020,
  /** MCP 2026-07-28: a required client capability is missing. */
  MissingRequiredClientCapability: -32021,
  /** MCP 2026-07-28: the protocol version is not supported. */
  UnsupportedProtocolVersion: -32022,
} as const;

/** One of the codes in {@link JsonRpcCode}. */
export type JsonRpcCodeValue = (typeof JsonRpcCode)[keyof typeof JsonRpcCode];
