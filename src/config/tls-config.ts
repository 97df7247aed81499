import { z } from 'zod';

/**
 * TLS of the frontends (`tls://`, `https://`, `wss://` listeners): certificate and key, and — with
 * `clientCaFile` — mutual TLS: clients must present a certificate signed by that CA.
 */
export const FrontendTlsSchema = z
  .object({
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    /** CA bundle for client certificates: turns on mTLS (requestCert + rejectUnauthorized). */
    clientCaFile: z.string().min(1).optional(),
    minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
  })
  .strict();

/** TLS towards `tls://`, `https://`, `wss://`, `sse+https://` backends. */
export const BackendTlsSchema = z
  .object({
    /** CA bundle to verify the backend (default: the system roots). */
    caFile: z.string().min(1).optional(),
    /** Client certificate and key, for backends that require mTLS. */
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    /** SNI / host name to verify, when it differs from the URI's host. */
    servername: z.string().min(1).optional(),
    minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
  })
  .strict();

/** Config keys contributed to the serve schema. */
export const tlsConfigShape = {
  tls: FrontendTlsSchema.prefault({}),
  backendTls: BackendTlsSchema.prefault({}),
};
