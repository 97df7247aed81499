import { readFileSync } from 'node:fs';
import net from 'node:net';
import type tls from 'node:tls';
import { SwitchboardError } from '../errors.js';
import type { PeerInfo } from '../transport.js';

/** PEM text (or DER/PEM bytes); a list for bundles. */
export type PemInput = string | Buffer | readonly (string | Buffer)[];

/** Lowest TLS version accepted. */
export type TlsMinVersion = 'TLSv1.2' | 'TLSv1.3';

/** Default lowest TLS version: 1.2 (1.0 and 1.1 are deprecated by RFC 8996). */
export const DEFAULT_TLS_MIN_VERSION: TlsMinVersion = 'TLSv1.2';

/** Default time a TLS handshake may take before the server drops the connection: 10 s. */
export const DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** Key material and versions shared by the TLS client and server options. */
export interface TlsCommonOptions {
  /** Trusted CA certificates (PEM). Default: Node's bundled root store. */
  ca?: PemInput | undefined;
  /** Files to read `ca` from (read once, when the transport or listener is created). */
  caFile?: string | readonly string[] | undefined;
  /** Own certificate chain (PEM): the server's, or the client's for mTLS. */
  cert?: PemInput | undefined;
  /** File to read `cert` from. */
  certFile?: string | undefined;
  /** Private key of `cert` (PEM). */
  key?: PemInput | undefined;
  /** File to read `key` from. */
  keyFile?: string | undefined;
  /** Passphrase of an encrypted `key`. */
  passphrase?: string | undefined;
  /** Lowest accepted version (default `TLSv1.2`; `TLSv1.3` for 1.3 only). */
  minVersion?: TlsMinVersion | undefined;
}

/** TLS options of a client (`tls://`, `wss://`). */
export interface TlsClientOptions extends TlsCommonOptions {
  /** SNI server name and the name the certificate must match (default: the URI's host, unless an IP). */
  servername?: string | undefined;
  /**
   * Verify the server's chain and host name (default `true`). Setting `false` disables both and is
   * meant for tests only.
   */
  rejectUnauthorized?: boolean | undefined;
}

/** TLS options of a listener (`tls://`, `wss://`). `cert` and `key` are required. */
export interface TlsServerOptions extends TlsCommonOptions {
  /** Ask clients for a certificate (mTLS; default `false`). Verified against `ca`. */
  requestCert?: boolean | undefined;
  /**
   * With `requestCert`: refuse clients without a valid certificate (default `true`). `false` lets them
   * in unauthenticated (the subject is then absent from `extra.peer`).
   */
  rejectUnauthorized?: boolean | undefined;
  /** Handshake deadline in ms (default 10 000). */
  handshakeTimeoutMs?: number | undefined;
}

function readPem(files: string | readonly string[] | undefined, what: string): Buffer[] | undefined {
  if (files === undefined) return undefined;
  const list = typeof files === 'string' ? [files] : files;
  return list.map((file) => {
    try {
      return readFileSync(file);
    } catch (cause) {
      throw new SwitchboardError('INVALID_OPTIONS', `Cannot read TLS ${what} file "${file}"`, { cause });
    }
  });
}

function pem(
  value: PemInput | undefined,
  files: string | readonly string[] | undefined,
  what: string,
): (string | Buffer)[] | undefined {
  const fromFiles = readPem(files, what);
  if (value === undefined) return fromFiles;
  const inline = typeof value === 'string' || Buffer.isBuffer(value) ? [value] : [...value];
  return fromFiles ? [...inline, ...fromFiles] : inline;
}

function minVersion(value: TlsMinVersion | undefined): TlsMinVersion {
  const v = value ?? DEFAULT_TLS_MIN_VERSION;
  if (v !== 'TLSv1.2' && v !== 'TLSv1.3') {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `tls.minVersion must be "TLSv1.2" or "TLSv1.3", got ${JSON.stringify(value)}`,
    );
  }
  return v;
}

