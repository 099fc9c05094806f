import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { type Coro, futureWait } from '@curio/kernel';
import { pemCertificates, readPemOrFile } from './certs.js';
import { toSSLError } from './errors.js';
import { checkOptions, describe } from './validate.js';

/** Options of `getServerCertificate`. */
export interface ServerCertificateOptions {
  /** CA certificates (file path or PEM text): when given, the certificate is verified. */
  caCerts?: string;
  /** Milliseconds to wait for the connection and handshake; raises `TaskTimeout`. */
  timeout?: number;
}

/**
 * Connect to a TLS server at `address` (`[host, port]`) and return its certificate as PEM
 * text. The certificate is not verified unless `caCerts` is given.
 * @example
 * import { getServerCertificate } from '@curio/ssl';
 *
 * function* certificateOf(host: string) {
 *   return yield* getServerCertificate([host, 443]); // PEM text; Python: get_server_certificate
 * }
 */
export function* getServerCertificate(
  address: readonly [string, number],
  options?: ServerCertificateOptions,
): Coro<string> {
  const fn = 'getServerCertificate';
  if (
    !Array.isArray(address) ||
    address.length < 2 ||
    typeof address[0] !== 'string' ||
    !Number.isInteger(address[1]) ||
    address[1] < 1 ||
    address[1] > 65535
  ) {
    throw new TypeError(
      `${fn}(address): address must be a [host, port] pair with a port from 1 to 65535, got ${describe(address)}${Array.isArray(address) ? ` ${JSON.stringify(address)}` : ''}`,
    );
  }
  checkOptions(fn, options);
  const [host, port] = address;
  let ca: string[] | undefined;
  if (options?.caCerts !== undefined) {
    ca = pemCertificates(readPemOrFile(fn, 'caCerts', options.caCerts));
  }
  return yield* futureWait((signal) => fetchCertificate(host, port, ca, signal), {
    timeout: options?.timeout,
  });
}

function fetchCertificate(
  host: string,
  port: number,
  ca: string[] | undefined,
  signal: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let outcome: { ok: boolean; value: unknown } | undefined;
    const sock = tls.connect({
      host,
      port,
      servername: isIP(host) === 0 ? host : undefined,
      ca,
      rejectUnauthorized: ca !== undefined,
      checkServerIdentity: () => undefined,
    });
    const onAbort = () => finish(false, signal.reason);
    const finish = (ok: boolean, value: unknown) => {
      outcome ??= { ok, value };
      sock.destroy();
    };
    // Settle only once the socket has closed, so no handle outlives the call.
    sock.once('close', () => {
      signal.removeEventListener('abort', onAbort);
      const o = outcome ?? { ok: false, value: new Error(`${host}:${port} closed the connection`) };
      if (o.ok) resolve(o.value as string);
      else reject(o.value);
    });
    sock.once('secureConnect', () => {
      const raw = sock.getPeerCertificate().raw;
      if (raw === undefined) finish(false, new Error(`${host}:${port} sent no certificate`));
      else finish(true, derCertToPemCert(raw));
    });
    sock.on('error', (err) =>
      finish(false, toSSLError(err, `getServerCertificate(${host}:${port})`)),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A DER certificate as PEM text (Python's `DER_cert_to_PEM_cert`).
 * @example
 * import { derCertToPemCert, type SSLSocket } from '@curio/ssl';
 *
 * function peerPem(tlsSock: SSLSocket) {
 *   const der = tlsSock.getpeercert(true); // null before the handshake
 *   return der && derCertToPemCert(der);
 * }
 */
export function derCertToPemCert(der: Uint8Array): string {
  if (!(der instanceof Uint8Array)) {
    throw new TypeError(`derCertToPemCert(der): der must be a Buffer, got ${describe(der)}`);
  }
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * A PEM certificate as DER bytes (Python's `PEM_cert_to_DER_cert`).
 * @example
 * import { pemCertToDerCert } from '@curio/ssl';
 *
 * function fingerprintInput(pem: string) {
 *   return pemCertToDerCert(pem); // a Buffer of DER bytes
 * }
 */
export function pemCertToDerCert(pem: string): Buffer {
  const m =
    typeof pem === 'string'
      ? /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem)
      : null;
  if (m === null) {
    throw new TypeError(
      `pemCertToDerCert(pem): pem must be PEM certificate text, got ${describe(pem)}`,
    );
  }
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}
