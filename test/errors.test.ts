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
    expect(
      toJsonRpcError(
        new SwitchboardError('CHILD_EXITED', 'died', {
          details: { exitCode: 1, signal: null, stderrTail: ['oops'] },
        }),
      ),
    ).toEqual({
      code: JsonRpcCode.ConnectionClosed,
      message: 'died',
      data: { code: 'CHILD_EXITED', exitCode: 1, signal: null, stderrTail: ['oops'] },
    });
    // Anything unexpected is an internal error, never a parse/params error.
    expect(toJsonRpcError(new TypeError('undefined is not a function'))).toMatchObject({
      code: JsonRpcCode.InternalError,
      data: { code: 'INTERNAL' },
    });
  });
});
