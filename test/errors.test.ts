import { describe, expect, it } from 'vitest';
import { SwitchboardError, toJsonRpcError, toSwitchboardError } from '../src/errors.js';
import { JsonRpcCode } from '../src/protocol/json-rpc-codes.js';

describe('errors', () => {
  it('keeps code, cause and details', () => {
    const cause = new Error('ECONNRESET');
    const e = new SwitchboardError('CONNECTION_FAILED', 'lost the backend', {
      cause,
      details: { requestId: 3 },
    });
    expect(e.code).toBe('CONNECTION_FAILED');
    expect(e.cause).toBe(cause);
    expect(e.details.requestId).toBe(3);
    expect(e).toBeInstanceOf(Error);
  });

  it('recognises branded errors from another copy of the class', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('mcp-switchboard.error')]: true,
      code: 'INTERNAL',
    });
    expect(foreign instanceof SwitchboardError).toBe(true);
    expect(new Error('plain') instanceof SwitchboardError).toBe(false);
  });

  it('normalises unknown throws, keeping the original as cause', () => {
    const e = toSwitchboardError('just a string', 'CONNECTION_FAILED');
    expect(e.code).toBe('CONNECTION_FAILED');
    expect(e.cause).toBe('just a string');
    const same = new SwitchboardError('INTERNAL', 'x');
    expect(toSwitchboardError(same)).toBe(same);
  });

  it('maps local errors to JSON-RPC errors at one seam', () => {
    expect(toJsonRpcError(new SwitchboardError('PARSE_ERROR', 'bad'))).toMatchObject({
      code: JsonRpcCode.ParseError,
    });
    expect(toJsonRpcError(new SwitchboardError('INVALID_MESSAGE', 'bad'))).toMatchObject({
      code: JsonRpcCode.InvalidRequest,
    });
    expect(toJsonRpcError(new SwitchboardError('UPSTREAM_TIMEOUT', 'slow'))).toMatchObject({
      code: JsonRpcCode.RequestTimeout,
    });
    // A child's command, exit status and stderr are for operators: never on the wire.
    expect(
      toJsonRpcError(
        new SwitchboardError(
          'CHILD_EXITED',
          'MCP server process "srv --key=k" exited with code 1; last stderr: oops',
          {
            details: { exitCode: 1, signal: null, stderrTail: ['oops'] },
          },
        ),
      ),
    ).toEqual({
      code: JsonRpcCode.ConnectionClosed,
      message: 'The backend process exited',
      data: { code: 'CHILD_EXITED' },
    });
    expect(
      toJsonRpcError(new SwitchboardError('SPAWN_FAILED', 'Cannot start "/opt/x": ENOENT')),
    ).toMatchObject({ message: 'The backend process could not be started' });
    // An incident id travels, so the client can quote it to an operator.
    expect(
      toJsonRpcError(
        new SwitchboardError('BACKEND_UNAVAILABLE', 'gone (incident ab12cd34)', {
          details: { incident: 'ab12cd34' },
        }),
      ),
    ).toMatchObject({ data: { code: 'BACKEND_UNAVAILABLE', incident: 'ab12cd34' } });
    // Anything unexpected is an internal error, never a parse/params error.
    expect(toJsonRpcError(new TypeError('undefined is not a function'))).toMatchObject({
      code: JsonRpcCode.InternalError,
      data: { code: 'INTERNAL' },
    });
  });
});
