import { CurioError } from '@curio/kernel';

/**
 * A TLS failure: a failed handshake, a protocol error, or a bad certificate or key file.
 * `cause` holds Node's original error, whose `code` (e.g. `'ERR_SSL_WRONG_VERSION_NUMBER'`)
 * is copied to `code`. A `CurioError`, like every error curio raises.
 * @example
 * import { type SSLSocket, SSLError } from '@curio/ssl';
 *
 * function* handshake(sock: SSLSocket) {
 *   try {
 *     yield* sock.doHandshake();
 *   } catch (e) {
 *     if (e instanceof SSLError) console.log(e.code);
 *     throw e;
 *   }
 * }
 */
export class SSLError extends CurioError {
  static override readonly brand: string = 'curio.error.SSLError';
  /** Node's or OpenSSL's error code, when there is one. */
  readonly code: string | undefined;
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, { cause: options?.cause });
    this.code = options?.code ?? codeOf(options?.cause);
  }
}

/**
 * The peer's certificate failed verification: untrusted, expired, or (with `checkHostname`)
 * issued for another host. Python's `ssl.SSLCertVerificationError`.
 */
export class SSLCertVerificationError extends SSLError {
  static override readonly brand: string = 'curio.error.SSLCertVerificationError';
}

/** @internal */
export function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const VERIFY_CODES = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'INVALID_CA',
  'PEER_DID_NOT_RETURN_A_CERTIFICATE',
]);

/** @internal Turn a Node TLS error into an SSLError (or its verification subclass). */
export function toSSLError(err: unknown, what: string): unknown {
  if (err instanceof SSLError) return err;
  if (!(err instanceof Error)) return err;
  const code = codeOf(err);
  // Plain socket errors (ECONNRESET, EPIPE) stay what they are.
  if (code !== undefined && /^E[A-Z]+$/.test(code)) return err;
  const Cls = code !== undefined && VERIFY_CODES.has(code) ? SSLCertVerificationError : SSLError;
  return new Cls(
    `${what}: ${err.message}${code && !err.message.includes(code) ? ` (${code})` : ''}`,
    {
      cause: err,
      code,
    },
  );
}
