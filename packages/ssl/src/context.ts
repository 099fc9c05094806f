import { isIP, Socket as NetSocket } from 'node:net';
import * as tls from 'node:tls';
import { SOCK_STREAM, Socket } from '@curio/io';
import { derCertificates, directoryCertificates, pemCertificates, readPemOrFile } from './certs.js';
import {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  PROTOCOL_TLS,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  type Protocol,
  Purpose,
  type PurposeValue,
  type VerifyMode,
} from './constants.js';
import { SSLError, toSSLError } from './errors.js';
import { SSLSocket } from './ssl-socket.js';
import { describe } from './validate.js';

/** Where `loadVerifyLocations` finds trusted CA certificates. */
export interface VerifyLocations {
  /** A file of PEM certificates (or PEM text). */
  cafile?: string;
  /** A directory whose files hold PEM certificates. */
  capath?: string;
  /** PEM text, or DER bytes of one or more certificates. */
  cadata?: string | Uint8Array;
}

/** Options of `SSLContext.wrapSocket`. */
export interface WrapOptions {
  /** Act as the TLS server of the connection (default false). */
  serverSide?: boolean;
  /** Client side: the name sent by SNI and checked against the certificate. */
  serverHostname?: string;
}

/** TLS protocol versions Node supports, for `minimumVersion` / `maximumVersion`. */
export type TLSVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
const VERSIONS: readonly string[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** @internal How to put TLS on a Node socket, as `SSLContext` decides it. */
export interface TlsPlan {
  serverSide: boolean;
  verifyMode: VerifyMode;
  make(raw: import('node:net').Socket): tls.TLSSocket;
}

/**
 * A TLS configuration: certificates, trust, verification and ALPN, for any number of
 * connections (Python's `ssl.SSLContext`, built on `node:tls`). `wrapSocket` puts TLS on a
 * curio `Socket`.
 * @example
 * import type { Socket } from '@curio/io';
 * import { PROTOCOL_TLS_SERVER, SSLContext } from '@curio/ssl';
 *
 * function* secure(client: Socket) {
 *   const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
 *   ctx.loadCertChain('cert.pem', 'key.pem');
 *   const tlsSock = ctx.wrapSocket(client, { serverSide: true });
 *   yield* tlsSock.doHandshake();
 *   return tlsSock;
 * }
 */
export class SSLContext {
  /** The protocol given to the constructor. */
  readonly protocol: Protocol;
  private _verifyMode: VerifyMode;
  private _checkHostname: boolean;
  private cert: string | undefined;
  private key: string | undefined;
  private passphrase: string | undefined;
  // Trusted CAs; an empty list trusts nothing (Node's roots come only via loadDefaultCerts).
  private readonly ca: string[] = [];
  private alpn: string[] | undefined;
  private ciphers: string | undefined;
  private minVersion: TLSVersion | undefined;
  private maxVersion: TLSVersion | undefined;
  private cached: tls.SecureContext | undefined;

  constructor(protocol: Protocol = PROTOCOL_TLS) {
    if (
      protocol !== PROTOCOL_TLS &&
      protocol !== PROTOCOL_TLS_CLIENT &&
      protocol !== PROTOCOL_TLS_SERVER
    ) {
      throw new TypeError(
        `SSLContext(protocol): protocol must be PROTOCOL_TLS, PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER, got ${describe(protocol)} (Node supports no other protocol selection)`,
      );
    }
    this.protocol = protocol;
    const client = protocol === PROTOCOL_TLS_CLIENT;
    this._verifyMode = client ? CERT_REQUIRED : CERT_NONE;
    this._checkHostname = client;
  }

  /** Whether and how the peer's certificate is verified: `CERT_NONE`, `CERT_OPTIONAL` or `CERT_REQUIRED`. */
  get verifyMode(): VerifyMode {
    return this._verifyMode;
  }

  set verifyMode(mode: VerifyMode) {
    if (mode !== CERT_NONE && mode !== CERT_OPTIONAL && mode !== CERT_REQUIRED) {
      throw new TypeError(
        `SSLContext.verifyMode must be CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED, got ${describe(mode)}`,
      );
    }
    if (mode === CERT_NONE && this._checkHostname) {
      throw new Error(
        'SSLContext.verifyMode: cannot set CERT_NONE while checkHostname is true (set checkHostname = false first)',
      );
    }
    this._verifyMode = mode;
  }

  /** Check that the server's certificate matches `serverHostname` (client side). */
  get checkHostname(): boolean {
    return this._checkHostname;
  }

  set checkHostname(on: boolean) {
    if (typeof on !== 'boolean') {
      throw new TypeError(`SSLContext.checkHostname must be a boolean, got ${describe(on)}`);
    }
    // As in Python: checking hostnames implies verifying certificates.
    if (on && this._verifyMode === CERT_NONE) this._verifyMode = CERT_REQUIRED;
    this._checkHostname = on;
  }

  /** The lowest TLS version accepted (Node's default when unset). */
  get minimumVersion(): TLSVersion | undefined {
    return this.minVersion;
  }

  set minimumVersion(version: TLSVersion | undefined) {
    this.minVersion = checkVersion('minimumVersion', version);
    this.cached = undefined;
  }

  /** The highest TLS version accepted (Node's default when unset). */
  get maximumVersion(): TLSVersion | undefined {
    return this.maxVersion;
  }

  set maximumVersion(version: TLSVersion | undefined) {
    this.maxVersion = checkVersion('maximumVersion', version);
    this.cached = undefined;
  }

  /**
   * Load this side's certificate chain and private key. Each argument is a file path or PEM
   * text; without `keyfile` the key is read from `certfile`. Raises `SSLError` if they do
   * not parse or do not match.
   * @example
   * import { createDefaultContext, Purpose } from '@curio/ssl';
   *
   * const ctx = createDefaultContext(Purpose.CLIENT_AUTH);
   * ctx.loadCertChain('/etc/ssl/server.crt', '/etc/ssl/server.key'); // Python: load_cert_chain
   */
  loadCertChain(certfile: string, keyfile?: string, password?: string): void {
    const cert = readPemOrFile('SSLContext.loadCertChain', 'certfile', certfile);
    const key =
      keyfile === undefined ? cert : readPemOrFile('SSLContext.loadCertChain', 'keyfile', keyfile);
    if (password !== undefined && typeof password !== 'string') {
      throw new TypeError(
        `SSLContext.loadCertChain(password): password must be a string, got ${describe(password)}`,
      );
    }
    try {
      tls.createSecureContext({ cert, key, passphrase: password });
    } catch (cause) {
      throw new SSLError(`SSLContext.loadCertChain: ${(cause as Error).message}`, { cause });
    }
    this.cert = cert;
    this.key = key;
    this.passphrase = password;
    this.cached = undefined;
  }

  /**
   * Trust the CA certificates in `cafile` (PEM file), `capath` (a directory of PEM files)
   * and/or `cadata` (PEM text or DER bytes). Also accepts one options object.
   * @example
   * import { SSLContext } from '@curio/ssl';
   *
   * declare const pemText: string; // PEM text of a CA certificate
   * const ctx = new SSLContext();
   * ctx.loadVerifyLocations('ca.pem');
   * ctx.loadVerifyLocations({ cadata: pemText });
   */
  loadVerifyLocations(
    cafile?: string | VerifyLocations,
    capath?: string,
    cadata?: string | Uint8Array,
  ): void {
    const fn = 'SSLContext.loadVerifyLocations';
    if (cafile !== null && typeof cafile === 'object') {
      if (capath !== undefined || cadata !== undefined) {
        throw new TypeError(
          `${fn}: pass either an options object or positional arguments, not both`,
        );
      }
      ({ cafile, capath, cadata } = cafile);
    }
    if (cafile === undefined && capath === undefined && cadata === undefined) {
      throw new TypeError(`${fn}: cafile, capath or cadata must be given`);
    }
    const found: string[] = [];
    if (cafile !== undefined) {
      const certs = pemCertificates(readPemOrFile(fn, 'cafile', cafile));
      if (certs.length === 0)
        throw new SSLError(`${fn}(cafile): no PEM certificate found in ${JSON.stringify(cafile)}`);
      found.push(...certs);
    }
    if (capath !== undefined) {
      if (typeof capath !== 'string' || capath === '') {
        throw new TypeError(
          `${fn}(capath): capath must be a directory path, got ${describe(capath)}`,
        );
      }
      found.push(...directoryCertificates(fn, capath));
    }
    if (cadata !== undefined) {
      if (typeof cadata === 'string') {
        const certs = pemCertificates(cadata);
        if (certs.length === 0)
          throw new SSLError(`${fn}(cadata): no PEM certificate found in cadata`);
        found.push(...certs);
      } else if (cadata instanceof Uint8Array) {
        found.push(...derCertificates(fn, cadata));
      } else {
        throw new TypeError(
          `${fn}(cadata): cadata must be PEM text or DER bytes, got ${describe(cadata)}`,
        );
      }
    }
    try {
      tls.createSecureContext({ ca: found });
    } catch (cause) {
      throw new SSLError(`${fn}: ${(cause as Error).message}`, { cause });
    }
    this.ca.push(...found);
    this.cached = undefined;
  }

  /** True once `loadCertChain` has given this context a certificate (servers need one). */
  get certChainLoaded(): boolean {
    return this.cert !== undefined;
  }

  /** Trust Node's bundled root certificates (Mozilla's list, `tls.rootCertificates`). */
  loadDefaultCerts(purpose: PurposeValue = Purpose.SERVER_AUTH): void {
    if (purpose !== Purpose.SERVER_AUTH && purpose !== Purpose.CLIENT_AUTH) {
      throw new TypeError(
        `SSLContext.loadDefaultCerts(purpose): purpose must be Purpose.SERVER_AUTH or Purpose.CLIENT_AUTH, got ${describe(purpose)}`,
      );
    }
    this.ca.push(...tls.rootCertificates);
    this.cached = undefined;
  }

  /** Same as `loadDefaultCerts()`: Node has no separate OpenSSL default paths. */
  setDefaultVerifyPaths(): void {
    this.loadDefaultCerts();
  }

  /** The trusted CA certificates loaded so far, as PEM text. */
  getCaCerts(): string[] {
    return [...this.ca];
  }

  /**
   * The protocols to offer (client) or accept (server) by ALPN, most preferred first.
   * @example
   * import { createDefaultContext } from '@curio/ssl';
   *
   * const ctx = createDefaultContext();
   * ctx.setAlpnProtocols(['h2', 'http/1.1']);
   */
  setAlpnProtocols(protocols: readonly string[]): void {
    if (
      !Array.isArray(protocols) ||
      protocols.some((p) => typeof p !== 'string' || p.length === 0 || p.length > 255)
    ) {
      throw new TypeError(
        `SSLContext.setAlpnProtocols(protocols): protocols must be an array of non-empty strings, got ${describe(protocols)}`,
      );
    }
    this.alpn = [...protocols];
  }

  /** The OpenSSL cipher list to allow, e.g. `'ECDHE+AESGCM'`. */
  setCiphers(ciphers: string): void {
    if (typeof ciphers !== 'string' || ciphers === '') {
      throw new TypeError(
        `SSLContext.setCiphers(ciphers): ciphers must be a non-empty string, got ${describe(ciphers)}`,
      );
    }
    try {
      tls.createSecureContext({ ciphers });
    } catch (cause) {
      throw new SSLError(`SSLContext.setCiphers: ${(cause as Error).message}`, { cause });
    }
    this.ciphers = ciphers;
    this.cached = undefined;
  }

  /**
   * Put TLS on a connected stream `sock` (from `@curio/socket` or `@curio/io`) and return
   * the TLS socket, a curio `Socket`; then `yield* tlsSock.doHandshake()`. Client side
   * (default): `serverHostname` is sent by SNI and, with `checkHostname`, must match the
   * certificate. Server side: needs `loadCertChain` first. `sock` is detached (closed).
   * @example
   * import { createConnection } from '@curio/socket';
   * import { createDefaultContext } from '@curio/ssl';
   *
   * function* connect() {
   *   const ctx = createDefaultContext();
   *   const sock = yield* createConnection(['example.com', 443]);
   *   const tlsSock = ctx.wrapSocket(sock, { serverHostname: 'example.com' });
   *   yield* tlsSock.doHandshake();
   *   return tlsSock;
   * }
   */
  wrapSocket(sock: Socket, options?: WrapOptions): SSLSocket {
    checkStreamSocket('SSLContext.wrapSocket', sock);
    const plan = this._plan('SSLContext.wrapSocket', options);
    return new SSLSocket(sock, this, plan, options?.serverHostname);
  }

  /** Node's `tls.SecureContext` for this configuration (made once, until it changes). */
  secureContext(): tls.SecureContext {
    if (this.cached === undefined) {
      try {
        this.cached = tls.createSecureContext({
          cert: this.cert,
          key: this.key,
          passphrase: this.passphrase,
          ca: this.ca,
          ciphers: this.ciphers,
          minVersion: this.minVersion,
          maxVersion: this.maxVersion,
        });
      } catch (cause) {
        throw toSSLError(cause, 'SSLContext');
      }
    }
    return this.cached;
  }

  /** @internal Decide how a socket is wrapped; validates the options. */
  _plan(fn: string, options: WrapOptions | undefined): TlsPlan {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
    }
    const serverSide = options?.serverSide ?? false;
    const hostname = options?.serverHostname;
    if (typeof serverSide !== 'boolean') {
      throw new TypeError(
        `${fn}: options.serverSide must be a boolean, got ${describe(serverSide)}`,
      );
    }
    if (hostname !== undefined && (typeof hostname !== 'string' || hostname === '')) {
      throw new TypeError(
        `${fn}: options.serverHostname must be a non-empty string, got ${describe(hostname)}`,
      );
    }
    const verifyMode = this._verifyMode;
    const secureContext = this.secureContext();
    const ALPNProtocols = this.alpn;
    if (serverSide) {
      if (hostname !== undefined)
        throw new Error(`${fn}: serverHostname can only be given in client mode`);
      if (this.protocol === PROTOCOL_TLS_CLIENT) {
        throw new Error(
          `${fn}: cannot make a server-side socket from a PROTOCOL_TLS_CLIENT context`,
        );
      }
      if (this.cert === undefined) {
        throw new SSLError(
          `${fn}: a server-side socket needs a certificate: call loadCertChain() first`,
        );
      }
      return {
        serverSide,
        verifyMode,
        make: (raw) =>
          new tls.TLSSocket(raw, {
            isServer: true,
            secureContext,
            requestCert: verifyMode !== CERT_NONE,
            rejectUnauthorized: verifyMode === CERT_REQUIRED,
            ALPNProtocols,
          }),
      };
    }
    if (this.protocol === PROTOCOL_TLS_SERVER) {
      throw new Error(`${fn}: cannot make a client-side socket from a PROTOCOL_TLS_SERVER context`);
    }
    if (this._checkHostname && hostname === undefined) {
      throw new Error(`${fn}: checkHostname requires serverHostname`);
    }
    const checkHostname = this._checkHostname;
    return {
      serverSide,
      verifyMode,
      make: (raw) =>
        tls.connect({
          socket: raw,
          secureContext,
          // SNI carries names only, never IP addresses (RFC 6066).
          servername: hostname !== undefined && isIP(hostname) === 0 ? hostname : undefined,
          rejectUnauthorized: verifyMode !== CERT_NONE,
          checkServerIdentity: (_name, cert) =>
            checkHostname ? tls.checkServerIdentity(hostname!, cert) : undefined,
          ALPNProtocols,
        }),
    };
  }
}

