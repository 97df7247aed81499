import { ProtocolError, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { ArgumentValidator } from '../../src/adapters/argument-validator.js';
import { mapContentBlock, toolErrorMessage, toolResponseBody } from '../../src/adapters/content-mapping.js';
import { mapError, statusOfJsonRpcError } from '../../src/adapters/error-status.js';
import { SwitchboardError } from '../../src/errors.js';
import type { ToolEntry } from '../../src/introspect/report.js';

describe('tool result mapping', () => {
  it('prefers structuredContent; maps one block to its value, several to an array, none to null', () => {
    expect(toolResponseBody({ content: [{ type: 'text', text: 'x' }], structuredContent: { a: 1 } })).toEqual(
      { a: 1 },
    );
    expect(toolResponseBody({ content: [{ type: 'text', text: 'plain' }] })).toBe('plain');
    expect(toolResponseBody({ content: [] })).toBeNull();
    expect(
      toolResponseBody({
        content: [
          { type: 'text', text: ' {"a": [1, 2]} ' },
          { type: 'text', text: '42' },
          { type: 'text', text: 'true' },
          { type: 'text', text: '"quoted"' },
          { type: 'text', text: '{not json' },
          { type: 'text', text: 'nothing' },
        ],
      }),
    ).toEqual([{ a: [1, 2] }, 42, true, 'quoted', '{not json', 'nothing']);
  });

  it('shows images and audio as data: URIs, or as MCP objects on request; keeps resources', () => {
    const image = { type: 'image' as const, data: 'AAAA', mimeType: 'image/png' };
    expect(mapContentBlock(image)).toBe('data:image/png;base64,AAAA');
    expect(mapContentBlock(image, 'object')).toEqual(image);
    expect(mapContentBlock({ type: 'audio', data: 'BBBB', mimeType: 'audio/wav' })).toBe(
      'data:audio/wav;base64,BBBB',
    );
    const link = { type: 'resource_link' as const, uri: 'x://a', name: 'a' };
    expect(mapContentBlock(link)).toEqual(link);
    const embedded = { type: 'resource' as const, resource: { uri: 'x://a', text: 't' } };
    expect(mapContentBlock(embedded)).toEqual(embedded);
  });

  it('takes the error message of an isError result from its text', () => {
    expect(
      toolErrorMessage({
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
        isError: true,
      }),
    ).toBe('a\nb');
    expect(toolErrorMessage({ content: [], isError: true })).toBe('The tool reported an error');
    expect(
      toolErrorMessage({ content: [{ type: 'text', text: 'x'.repeat(5000) }], isError: true }),
    ).toHaveLength(4096);
  });
});

describe('error mapping', () => {
  it.each([
    [-32700, undefined, 400],
    [-32600, undefined, 400],
    [-32601, undefined, 404],
    [-32002, undefined, 404],
    [-32602, undefined, 422],
    [-32603, undefined, 500],
    [-32001, undefined, 408],
    [-32001, { code: 'UPSTREAM_TIMEOUT' }, 504],
    [-32000, { code: 'CHILD_EXITED' }, 503],
    [-32000, { code: 'BACKEND_UNAVAILABLE' }, 503],
    [-32000, { code: 'CIRCUIT_OPEN' }, 503],
    [-32000, undefined, 502],
    [-32003, { code: 'POLICY_DENIED' }, 403],
    [-32004, { code: 'RATE_LIMITED', retryAfterMs: 2500 }, 429],
    [-32022, undefined, 502],
    [12345, undefined, 502],
  ])('JSON-RPC %i (data %j) → %i', (code, data, status) => {
    expect(statusOfJsonRpcError(code, data)).toBe(status);
  });

  it('puts Retry-After on 429 and 503, from data.retryAfterMs', () => {
    expect(
      mapError(new ProtocolError(-32004, 'slow down', { code: 'RATE_LIMITED', retryAfterMs: 2500 })).headers,
    ).toEqual({
      'retry-after': '3',
    });
    const unavailable = mapError(
      new SwitchboardError('BACKEND_UNAVAILABLE', 'down', { details: { retryAfterMs: 4000 } }),
    );
    expect(unavailable).toMatchObject({ status: 503, headers: { 'retry-after': '4' }, unavailable: true });
    expect(mapError(new ProtocolError(-32602, 'bad', { why: 1 })).error).toEqual({
      code: -32602,
      message: 'bad',
      data: { why: 1 },
    });
  });

  it('maps the client’s own failures: timeout 504, lost connection 503, invalid answer 502, anything else 500', () => {
    expect(mapError(new SdkError(SdkErrorCode.RequestTimeout, 't')).status).toBe(504);
    expect(mapError(new SdkError(SdkErrorCode.ConnectionClosed, 'c'))).toMatchObject({
      status: 503,
      unavailable: true,
    });
    expect(mapError(new SdkError(SdkErrorCode.InvalidResult, 'i')).status).toBe(502);
    expect(mapError(new Error('boom'))).toMatchObject({ status: 500, error: { message: 'Internal error' } });
  });
});

describe('argument validation', () => {
  const tool = (inputSchema: Record<string, unknown>): ToolEntry => ({
    name: `t${Math.random()}`,
    inputSchema,
  });

  it('follows draft-07 definitions and 2020-12 $defs, with formats', () => {
    const validator = new ArgumentValidator();
    const draft7 = tool({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        when: { $ref: '#/definitions/When' },
        pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }] },
      },
      definitions: { When: { type: 'string', format: 'date' } },
    });
    expect(validator.check(draft7, { when: '2025-01-02', pair: ['a', 1] })).toBeUndefined();
    expect(
      validator
        .check(draft7, { when: 'soon', pair: ['a', 'b'] })
        ?.map((i) => `${i.instancePath} ${i.keyword}`)
        .sort(),
    ).toEqual(['/pair/1 type', '/when format']);
    const modern = tool({
      type: 'object',
      properties: { tags: { type: 'array', items: { $ref: '#/$defs/Tag' }, maxItems: 2 } },
      $defs: { Tag: { type: 'string', enum: ['a', 'b'] } },
    });
    expect(validator.check(modern, { tags: ['a'] })).toBeUndefined();
    expect(
      validator
        .check(modern, { tags: ['c', 'a', 'b'] })
        ?.map((i) => i.keyword)
        .sort(),
    ).toEqual(['enum', 'maxItems']);
  });

  it('does not enforce a schema ajv cannot compile, and says so once', () => {
    const warnings: string[] = [];
    const validator = new ArgumentValidator((name) => warnings.push(name));
    const broken = tool({ type: 'object', properties: { a: { $ref: '#/$defs/Missing' } } });
    expect(validator.check(broken, { a: 1 })).toBeUndefined();
    expect(validator.check(broken, { a: 2 })).toBeUndefined();
    expect(warnings).toEqual([broken.name]);
  });

  it('reports at most 20 issues', () => {
    const properties = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`p${i}`, { type: 'string' }]),
    );
    const many = tool({ type: 'object', properties, required: Object.keys(properties) });
    expect(new ArgumentValidator().check(many, {})).toHaveLength(20);
  });
});
