import type * as net from 'node:net';
import type * as tls from 'node:tls';
import { Socket, UnsupportedOperation } from '@curio/io';
import { type Coro, futureWait } from '@curio/kernel';
import { CERT_NONE, CERT_REQUIRED } from './constants.js';
import type { SSLContext, TlsPlan } from './context.js';
import { SSLCertVerificationError, SSLError, toSSLError } from './errors.js';

/** What `SSLSocket.cipher()` reports. */
export interface CipherInfo {
  /** OpenSSL's name of the cipher suite. */
  name: string;
  /** The IETF name of the cipher suite. */
  standardName: string;
  /** The TLS version, e.g. `'TLSv1.3'`. */
  version: string;
}

/**
 * A curio `Socket` speaking TLS: what `SSLContext.wrapSocket` returns. Its Node object is a
 * `tls.TLSSocket` over the original `net.Socket`; reads and writes carry plaintext. Call
 * `doHandshake()` before anything else; the original socket is detached
 * (closed: its unread bytes go to the TLS socket).
 * @example
 * import { createConnection } from '@curio/socket';
 * import { createDefaultContext } from '@curio/ssl';
 *
 * function* get() {
 *   const sock = yield* createConnection(['example.com', 443]);
 *   const tlsSock = createDefaultContext().wrapSocket(sock, { serverHostname: 'example.com' });
 *   yield* tlsSock.doHandshake();
 *   yield* tlsSock.sendall(Buffer.from('GET / HTTP/1.0\r\nHost: example.com\r\n\r\n'));
 *   return yield* tlsSock.recv(65536);
 * }
 */
export class SSLSocket extends Socket {
  /** The context the socket was made from. */
  readonly context: SSLContext;
  /** True on the server side of the connection. */
  readonly serverSide: boolean;
  /** The name the server's certificate is checked against (client side), if any. */
  readonly serverHostname: string | undefined;
  private readonly tlsSocket: tls.TLSSocket;
  private readonly underlying: net.Socket;
  // Settles once: when the handshake (and the peer's verification) is done or has failed.
  private readonly handshake: Promise<void>;
  private handshakeDone = false;

  /** @internal Made by `SSLContext.wrapSocket`. */
  constructor(
    sock: Socket,
    context: SSLContext,
    plan: TlsPlan,
    serverHostname: string | undefined,
  ) {
    // As Python's wrap_socket, the plain socket is consumed (its unread bytes go to TLS).
    const raw = sock.detach() as net.Socket;
    const tlsSocket = plan.make(raw);
    super(tlsSocket, { family: sock.family });
    this.settimeout(sock.gettimeout()); // as Python: the TLS socket keeps the timeout
    this.context = context;
    this.serverSide = plan.serverSide;
    this.serverHostname = serverHostname;
    this.tlsSocket = tlsSocket;
    this.underlying = raw;
    this.handshake = handshakeOf(tlsSocket, plan);
    this.handshake.then(
      () => {
        this.handshakeDone = true;
      },
      () => {},
    );
  }

  /**
   * Wait for the TLS handshake, including the verification of the peer's certificate (and,
   * with `checkHostname`, of its name). Raises `SSLCertVerificationError` when the peer is
   * not trusted and `SSLError` for other TLS failures. Honours `settimeout`.
   * @example
   * import type { SSLSocket } from '@curio/ssl';
   *
   * function* handshake(tlsSock: SSLSocket) {
   *   yield* tlsSock.doHandshake(); // SSLCertVerificationError if the peer is not trusted
   * }
   */
  override *doHandshake(): Coro<void> {
    if (this.closed) yield* super.doHandshake(); // raises the closed-socket error
    if (this.handshakeDone) return;
    yield* futureWait(this.handshake, { timeout: this.gettimeout() ?? undefined });
  }

  /**
   * The peer's certificate once the handshake is done: Node's parsed certificate, or with
   * `binaryForm` its DER bytes; `null` if the peer sent none.
   * @example
   * import type { SSLSocket } from '@curio/ssl';
   *
   * function peerName(tlsSock: SSLSocket) {
   *   const cert = tlsSock.getpeercert();
   *   return cert?.subject.CN;
   * }
   */
  getpeercert(binaryForm?: false): tls.PeerCertificate | null;
  getpeercert(binaryForm: true): Buffer | null;
  getpeercert(binaryForm = false): tls.PeerCertificate | Buffer | null {
    this.checkHandshake('SSLSocket.getpeercert');
    const cert = this.tlsSocket.getPeerCertificate();
    if (cert === null || cert.raw === undefined) return null;
    return binaryForm ? cert.raw : cert;
  }

