import diagnosticsChannel from 'node:diagnostics_channel';
import { SwitchboardError, toJsonRpcError, toSwitchboardError } from '../../errors.js';
import { ChannelName } from '../../observability/channels.js';
import {
  errorResponse,
  invalidMessageReason,
  isRequest,
  type JSONRPCMessage,
} from '../../protocol/messages.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../../transport.js';
import { TransportDecorator } from '../transport-decorator.js';
import { availableCodecs, codecOf, type LinkCodec, type LinkCodecName } from './link-codecs.js';
import type { LinkKey } from './link-keys.js';
import {
  LinkMethod,
  acceptMessage,
  frameMessage,
  helloMessage,
  newSalt,
  parseFrame,
  parseHandshake,
  parseSealed,
  refuseMessage,
  sealedMessage,
  type LinkHello,
} from './link-protocol.js';
import { LinkSealer } from './link-sealer.js';

/** Settings of a link, resolved from the options of `link()`. */
export interface LinkSettings {
  role: 'dialer' | 'acceptor';
  /** Codecs offered (dialler) or accepted (acceptor), in order of preference; `[]` = no compression. */
  codecs: readonly LinkCodecName[];
  compressMinBytes: number;
  batching: boolean;
  maxBatchBytes: number;
  keys: readonly LinkKey[];
  /** Acceptor: refuse peers that do not open a link (plain MCP clients). */
  requireLink: boolean;
  maxDecompressedBytes: number;
  handshakeTimeoutMs: number;
  onRejected: ((reason: string) => void) | undefined;
}

interface Mode {
  codec: LinkCodec;
  batch: boolean;
  sealer: LinkSealer | undefined;
}

interface Batch {
  texts: string[];
  messages: JSONRPCMessage[];
  bytes: number;
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

const linkRejected = diagnosticsChannel.channel(ChannelName.linkRejected);

/**
 * One end of a switchboard-to-switchboard link (see `link()`): handshake, then every message in a
 * compressed, optionally batched, optionally sealed frame. An acceptor whose peer sends a plain first
 * message serves it as a plain MCP peer unless the link is required (always when encryption is on).
 */
export class LinkTransport extends TransportDecorator {
  readonly #s: LinkSettings;
  /** `undefined` while the handshake has not happened; `null` for a plain (non-link) peer. */
  #mode: Mode | null | undefined;
  #pendingAccept: { resolve: () => void; reject: (e: Error) => void } | undefined;
  #batch: Batch | undefined;
  #failed = false;

  /** @param inner - the transport to the other switchboard */
  constructor(inner: Transport, settings: LinkSettings) {
    super(inner);
    this.#s = settings;
  }

  /** The negotiated codec, `null` for a plain peer, `undefined` before the handshake. */
  get codec(): LinkCodecName | null | undefined {
    return this.#mode === null ? null : this.#mode?.codec.name;
  }

