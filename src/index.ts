// The root entry: explicit named exports only. Node-only transports (child processes, sockets) live on
// their own subpaths (`mcp-switchboard/transports/stdio-client`, …) and are not imported from here.
export { SwitchboardError, ErrorCodes, toSwitchboardError, toJsonRpcError } from './errors.js';
export type { ErrorCode, ErrorDetails } from './errors.js';
export { JsonRpcCode } from './protocol/json-rpc-codes.js';
export type { JsonRpcCodeValue } from './protocol/json-rpc-codes.js';
export {
  isRequest,
  isNotification,
  isResponse,
  isErrorResponse,
  isRequestId,
  invalidMessageReason,
  errorResponse,
} from './protocol/messages.js';
export type {
  JSONRPCMessage,
  JSONRPCRequest,
  JSONRPCNotification,
  JSONRPCResultResponse,
  JSONRPCErrorResponse,
  JSONRPCErrorObject,
  RequestId,
  MessageParams,
} from './protocol/messages.js';
export type {
  Transport,
  TransportSendOptions,
  MessageExtraInfo,
  AuthInfo,
  RequestInfo,
  PeerInfo,
} from './transport.js';
export type { Listener, ListenerOptions, ListenerCloseOptions, ConnectionInfo } from './listener.js';
export { BufferBudget, DEFAULT_MAX_BUFFERED_BYTES } from './framing/buffer-budget.js';
export { InMemoryTransport } from './transports/in-memory.js';
export { LazyTransport } from './transports/lazy.js';
export { pipe, compose, type TransportMiddleware } from './middleware/pipe.js';
export { TransportDecorator } from './middleware/transport-decorator.js';