  /** The protocol chosen by ALPN, or null. */
  selectedAlpnProtocol(): string | null {
    const p = this.tlsSocket.alpnProtocol;
    return typeof p === 'string' ? p : null;
  }

  /** The negotiated cipher suite, or null before the handshake. */
  cipher(): CipherInfo | null {
    if (!this.handshakeDone) return null;
    const c = this.tlsSocket.getCipher();
    return { name: c.name, standardName: c.standardName, version: c.version };
  }

  /** The negotiated TLS version (`'TLSv1.3'`), or null before the handshake. */
  version(): string | null {
    return this.handshakeDone ? this.tlsSocket.getProtocol() : null;
  }

  /** Node cannot hand back the plain socket after TLS: raises `UnsupportedOperation`. */
  unwrap(): never {
    throw new UnsupportedOperation(
      'SSLSocket.unwrap: Node.js cannot remove TLS from a connection and return the plain socket; close the SSLSocket instead',
    );
  }

  /**
   * Close the TLS connection and the socket under it.
   * @example
   * import type { SSLSocket } from '@curio/ssl';
   *
   * function* bye(tlsSock: SSLSocket) {
   *   yield* tlsSock.close();
   * }
   */
  override *close(): Coro<void> {
    try {
      yield* super.close();
    } finally {
      const raw = this.underlying;
      if (!raw.destroyed) raw.destroy();
      if (!raw.closed) {
        yield* futureWait(new Promise<void>((resolve) => raw.once('close', () => resolve())));
      }
    }
  }

  private checkHandshake(fn: string): void {
    if (!this.handshakeDone) {
      throw new SSLError(`${fn}: the handshake has not completed (call doHandshake() first)`);
    }
  }
}

// The handshake's outcome as a Promise, listened for from the start so no event is missed.
function handshakeOf(sock: tls.TLSSocket, plan: TlsPlan): Promise<void> {
  const promise = new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      reject(toSSLError(err, 'TLS handshake'));
    };
    sock.on('error', fail);
    // Sockets that allow half-open connections see 'end' and no 'close' on an early EOF.
    sock.once('end', () =>
      fail(new SSLError('TLS handshake: the peer closed the connection during the handshake')),
    );
    sock.once('close', () =>
      fail(new SSLError('TLS handshake: the connection closed before the handshake completed')),
    );
    if (!plan.serverSide) {
      // 'secureConnect' comes only after Node has verified the server ('secure' does not).
      sock.once('secureConnect', () => {
        settled = true;
        resolve();
      });
      return;
    }
    sock.once('secure', () => {
      const err = verifyClient(sock, plan);
      if (err !== undefined) {
        fail(err);
        sock.destroy();
        return;
      }
      settled = true;
      resolve();
    });
  });
  promise.catch(() => {}); // reported by doHandshake; never an unhandled rejection
  return promise;
}

// Server side: a bare TLSSocket records but does not act on the client's verification.
function verifyClient(sock: tls.TLSSocket, plan: TlsPlan): Error | undefined {
  if (plan.verifyMode === CERT_NONE) return undefined;
  const cert = sock.getPeerCertificate();
  const presented = cert !== null && cert.raw !== undefined;
  if (!presented) {
    return plan.verifyMode === CERT_REQUIRED
      ? new SSLCertVerificationError('TLS handshake: the client sent no certificate', {
          code: 'PEER_DID_NOT_RETURN_A_CERTIFICATE',
        })
      : undefined;
  }
  const handle = (sock as unknown as { _handle?: { verifyError?: () => Error | null } })._handle;
  if (typeof handle?.verifyError !== 'function') {
    return new UnsupportedOperation(
      'TLS handshake: this Node.js version does not expose client certificate verification',
    );
  }
  const err = handle.verifyError();
  if (err) return new SSLCertVerificationError(`TLS handshake: ${err.message}`, { cause: err });
  return undefined;
}