  override async start(): Promise<void> {
    await this.inner.start();
    if (this.#s.role !== 'dialer') return;
    const salt = newSalt();
    const hello: LinkHello = {
      codecs: [...this.#s.codecs],
      batch: this.#s.batching,
      sealed: this.#s.keys.length > 0,
      salt: salt.toString('base64'),
    };
    let timer: NodeJS.Timeout | undefined;
    const accepted = new Promise<void>((resolve, reject) => {
      this.#pendingAccept = { resolve, reject };
      timer = setTimeout(
        () =>
          reject(
            new SwitchboardError(
              'LINK_FAILED',
              `Link handshake: no answer within ${this.#s.handshakeTimeoutMs} ms`,
            ),
          ),
        this.#s.handshakeTimeoutMs,
      );
    });
    this.#helloSalt = salt;
    try {
      await this.inner.send(helloMessage(hello));
      await accepted;
    } catch (error) {
      await this.inner.close().catch(() => undefined);
      throw toSwitchboardError(error, 'LINK_FAILED');
    } finally {
      clearTimeout(timer);
      this.#pendingAccept = undefined;
    }
  }

  #helloSalt: Buffer | undefined;

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const mode = this.#mode;
    if (mode === null) return this.inner.send(message, options);
    if (mode === undefined) {
      if (this.#s.requireLink || this.#s.role === 'dialer') {
        return Promise.reject(new SwitchboardError('LINK_FAILED', 'The link is not established yet'));
      }
      return this.inner.send(message, options);
    }
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      return Promise.reject(toSwitchboardError(error));
    }
    if (!mode.batch) return this.#sendFrame(mode, [text], message);
    return new Promise<void>((resolve, reject) => {
      let batch = this.#batch;
      if (batch === undefined) {
        batch = { texts: [], messages: [], bytes: 0, waiters: [] };
        this.#batch = batch;
        queueMicrotask(() => this.#flush(batch as Batch));
      }
      batch.texts.push(text);
      batch.messages.push(message);
      batch.bytes += text.length;
      batch.waiters.push({ resolve, reject });
      if (batch.bytes >= this.#s.maxBatchBytes) this.#flush(batch);
    });
  }

  #flush(batch: Batch): void {
    if (this.#batch !== batch) return;
    this.#batch = undefined;
    const mode = this.#mode as Mode;
    this.#sendFrame(mode, batch.texts, batch.messages.length === 1 ? batch.messages[0] : undefined).then(
      () => batch.waiters.forEach((w) => w.resolve()),
      (error: unknown) => batch.waiters.forEach((w) => w.reject(error)),
    );
  }

  #sendFrame(mode: Mode, texts: readonly string[], single: JSONRPCMessage | undefined): Promise<void> {
    const text = texts.length === 1 ? (texts[0] as string) : `[${texts.join(',')}]`;
    const compress = text.length >= this.#s.compressMinBytes;
    if (!mode.sealer && single !== undefined && (!compress || mode.codec.name === 'identity')) {
      // Small single message on an unsealed link: the plain message is the smallest frame.
      return this.inner.send(single);
    }
    const codec = compress ? mode.codec : (codecOf('identity') as LinkCodec);
    let body: Buffer;
    try {
      body = codec.compress(Buffer.from(text));
    } catch (error) {
      return Promise.reject(new SwitchboardError('LINK_FAILED', 'Compression failed', { cause: error }));
    }
    if (mode.sealer) {
      const plaintext = Buffer.concat([Buffer.from([codec.id]), body]);
      return this.inner.send(sealedMessage(mode.sealer.seal(plaintext)));
    }
    return this.inner.send(frameMessage(codec.name, body));
  }

