import { ProtocolError, SdkError, SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '../../src/errors.js';
import { classifyFailure, describeFailure } from '../../src/introspect/failure.js';

describe('classifyFailure', () => {
  it('sorts usage, auth, unreachable and server failures', () => {
    expect(classifyFailure(new SwitchboardError('INVALID_URI', 'x'), 'connect')).toBe('usage');
    expect(classifyFailure(new SwitchboardError('AUTH_REQUIRED', 'x'), 'connect')).toBe('auth');
    expect(
      classifyFailure(new SwitchboardError('HTTP_ERROR', 'x', { details: { status: 403 } }), 'request'),
    ).toBe('auth');
    expect(
      classifyFailure(new SwitchboardError('HTTP_ERROR', 'x', { details: { status: 502 } }), 'connect'),
    ).toBe('server');
    expect(
      classifyFailure(new SwitchboardError('HTTP_ERROR', 'x', { details: { status: 404 } }), 'connect'),
    ).toBe('unreachable');
    expect(
      classifyFailure(
        new SdkHttpError(SdkErrorCode.ClientHttpAuthentication, 'no', {
          status: 401,
          statusText: 'Unauthorized',
        }),
        'connect',
      ),
    ).toBe('auth');
    expect(classifyFailure(new SwitchboardError('SPAWN_FAILED', 'x'), 'connect')).toBe('unreachable');
    expect(classifyFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), 'connect')).toBe(
      'unreachable',
    );
    expect(classifyFailure(new ProtocolError(-32603, 'boom'), 'request')).toBe('server');
    expect(classifyFailure(new SdkError(SdkErrorCode.RequestTimeout, 't'), 'connect')).toBe('unreachable');
    expect(classifyFailure(new SdkError(SdkErrorCode.RequestTimeout, 't'), 'request')).toBe('server');
    expect(classifyFailure(new SdkError(SdkErrorCode.ConnectionClosed, 'c'), 'request')).toBe('unreachable');
    expect(classifyFailure(new Error('?'), 'connect')).toBe('unreachable');
    expect(classifyFailure(new Error('?'), 'request')).toBe('server');
  });

  it('looks through the cause chain (auth first)', () => {
    const wrapped = new SdkError(SdkErrorCode.ConnectionClosed, 'closed', undefined, {
      cause: new SwitchboardError('AUTH_REQUIRED', '401'),
    });
    expect(classifyFailure(wrapped, 'connect')).toBe('auth');
    const cyclic: Error & { cause?: unknown } = new Error('loop');
    cyclic.cause = cyclic;
    expect(classifyFailure(cyclic, 'request')).toBe('server');
  });
});

describe('describeFailure', () => {
  it('adds exit code, last stderr line and JSON-RPC code', () => {
    const child = new SwitchboardError('CHILD_EXITED', 'child exited', {
      details: { exitCode: 3, signal: null, stderrTail: ['starting', 'Error: no config', ''] },
    });
    expect(describeFailure(child)).toBe('child exited (exit code 3; stderr: Error: no config)');
    expect(describeFailure(new Error('outer', { cause: new ProtocolError(-32601, 'nope') }))).toBe(
      'outer (JSON-RPC error -32601)',
    );
  });
});
