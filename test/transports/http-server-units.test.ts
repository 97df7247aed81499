/**
 * Small pure parts of the HTTP listener: header value encoding, Accept parsing, Host/Origin policy,
 * era detection and `x-mcp-header` discovery.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptable, isJsonContentType } from '../../src/transports/http/server/content-negotiation.js';
import { edgePolicy, hostnameOf, isLoopbackHost } from '../../src/transports/http/server/edge-guard.js';
import { detectEra } from '../../src/transports/http/server/era-detection.js';
import { EPOCH_SPAN, formatEventId, parseEventId } from '../../src/transports/http/server/event-store.js';
import { asChunk } from '../../src/transports/http/server/http-reply.js';
import { scanParamHeaders, ToolHeaderRegistry } from '../../src/transports/http/server/tool-headers.js';
import { decodeHeaderValue, encodeHeaderValue } from '../../src/transports/http/shared/header-value.js';

describe('Mcp-Name / Mcp-Param value encoding', () => {
  it('follows the spec examples', () => {
    expect(encodeHeaderValue('us-west1')).toBe('us-west1');
    expect(encodeHeaderValue('Hello, 世界')).toBe('=?base64?SGVsbG8sIOS4lueVjA==?=');
    expect(encodeHeaderValue(' padded ')).toBe('=?base64?IHBhZGRlZCA=?=');
    expect(encodeHeaderValue('line1\nline2')).toBe('=?base64?bGluZTEKbGluZTI=?=');
    expect(encodeHeaderValue('=?base64?literal?=')).toBe('=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=');
  });

  it('round-trips any string and refuses malformed sentinels and control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (v) => decodeHeaderValue(encodeHeaderValue(v)) === v),
    );
    expect(decodeHeaderValue('=?base64?!!!?=')).toBeUndefined();
    expect(decodeHeaderValue('=?base64?/w==?=')).toBeUndefined(); // not UTF-8
    expect(decodeHeaderValue('a\u0001b')).toBeUndefined();
  });
});

describe('small answer bodies as text', () => {
  it('gives valid UTF-8 as the text of the very same bytes, anything else (or large) as the Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.string({ unit: 'binary' }), (bytes, text) => {
        for (const b of [Buffer.from(bytes), Buffer.from(text, 'utf8')]) {
          const chunk = asChunk(b);
          if (typeof chunk === 'string') expect(Buffer.from(chunk, 'utf8').equals(b)).toBe(true);
          else expect(chunk).toBe(b);
        }
      }),
    );
    expect(asChunk(Buffer.from([0x22, 0xff, 0x22]))).toBeInstanceOf(Buffer);
    expect(asChunk(Buffer.from('"\u2028 é"'))).toBe('"\u2028 é"');
    expect(asChunk(Buffer.alloc(64 * 1024, 0x61))).toBeInstanceOf(Buffer);
  });
});

describe('content negotiation', () => {
  it('reads Accept leniently but exactly', () => {
    expect(acceptable(undefined)).toEqual({ json: true, sse: true });
    expect(acceptable('application/json, text/event-stream')).toEqual({ json: true, sse: true });
    expect(acceptable('text/event-stream')).toEqual({ json: false, sse: true });
    expect(acceptable('application/json;q=0.9')).toEqual({ json: true, sse: false });
    expect(acceptable('*/*')).toEqual({ json: true, sse: true });
    expect(acceptable('text/html')).toEqual({ json: false, sse: false });
    expect(acceptable('text/event-stream;q=0, application/json')).toEqual({ json: true, sse: false });
    expect(isJsonContentType('Application/JSON; charset=utf-8')).toBe(true);
    expect(isJsonContentType('application/jsonp')).toBe(false);
  });
});

describe('Host and Origin policy', () => {
  it('defaults to loopback-only for loopback binds and any host otherwise', () => {
    expect(isLoopbackHost('127.0.0.5')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
    expect(hostnameOf('[::1]:8080')).toBe('[::1]');
    expect(hostnameOf('LocalHost:80')).toBe('localhost');
    const loop = edgePolicy('127.0.0.1', undefined, undefined);
    expect(loop.hosts !== '*' && loop.hosts.has('localhost')).toBe(true);
    expect(loop.loopbackOrigins).toBe(true);
    const open = edgePolicy('0.0.0.0', undefined, undefined);
    expect(open.hosts).toBe('*');
    expect(open.loopbackOrigins).toBe(false);
  });
});

describe('era detection', () => {
  const eras = { session: true, stateless: true };
  it('uses the header first, then the body claim, assuming 2025-03-26 otherwise', () => {
    expect(detectEra({}, '2026-07-28', eras)).toBe('stateless');
    expect(detectEra({}, '2025-06-18', eras)).toBe('session');
    expect(
      detectEra(
        { params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } } },
        undefined,
        eras,
      ),
    ).toBe('stateless');
    expect(detectEra({ method: 'initialize', params: {} }, undefined, eras)).toBe('session');
    expect(detectEra({}, '1.0', eras)).toMatchObject({ status: 400, code: -32022 });
    expect(detectEra({}, '2026-07-28', { session: true, stateless: false })).toMatchObject({
      code: -32022,
      data: { supported: ['2025-11-25', '2025-06-18', '2025-03-26'] },
    });
  });

  it('event ids encode the stream', () => {
    expect(parseEventId(formatEventId(3, 17))).toEqual({ streamId: 3, seq: 17 });
    expect(parseEventId('abc')).toBeUndefined();
    // An epoch's numbers (up to 16 digits) parse; beyond safe integers they do not.
    const big = 900_719 * EPOCH_SPAN + 12;
    expect(parseEventId(formatEventId(big, big))).toEqual({ streamId: big, seq: big });
    expect(parseEventId('9999999999999999-1')).toBeUndefined();
    expect(parseEventId('1-12345678901234567')).toBeUndefined();
  });
});

describe('x-mcp-header discovery', () => {
  it('finds annotated primitives reachable through properties only', () => {
    const schema = {
      type: 'object',
      properties: {
        region: { type: 'string', 'x-mcp-header': 'Region' },
        nested: { type: 'object', properties: { tenant: { type: 'integer', 'x-mcp-header': 'Tenant' } } },
        list: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Item' } },
        weight: { type: 'number', 'x-mcp-header': 'Weight' },
      },
    };
    expect(scanParamHeaders(schema)).toEqual([
      { header: 'mcp-param-region', path: ['region'] },
      { header: 'mcp-param-tenant', path: ['nested', 'tenant'] },
    ]);
    const registry = new ToolHeaderRegistry(2);
    registry.learn({ tools: [{ name: 'a', inputSchema: schema }, { name: 'b' }, { name: 'c' }] });
    expect(registry.declarations('a')).toBeUndefined(); // bounded: the oldest was forgotten
    expect(registry.declarations('c')).toEqual([]);
  });
});
