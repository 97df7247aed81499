/**
 * Hostile HTTP/1.1 requests as raw bytes: odd request targets (`//`, `//[`, `/\`, `%`, absolute-form),
 * invalid methods and versions, huge or broken headers, Content-Length together with
 * Transfer-Encoding, WebSocket upgrade headers with junk, and JSON-looking garbage bodies.
 */
import fc from 'fast-check';
import { garbageText } from './json-garbage.js';

const method = fc.constantFrom(
  'GET',
  'POST',
  'DELETE',
  'OPTIONS',
  'HEAD',
  'PUT',
  'CONNECT',
  'PRI',
  'get',
  'G ET',
  'GET\u0000',
  'M'.repeat(300),
  '',
);

const target = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('//', '//[', '/\\', '%', 'http://[', '//[::1') },
  fc.constantFrom(
    '/',
    '//',
    '//[',
    '//[::1',
    '/\\',
    '/\\\\evil',
    '%',
    '/%',
    '/%zz',
    '/%00',
    '*',
    'http://[',
    'http://x/mcp',
    'https://[::1/',
    'http://127.0.0.1/healthz',
    '//x@y/',
    '/mcp',
    '/mcp?%',
    '/mcp?sessionId=%zz',
    '/messages?sessionId=',
    '/messages?sessionId=%ff',
    '/sse',
    '/healthz',
    '/readyz',
    '/metrics',
    '/./healthz',
    '/../../etc/passwd',
    '/mcp#frag',
    'mcp',
    '',
  ),
  fc.integer({ min: 1_000, max: 20_000 }).map((n) => '/' + 'a'.repeat(n)),
  fc.string({ maxLength: 30 }).map((s) => '/' + s.replace(/[\r\n ]/g, '')),
);

const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', 'HTTP/9', '');

const header = fc.oneof(
  fc.constantFrom(
    'Host: 127.0.0.1',
    'Host: [',
    'Host: ',
    'Host: a\u0000b',
    'Content-Length: 5',
    'Content-Length: -1',
    'Content-Length: 99999999999999999999',
    'Content-Length: 3\r\nContent-Length: 4',
    'Transfer-Encoding: chunked',
    'Transfer-Encoding: chunked, identity',
    'Transfer-Encoding: xchunked',
    'Content-Type: application/json',
    'Content-Type: text/plain',
    'Accept: application/json, text/event-stream',
    'Accept: text/event-stream',
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Key: !!!',
    'Sec-WebSocket-Protocol: mcp',
    'Sec-WebSocket-Protocol: , ,',
    'Origin: null',
    'Origin: http://[',
    'Origin: http://evil.example',
    'Mcp-Session-Id: ../../x',
    'Mcp-Protocol-Version: 2026-07-28',
    'Mcp-Protocol-Version: 1999-01-01',
    'Mcp-Method: tools/call',
    'Authorization: Bearer ' + 'x'.repeat(64),
    ' folded: continuation',
    'No-Colon-Header',
    ': empty-name',
    'X-Bad\u0001: y',
  ),
  fc.integer({ min: 8_000, max: 70_000 }).map((n) => `X-Huge: ${'h'.repeat(n)}`),
);

const body = fc.oneof(
  fc.constant(''),
  garbageText,
  fc.constantFrom('5\r\nhello\r\n0\r\n\r\n', 'zz\r\nbad chunk\r\n', '0\r\n\r\n', '{"jsonrpc":"2.0"'),
);

const plausibleHeader = fc.constantFrom(
  'Content-Type: application/json',
  'Accept: application/json, text/event-stream',
  'Accept: text/event-stream',
  'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Protocol: mcp',
  'Origin: http://127.0.0.1',
  'Mcp-Protocol-Version: 2026-07-28',
  'Connection: keep-alive',
);

/**
 * A request Node's parser accepts (valid method, version and headers), so that it reaches the
 * listener's own code — with an odd target: where `//` and `//[` used to end the process.
 */
const wellFormed: fc.Arbitrary<Buffer> = fc
  .tuple(
    fc.constantFrom('GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE'),
    target,
    fc.constantFrom('HTTP/1.1', 'HTTP/1.0'),
    fc.array(plausibleHeader, { maxLength: 3 }),
    body,
  )
  .map(([m, t, v, hs, b]) => {
    const headers = ['Host: 127.0.0.1', ...hs, `Content-Length: ${Buffer.byteLength(b)}`];
    return Buffer.from(`${m} ${t} ${v}\r\n${headers.join('\r\n')}\r\n\r\n${b}`, 'utf8');
  });

/** Anything goes: broken methods, versions, headers, framing; sometimes cut short. */
const malformed: fc.Arbitrary<Buffer> = fc
  .tuple(
    method,
    target,
    version,
    fc.array(header, { maxLength: 8 }),
    body,
    fc.constantFrom('\r\n', '\n', '\r\n\r\n'),
    fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  )
  .map(([m, t, v, hs, b, eol, cut]) => {
    const text = `${m} ${t} ${v}\r\n${hs.join('\r\n')}${hs.length > 0 ? '\r\n' : ''}\r\n${b}${eol}`;
    const bytes = Buffer.from(text, 'utf8');
    return cut === undefined ? bytes : bytes.subarray(0, Math.floor(bytes.length * cut));
  });

/** One hostile request as raw bytes: well-formed with odd parts, or malformed throughout. */
export const rawHttpRequest: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 3, arbitrary: wellFormed },
  { weight: 2, arbitrary: malformed },
);
