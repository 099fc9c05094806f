// The stream role of a Socket: a TCP or Unix stream connection (plain or TLS).
import net from 'node:net';
import { type Coro, futureWait } from '@curio/kernel';
import { type Address, bindHost, formatAddress, type ParsedAddress } from './address.js';
import { Channel, waitClosed } from './channel.js';
import { AF_INET6, AF_UNIX, SHUT_RD, SHUT_WR } from './constants.js';
import { closedError, notConnectedError, systemError, UnsupportedOperation } from './errors.js';
import { handleFd, tlsHandshakeDone, tlsVerifiesPeer } from './node-compat.js';
import type { SocketOptions } from './socket-options.js';

/** Node 22's default buffer size for sockets (Node 20's is 16 KiB): fewer wake-ups per MB. */
export const HIGH_WATER_MARK = 64 * 1024;
// What wakes a doHandshake besides the handshake's own event.
const WAKE_EVENTS = ['error', 'close', 'end'] as const;

function handshakeFailed(conn: net.Socket, channel: Channel): Error | null {
  const failure = channel.error ?? conn.errored;
  if (failure) return failure;
  if (conn.destroyed || conn.readableEnded) {
    return systemError('Socket.doHandshake: the connection closed', 'ECONNRESET');
  }
  return null;
}

/**
 * A Socket's stream connection: connected (`conn`), being connected by `connect`, or arriving
 * later (`adoptLater`, for socketpair). Reads and writes go through the connection's
 * Channel, shared with every Stream made from the socket.
 * Invariant: `channel` is set exactly when `conn` is; `connecting` only while `conn` is null.
 * @internal
 */
export class StreamSocket {
  conn: net.Socket | null = null;
  channel: Channel | null = null;
  private connecting: Promise<unknown> | null = null;
  private connectingSock: net.Socket | null = null;
  // The path an AF_UNIX client connected to (its peer's name).
  private unixPeer = '';
  private closed = false;

  constructor(
    private readonly family: number,
    private readonly options: SocketOptions,
  ) {}

  /** Connected, or a connection pending. */
  get inUse(): boolean {
    return this.conn !== null || this.connecting !== null;
  }

  adopt(sock: net.Socket): void {
    this.conn = sock;
    this.channel = Channel.of(sock);
    this.options.applyTo(sock);
  }

  /** Become the connection `connection` resolves to; blocking calls wait for it. */
  adoptLater(connection: Promise<net.Socket>): void {
    this.connecting = connection.then(
      (sock) => {
        if (this.closed) sock.destroy();
        else this.adopt(sock);
      },
      () => {},
    );
  }

  /** The connection's Channel, once a connection in progress has finished. */
  *channelFor(fn: string, timeout: number | undefined): Coro<Channel> {
    if (this.closed) throw closedError(fn);
    if (this.channel === null && this.connecting !== null) {
      yield* futureWait(this.connecting, { timeout });
      if (this.closed) throw closedError(fn);
    }
    if (this.channel === null) throw notConnectedError(fn);
    return this.channel;
  }

