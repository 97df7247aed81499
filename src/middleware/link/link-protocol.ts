import { randomBytes } from 'node:crypto';
import type { JSONRPCMessage, JSONRPCNotification } from '../../protocol/messages.js';
import type { LinkCodecName } from './link-codecs.js';
import type { SealedFrame } from './link-sealer.js';

/**
 * The wire of a switchboard link: three JSON-RPC notifications, so a link runs over any transport
 * (TCP, TLS, Unix, WebSocket, stdio) unchanged and its frames stay one message each.
 *
 * - `switchboard/link` — the handshake: the dialler's `hello` (codecs it decodes, batching, its salt,
 *   whether it seals), the acceptor's `accept` (the codec both use, batching, its salt) or `refuse`.
 * - `switchboard/frame` — `{ c: codec, d: base64 }`: one message, or a JSON array of messages (a batch),
 *   compressed with `c`.
 * - `switchboard/sealed` — `{ k: key id, n: counter, d: base64(AES-256-GCM(codec byte ‖ payload) ‖ tag) }`.
 */
export const LinkMethod = {
  handshake: 'switchboard/link',
  frame: 'switchboard/frame',
  sealed: 'switchboard/sealed',
} as const;

/** Version of the link protocol. */
export const LINK_VERSION = 1;

export interface LinkHello {
  codecs: LinkCodecName[];
  batch: boolean;
  sealed: boolean;
  salt: string;
}

export interface LinkAccept {
  codec: LinkCodecName;
  batch: boolean;
  sealed: boolean;
  salt: string;
}

/** A fresh 16-byte handshake salt. */
export const newSalt = (): Buffer => randomBytes(16);

export function helloMessage(hello: LinkHello): JSONRPCNotification {
  return { jsonrpc: '2.0', method: LinkMethod.handshake, params: { v: LINK_VERSION, hello: { ...hello } } };
}

export function acceptMessage(accept: LinkAccept): JSONRPCNotification {
  return { jsonrpc: '2.0', method: LinkMethod.handshake, params: { v: LINK_VERSION, accept: { ...accept } } };
}

export function refuseMessage(reason: string): JSONRPCNotification {
  return { jsonrpc: '2.0', method: LinkMethod.handshake, params: { v: LINK_VERSION, refuse: reason } };
}

export function sealedMessage(frame: SealedFrame): JSONRPCNotification {
  return { jsonrpc: '2.0', method: LinkMethod.sealed, params: { ...frame } };
}

export function frameMessage(codec: LinkCodecName, data: Buffer): JSONRPCNotification {
  return { jsonrpc: '2.0', method: LinkMethod.frame, params: { c: codec, d: data.toString('base64') } };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The handshake payload of a `switchboard/link` message, validated. */
export function parseHandshake(
  message: JSONRPCMessage,
): { hello: LinkHello } | { accept: LinkAccept } | { refuse: string } | undefined {
  const p = message.params;
  if (!isRecord(p) || p.v !== LINK_VERSION) return undefined;
  if (typeof p.refuse === 'string') return { refuse: p.refuse };
  const body = isRecord(p.hello) ? p.hello : isRecord(p.accept) ? p.accept : undefined;
  if (
    body === undefined ||
    typeof body.salt !== 'string' ||
    typeof body.batch !== 'boolean' ||
    typeof body.sealed !== 'boolean'
  ) {
    return undefined;
  }
  if (isRecord(p.hello)) {
    if (!Array.isArray(body.codecs) || !body.codecs.every((c) => typeof c === 'string')) return undefined;
    return {
      hello: {
        codecs: body.codecs as LinkCodecName[],
        batch: body.batch,
        sealed: body.sealed,
        salt: body.salt,
      },
    };
  }
  if (typeof body.codec !== 'string') return undefined;
  return {
    accept: { codec: body.codec as LinkCodecName, batch: body.batch, sealed: body.sealed, salt: body.salt },
  };
}

/** The fields of a `switchboard/sealed` message, validated. */
export function parseSealed(message: JSONRPCMessage): SealedFrame | undefined {
  const p = message.params;
  if (!isRecord(p) || typeof p.k !== 'string' || typeof p.n !== 'number' || typeof p.d !== 'string')
    return undefined;
  return { k: p.k, n: p.n, d: p.d };
}

/** The fields of a `switchboard/frame` message, validated. */
export function parseFrame(message: JSONRPCMessage): { c: string; d: string } | undefined {
  const p = message.params;
  if (!isRecord(p) || typeof p.c !== 'string' || typeof p.d !== 'string') return undefined;
  return { c: p.c, d: p.d };
}
