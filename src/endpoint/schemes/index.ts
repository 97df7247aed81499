import type { EndpointScheme } from '../scheme.js';
import { httpScheme, httpsScheme } from './http.js';
import { memoryScheme } from './memory.js';
import { redisScheme, redissScheme } from './redis.js';
import { sseHttpScheme, sseHttpsScheme } from './sse.js';
import { stdioScheme } from './stdio.js';
import { tcpScheme } from './tcp.js';
import { tlsScheme } from './tls.js';
import { unixScheme } from './unix.js';
import { wsScheme, wssScheme } from './websocket.js';

/**
 * The endpoint registry: scheme name → implementation. A new transport registers by adding one entry
 * here (one file per scheme in this folder); nothing else dispatches on scheme names.
 */
export const schemes: Readonly<Record<string, EndpointScheme>> = {
  [httpScheme.name]: httpScheme,
  [httpsScheme.name]: httpsScheme,
  [memoryScheme.name]: memoryScheme,
  [redisScheme.name]: redisScheme,
  [redissScheme.name]: redissScheme,
  [sseHttpScheme.name]: sseHttpScheme,
  [sseHttpsScheme.name]: sseHttpsScheme,
  [stdioScheme.name]: stdioScheme,
  [tcpScheme.name]: tcpScheme,
  [tlsScheme.name]: tlsScheme,
  [unixScheme.name]: unixScheme,
  [wsScheme.name]: wsScheme,
  [wssScheme.name]: wssScheme,
};