  /** Connect to `to` (from the address `bound`, if any). */
  *connect(
    to: ParsedAddress,
    bound: ParsedAddress | null,
    timeout: number | undefined,
  ): Coro<void> {
    const family = this.family;
    const sock = new net.Socket({
      allowHalfOpen: true,
      highWaterMark: HIGH_WATER_MARK,
    } as net.SocketConstructorOpts);
    const channel = Channel.of(sock); // its 'error' listener keeps a failure from crashing Node
    const options: net.NetConnectOpts =
      to.path !== undefined
        ? { path: to.path }
        : {
            host: to.host === '' ? (family === AF_INET6 ? '::1' : '127.0.0.1') : to.host,
            port: to.port,
            family: family === AF_INET6 ? 6 : 4,
            localAddress: bound ? bindHost(family, bound.host) : undefined,
            localPort: bound?.port || undefined,
          };
    const connected = new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
      // close() from another task destroys the socket being connected.
      sock.once('close', () => reject(closedError('Socket.connect')));
    });
    this.connecting = connected;
    this.connectingSock = sock;
    try {
      sock.connect(options);
      yield* futureWait(
        (signal) => {
          signal.addEventListener('abort', () => sock.destroy(), { once: true });
          return connected;
        },
        { timeout },
      );
    } catch (err) {
      sock.destroy();
      throw err;
    } finally {
      this.connecting = null;
      this.connectingSock = null;
    }
    if (this.closed) {
      sock.destroy();
      throw closedError('Socket.connect');
    }
    this.unixPeer = to.path ?? '';
    if (channel.error !== null) throw channel.error;
    this.adopt(sock);
  }

  /** Wait for the TLS handshake of a `tls.TLSSocket` connection (see `Socket.doHandshake`). */
  *doHandshake(timeout: number | undefined): Coro<void> {
    const channel = yield* this.channelFor('Socket.doHandshake', timeout);
    const conn = this.conn!;
    if ((conn as { encrypted?: boolean }).encrypted !== true) {
      throw new UnsupportedOperation('Socket.doHandshake: the socket is not an SSL socket');
    }
    // A tls.connect client verifies the server in its 'secure' listener, then emits
    // 'secureConnect' (or destroys itself with the verification error): wait for that.
    const verifies = tlsVerifiesPeer(conn);
    if (handshakeFailed(conn, channel) === null && !tlsHandshakeDone(conn, verifies)) {
      const event = verifies ? 'secureConnect' : 'secure';
      yield* futureWait(
        (signal) =>
          new Promise<void>((resolve) => {
            // Also 'end': a TLS socket may be half-open, and then never emits 'close'.
            const wake = () => {
              for (const e of WAKE_EVENTS) conn.removeListener(e, wake);
              conn.removeListener(event, wake);
              resolve();
            };
            for (const e of WAKE_EVENTS) conn.on(e, wake);
            conn.on(event, wake);
            signal.addEventListener('abort', wake, { once: true });
          }),
        { timeout },
      );
    }
    const failure = handshakeFailed(conn, channel);
    if (failure !== null) throw failure;
    if (!tlsHandshakeDone(conn, verifies)) {
      throw systemError(
        'Socket.doHandshake: the connection ended during the handshake',
        'ECONNRESET',
      );
    }
  }

  /** `shutdown(how)` of a connected socket. */
  shutdown(how: number): void {
    const { conn, channel } = this;
    if (conn === null || channel === null) throw notConnectedError('Socket.shutdown');
    if (how !== SHUT_WR) channel.readShut = true;
    if (how !== SHUT_RD && !conn.writableEnded) conn.end();
  }

  /** The local address (an AF_UNIX one is the path `bound`), or null if not connected. */
  sockname(bound: ParsedAddress | null): Address | null {
    const conn = this.conn;
    if (conn === null) return null;
    if (this.family === AF_UNIX) return bound?.path ?? '';
    return formatAddress(this.family, conn.localAddress, conn.localPort);
  }

  /** The peer's address, or null if not connected. */
  peername(): Address | null {
    const conn = this.conn;
    if (conn === null || conn.destroyed) return null;
    if (this.family === AF_UNIX) return this.unixPeer;
    if (conn.remoteAddress === undefined) return null;
    return formatAddress(this.family, conn.remoteAddress, conn.remotePort);
  }

  fileno(): number {
    return this.conn === null ? -1 : handleFd(this.conn);
  }

  /** Close (see `Socket.close`): unsent data drains in the background. */
  *close(timeout: number | undefined): Coro<void> {
    this.closed = true;
    this.channel?.close();
    this.connectingSock?.destroy();
    const conn = this.conn;
    if (conn === null) return;
    if (conn.writableLength > 0 && !conn.writableEnded && !conn.destroyed) {
      // Like an OS socket closed with data unsent: it drains in the background (without
      // keeping the process alive) and is destroyed once flushed or failed.
      conn.once('finish', () => conn.destroy());
      conn.end();
      conn.unref();
      return;
    }
    conn.destroy();
    yield* waitClosed(conn, timeout);
  }

  /** Give the connection up (see `Socket.detach`). */
  detach(): net.Socket | null {
    this.closed = true;
    this.connectingSock?.destroy();
    this.channel?.detach();
    return this.conn;
  }
}