function common(options: TlsCommonOptions): tls.SecureContextOptions {
  const out: tls.SecureContextOptions = { minVersion: minVersion(options.minVersion) };
  const ca = pem(options.ca, options.caFile, 'CA');
  const cert = pem(options.cert, options.certFile, 'certificate');
  const key = pem(options.key, options.keyFile, 'key');
  if (ca) out.ca = ca;
  if (cert) out.cert = cert;
  if (key) out.key = key;
  if (options.passphrase !== undefined) out.passphrase = options.passphrase;
  return out;
}

/**
 * Node `tls.connect()` options for a client: verification on, TLS ≥ 1.2, SNI from the host name.
 *
 * @param options - user options (files are read now)
 * @param host - the host being connected to; used for SNI and host-name verification
 * @throws SwitchboardError `INVALID_OPTIONS` for an unreadable file or a bad `minVersion`
 */
export function tlsClientOptions(options: TlsClientOptions, host: string): tls.ConnectionOptions {
  const out: tls.ConnectionOptions = {
    ...common(options),
    rejectUnauthorized: options.rejectUnauthorized ?? true,
  };
  // SNI must be a DNS name (RFC 6066); for an IP, Node verifies the certificate's IP SANs instead.
  const servername = options.servername ?? (net.isIP(stripBrackets(host)) ? undefined : host);
  if (servername !== undefined) out.servername = servername;
  return out;
}

/**
 * Node `tls.createServer()` options for a listener.
 *
 * @throws SwitchboardError `INVALID_OPTIONS` when `cert` or `key` is missing or unreadable
 */
export function tlsServerOptions(options: TlsServerOptions | undefined): tls.TlsOptions {
  if (!options) {
    throw new SwitchboardError('INVALID_OPTIONS', 'A TLS listener needs options.tls with cert and key');
  }
  const out: tls.TlsOptions = {
    ...common(options),
    requestCert: options.requestCert ?? false,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    handshakeTimeout: options.handshakeTimeoutMs ?? DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
  };
  if (out.cert === undefined || out.key === undefined) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      'A TLS listener needs tls.cert/certFile and tls.key/keyFile',
    );
  }
  return out;
}

/** `[::1]` → `::1` (URL host names keep the brackets of IPv6 literals). */
export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function isTlsSocket(socket: net.Socket): socket is tls.TLSSocket {
  return (socket as Partial<tls.TLSSocket>).encrypted === true;
}

/**
 * Facts about the peer of a socket: address, and, for a TLS socket whose peer certificate was verified,
 * its subject and SHA-256 fingerprint.
 */
export function peerInfoOf(socket: net.Socket): PeerInfo {
  const info: PeerInfo = {};
  if (socket.remoteAddress !== undefined) info.remoteAddress = socket.remoteAddress;
  if (socket.remotePort !== undefined) info.remotePort = socket.remotePort;
  if (isTlsSocket(socket) && socket.authorized) {
    const cert = socket.getPeerCertificate();
    // An empty object means the peer sent no certificate.
    if (Object.keys(cert).length > 0) {
      const subject: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(cert.subject as unknown as Record<string, unknown>)) {
        if (typeof v === 'string') subject[k] = v;
        else if (Array.isArray(v)) subject[k] = v.map(String);
      }
      info.certificateSubject = subject;
      info.certificateFingerprint256 = cert.fingerprint256;
    }
  }
  return info;
}

/**
 * The listener-side report of a failed TLS handshake. When Node refused the client's certificate it
 * only says "socket hang up"; the verification result (`CERT_HAS_EXPIRED`, …) is on the socket.
 */
export function tlsHandshakeError(error: Error, socket: tls.TLSSocket): SwitchboardError {
  const why = (socket as { authorizationError?: Error | string | null }).authorizationError;
  const verification = why === undefined || why === null ? undefined : String(why);
  return new SwitchboardError(
    'CONNECTION_REJECTED',
    `TLS handshake failed: ${verification ? `client certificate refused (${verification})` : error.message}`,
    { cause: error, details: { remoteAddress: socket.remoteAddress, verification } },
  );
}
