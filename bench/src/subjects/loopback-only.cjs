// Preloaded (NODE_OPTIONS=--require) into peers that cannot be told which address to bind
// (supergateway listens on every interface): a listen() without a host binds to 127.0.0.1 instead,
// so the benchmark never opens a port beyond the loopback. It changes nothing else.
'use strict';
const net = require('node:net');

const listen = net.Server.prototype.listen;
/** @param {any[]} args */
net.Server.prototype.listen = function (...args) {
  const [first, second] = args;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof second !== 'string') args.splice(1, 0, '127.0.0.1');
  } else if (first && typeof first === 'object' && first.path === undefined && first.host === undefined) {
    args[0] = { ...first, host: '127.0.0.1' };
  }
  return listen.apply(this, /** @type {any} */ (args));
};
