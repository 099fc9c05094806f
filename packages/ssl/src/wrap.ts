import type { Socket } from '@curio/io';
import { CERT_NONE, type VerifyMode } from './constants.js';
import { SSLContext } from './context.js';
import type { SSLSocket } from './ssl-socket.js';
import { checkOptions } from './validate.js';

/** Options of the module-level `wrapSocket` (Python's `ssl.wrap_socket`). */
export interface WrapSocketOptions {
  /** This side's private key (path or PEM text); defaults to `certfile`. */
  keyfile?: string;
  /** This side's certificate chain (path or PEM text). Required on the server side. */
  certfile?: string;
  /** Act as the TLS server (default false). */
  serverSide?: boolean;
  /** `CERT_NONE` (default), `CERT_OPTIONAL` or `CERT_REQUIRED`. Hostnames are not checked. */
  certReqs?: VerifyMode;
  /** CA certificates to verify the peer with (path or PEM text). */
  caCerts?: string;
  /** OpenSSL cipher list. */
  ciphers?: string;
  /** Client side: the name to send by SNI. */
  serverHostname?: string;
}

/**
 * Python's `ssl.wrap_socket`: a one-off context from the options (peer not verified unless
 * `certReqs` says so; hostnames never checked), applied to `sock`. Prefer
 * `createDefaultContext().wrapSocket(...)`, which verifies.
 * @example
 * import type { Socket } from '@curio/io';
 * import { wrapSocket } from '@curio/ssl';
 *
 * function* secure(client: Socket) {
 *   const tlsSock = wrapSocket(client, { serverSide: true, certfile: 'cert.pem', keyfile: 'key.pem' });
 *   yield* tlsSock.doHandshake();
 *   return tlsSock;
 * }
 */
export function wrapSocket(sock: Socket, options?: WrapSocketOptions): SSLSocket {
  checkOptions('wrapSocket', options);
  const ctx = new SSLContext();
  ctx.verifyMode = options?.certReqs ?? CERT_NONE;
  if (options?.caCerts !== undefined) ctx.loadVerifyLocations(options.caCerts);
  if (options?.certfile !== undefined) ctx.loadCertChain(options.certfile, options.keyfile);
  else if (options?.keyfile !== undefined) {
    throw new TypeError('wrapSocket: keyfile was given without certfile');
  }
  if (options?.ciphers !== undefined) ctx.setCiphers(options.ciphers);
  return ctx.wrapSocket(sock, {
    serverSide: options?.serverSide,
    serverHostname: options?.serverHostname,
  });
}