  protected override receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (this.#failed) return;
    if (message.method === LinkMethod.handshake) {
      this.#handshake(message);
      return;
    }
    const mode = this.#mode;
    if (mode === undefined && this.#s.role === 'acceptor') {
      if (this.#s.requireLink) {
        this.#reject(
          'not-a-link',
          'A plain MCP peer connected to a link that requires the switchboard link protocol',
          message,
        );
        return;
      }
      this.#mode = null;
    }
    if (!mode) {
      this.deliver(message, extra);
      return;
    }
    let payload: Buffer;
    try {
      if (mode.sealer) {
        const sealed = message.method === LinkMethod.sealed ? parseSealed(message) : undefined;
        if (sealed === undefined)
          throw new SwitchboardError('LINK_FAILED', 'Unsealed frame on an encrypted link', {
            details: { reason: 'unsealed' },
          });
        const plaintext = mode.sealer.open(sealed);
        const codec = codecOf(plaintext[0] ?? -1);
        if (codec === undefined)
          throw new SwitchboardError('LINK_FAILED', 'Unknown codec in a sealed frame', {
            details: { reason: 'codec' },
          });
        payload = codec.decompress(plaintext.subarray(1), this.#s.maxDecompressedBytes);
      } else if (message.method === LinkMethod.frame) {
        const frame = parseFrame(message);
        const codec = frame ? codecOf(frame.c) : undefined;
        if (frame === undefined || codec === undefined)
          throw new SwitchboardError('LINK_FAILED', 'Malformed link frame', { details: { reason: 'codec' } });
        payload = codec.decompress(Buffer.from(frame.d, 'base64'), this.#s.maxDecompressedBytes);
      } else {
        this.deliver(message, extra);
        return;
      }
      for (const m of decodePayload(payload)) this.deliver(m, extra);
    } catch (error) {
      const e = toSwitchboardError(error, 'LINK_FAILED');
      const reason = typeof e.details.reason === 'string' ? e.details.reason : 'decode';
      this.#reject(reason, e.message);
    }
  }

  #handshake(message: JSONRPCMessage): void {
    const parsed = parseHandshake(message);
    if (this.#s.role === 'dialer') {
      const pending = this.#pendingAccept;
      if (pending === undefined || parsed === undefined || 'hello' in parsed) return;
      if ('refuse' in parsed) {
        pending.reject(
          new SwitchboardError('LINK_FAILED', `The other switchboard refused the link: ${parsed.refuse}`),
        );
        return;
      }
      const { accept } = parsed;
      const codec = codecOf(accept.codec);
      const wantSealed = this.#s.keys.length > 0;
      if (
        codec === undefined ||
        (accept.codec !== 'identity' && !this.#s.codecs.includes(accept.codec)) ||
        accept.sealed !== wantSealed
      ) {
        pending.reject(
          new SwitchboardError(
            'LINK_FAILED',
            'The other switchboard answered the link handshake with settings we did not offer',
          ),
        );
        return;
      }
      this.#mode = {
        codec,
        batch: accept.batch && this.#s.batching,
        sealer: wantSealed
          ? new LinkSealer(
              this.#s.keys,
              Buffer.concat([this.#helloSalt as Buffer, Buffer.from(accept.salt, 'base64')]),
              'dialer',
            )
          : undefined,
      };
      pending.resolve();
      return;
    }
    if (this.#mode !== undefined || parsed === undefined || !('hello' in parsed)) {
      this.#reject('handshake', 'Unexpected link handshake message');
      return;
    }
    const { hello } = parsed;
    const sealed = this.#s.keys.length > 0;
    if (hello.sealed !== sealed) {
      const why = sealed
        ? 'this switchboard requires an encrypted link'
        : 'this switchboard has no link keys';
      this.inner.send(refuseMessage(why)).catch(() => undefined);
      this.#reject('handshake', `Link refused: ${why}`);
      return;
    }
    const codecName = this.#s.codecs.find((c) => hello.codecs.includes(c)) ?? 'identity';
    const salt = newSalt();
    const mode: Mode = {
      codec: codecOf(codecName) as LinkCodec,
      batch: hello.batch && this.#s.batching,
      sealer: sealed
        ? new LinkSealer(this.#s.keys, Buffer.concat([Buffer.from(hello.salt, 'base64'), salt]), 'acceptor')
        : undefined,
    };
    this.inner
      .send(acceptMessage({ codec: codecName, batch: mode.batch, sealed, salt: salt.toString('base64') }))
      .catch((error: unknown) => this.reportError(toSwitchboardError(error)));
    this.#mode = mode;
  }

  /** Drops the frame, reports why, and closes the link: a link that was tampered with is not trusted again. */
  #reject(reason: string, message: string, request?: JSONRPCMessage): void {
    this.#failed = true;
    const error = new SwitchboardError('LINK_FAILED', message, { details: { reason } });
    this.#s.onRejected?.(reason);
    if (linkRejected.hasSubscribers) linkRejected.publish({ reason });
    this.reportError(error);
    const answer =
      request && isRequest(request)
        ? this.inner.send(errorResponse(request.id, toJsonRpcError(error)))
        : Promise.resolve();
    answer.catch(() => undefined).finally(() => void this.inner.close().catch(() => undefined));
  }
}

/** A link payload: one message or a batch (a JSON array of messages). */
function decodePayload(payload: Buffer): JSONRPCMessage[] {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch (cause) {
    throw new SwitchboardError('LINK_FAILED', 'Link frame payload is not JSON', {
      cause,
      details: { reason: 'decode' },
    });
  }
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  for (const m of list) {
    const why = invalidMessageReason(m);
    if (why !== undefined)
      throw new SwitchboardError('LINK_FAILED', `Link frame carries an invalid message: ${why}`, {
        details: { reason: 'decode' },
      });
  }
  return list as JSONRPCMessage[];
}

/** Codecs to offer by default: lz4 (where available), brotli, gzip. */
export function defaultCodecs(): LinkCodecName[] {
  const available = availableCodecs();
  return (['lz4', 'br', 'gzip'] as const).filter((c) => available.includes(c));
}