function checkVersion(what: string, version: unknown): TLSVersion | undefined {
  if (version === undefined) return undefined;
  if (typeof version !== 'string' || !VERSIONS.includes(version)) {
    throw new TypeError(
      `SSLContext.${what} must be one of ${VERSIONS.join(', ')} (or undefined), got ${describe(version)}`,
    );
  }
  return version as TLSVersion;
}

/** Throws unless `sock` is an open, connected, not yet encrypted curio stream socket. @internal */
export function checkStreamSocket(fn: string, sock: unknown): asserts sock is Socket {
  if (!(sock instanceof Socket)) {
    throw new TypeError(
      `${fn}(sock): sock must be a curio Socket (from @curio/socket or @curio/io), got ${describe(sock)}`,
    );
  }
  if (sock.closed) {
    throw Object.assign(new Error(`${fn}(sock): the socket is closed`), { code: 'EBADF' });
  }
  if (sock.type !== SOCK_STREAM) {
    throw new TypeError(`${fn}(sock): TLS needs a SOCK_STREAM socket (Node.js has no DTLS)`);
  }
  const raw = sock.raw;
  if (raw === null || !(raw instanceof NetSocket)) {
    throw Object.assign(new Error(`${fn}(sock): the socket is not connected`), {
      code: 'ENOTCONN',
    });
  }
  if ((raw as { encrypted?: boolean }).encrypted === true) {
    throw new TypeError(`${fn}(sock): the socket already speaks TLS`);
  }
}
