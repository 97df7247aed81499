// The scenario registry: one module per scenario, listed here once, in run order. A new scenario
// is a new file in this folder plus one line below.
import adapters from './adapters.js';
import concurrency from './concurrency.js';
import gateway from './gateway.js';
import eraBridge from './era-bridge.js';
import eraBytes from './era-bytes.js';
import http from './http.js';
import legacySse from './legacy-sse.js';
import payload from './payload.js';
import proxyOurs from './proxy-ours.js';
import proxyPeersExtra from './proxy-peers-extra.js';
import proxyPeers from './proxy-peers.js';
import proxyShared from './proxy-shared.js';
import rawHttp from './raw-http.js';
import rawLegacySse from './raw-legacy-sse.js';
import rawPipe from './raw-pipe.js';
import rawSocket from './raw-socket.js';
import rawWs from './raw-ws.js';
import sdkHttp from './sdk-http.js';
import sdkStdio from './sdk-stdio.js';
import sessions from './sessions.js';
import stdio from './stdio.js';
import tcp from './tcp.js';
import unix from './unix.js';
import ws from './ws.js';

/**
 * Run order matters on a shared machine: each raw limit runs right before the transports compared
 * with it, so that a ratio compares measurements seconds apart (the report groups them by kind).
 * @type {import('./cases.js').Scenario[]}
 */
export const scenarios = [
  rawPipe,
  stdio,
  rawSocket,
  tcp,
  unix,
  rawWs,
  ws,
  rawLegacySse,
  legacySse,
  sdkStdio,
  sdkHttp,
  rawHttp,
  http,
  proxyOurs,
  proxyShared,
  gateway,
  proxyPeers,
  proxyPeersExtra,
  payload,
  concurrency,
  sessions,
  eraBridge,
  eraBytes,
  adapters,
];
