import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { descendants } from './proc-tree.js';

/**
 * Whether a process tree owns a socket listening on a TCP port (Linux /proc). The box is shared: a
 * port picked free a moment ago may be taken by someone else's server, and the bench must never send
 * its load there; so readiness is "our process listens", not "something accepts".
 * @param {number} port
 * @param {number} rootPid
 * @returns {boolean}
 */
export function treeListensOn(port, rootPid) {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return false;
  for (const pid of [rootPid, ...descendants(rootPid)]) {
    let fds;
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match?.[1] && inodes.has(match[1])) return true;
      } catch {
        // the descriptor closed meanwhile
      }
    }
  }
  return false;
}

/**
 * Inodes of the sockets in LISTEN state on a local port (IPv4 and IPv6).
 * @param {number} port
 * @returns {Set<string>}
 */
function listeningInodes(port) {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  /** @type {Set<string>} */
  const out = new Set();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[1] local address, f[3] state (0A = LISTEN), f[9] inode
      if (f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A' && f[9]) out.add(f[9]);
    }
  }
  return out;
}
