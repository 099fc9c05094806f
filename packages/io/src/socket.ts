import dgram from 'node:dgram';
import net from 'node:net';
import { constants as osConstants } from 'node:os';
import type { AsyncContextManager, AsyncIterableLike, Coro } from '@curio/kernel';
import {
  type Address,
  familyName,
  familyOf,
  formatAddress,
  type ParsedAddress,
  parseAddress,
} from './address.js';
import { Blocking } from './blocking.js';
import { type Channel, EMPTY } from './channel.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_TCP,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SO_KEEPALIVE,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_SNDBUF,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  TCP_NODELAY,
} from './constants.js';
import {
  checkFlags,
  checkSize,
  checkTimeoutValue,
  closedError,
  describe,
  notConnectedError,
  systemError,
  toBuffer,
  UnsupportedOperation,
} from './errors.js';
import { dgramType, isPipeHandle } from './node-compat.js';
import { type Datagram, DatagramSocket } from './socket-datagram.js';
import { ListenerSocket } from './socket-listener.js';
import { SocketOptions } from './socket-options.js';
import { StreamSocket } from './socket-stream.js';
import { type FileMode, makeSocketStream, type Stream } from './stream.js';
import { Piece } from './writer.js';

/** The Node objects a {@link Socket} can wrap. */
export type RawSocket = net.Socket | net.Server | dgram.Socket;

/** A socket not yet bound, listening or connected: what `socket()` of `@curio/socket` makes. */
export interface SocketInit {
  /** `AF_INET` (default), `AF_INET6` or `AF_UNIX`. */
  family?: number;
  /** `SOCK_STREAM` (default) or `SOCK_DGRAM`. */
  type?: number;
  /** Protocol number; 0 (default) picks the family's usual one. */
  proto?: number;
}

/** Options of `new Socket(raw, options)` for wrapping an existing Node object. */
export interface WrapOptions {
  /** The address family, when it cannot be told from the Node object. */
  family?: number;
}

const DEFAULT_BACKLOG = 128;

// What a Socket is once in use: a stream connection, a listener, or a UDP socket.
type Role = StreamSocket | ListenerSocket | DatagramSocket;

// `'EADDRINUSE'` → 98, as Python's `connect_ex` returns.
function errnoOf(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    const n = (osConstants.errno as Record<string, number>)[code];
    if (typeof n === 'number') return n;
  }
  const errno = (err as { errno?: unknown } | null)?.errno;
  return typeof errno === 'number' ? Math.abs(errno) : 0;
}

function isSystemError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('E') && !code.startsWith('ERR_');
}

function withBytesSent(err: unknown, sent: number): unknown {
  if (err !== null && typeof err === 'object') (err as { bytesSent?: number }).bytesSent = sent;
  return err;
}

/**
 * A curio socket: wraps a Node `net.Socket` (a TCP or Unix stream connection), `net.Server`
 * (a listening socket) or `dgram.Socket` (UDP), or starts unconnected (`new Socket({ family,
 * type })`, what `socket()` of `@curio/socket` does) and becomes one of those on `connect`,
 * `listen` or `bind`. Every blocking method is a coroutine that waits only through the
 * kernel's traps: `readWait` to read or accept, `writeWait` while Node holds data it could
 * not hand to the OS yet, `futureWait` for a connection or handshake.
 *
 * Reads go through one buffer shared with every Stream made by `makefile` (and any other
 * wrapper of the same Node socket): `recv(n)` never returns more than `n` bytes and never
 * loses the rest. A timeout set by `settimeout(ms)` applies to every blocking call and
 * raises `TaskTimeout`. Use as an async context manager to close on exit; `asyncFor` over a
 * stream socket yields its lines.
 * @example
 * import { asyncWith } from '@curio/kernel';
 * import { AF_INET, SOCK_STREAM, Socket } from '@curio/io';
 *
 * function* hello() {
 *   const sock = new Socket({ family: AF_INET, type: SOCK_STREAM });
 *   return yield* asyncWith(sock, function* () {
 *     yield* sock.connect(['127.0.0.1', 25000]);
 *     yield* sock.sendall(Buffer.from('hello\n'));
 *     return yield* sock.recv(1024);
 *   }); // closed on the way out
 * }
 */
export class Socket implements AsyncContextManager<Socket>, AsyncIterableLike<Buffer> {
  /** Address family: `AF_INET`, `AF_INET6` or `AF_UNIX`. */
  readonly family: number;
  /** `SOCK_STREAM` or `SOCK_DGRAM`. */
  readonly type: number;
  /** Protocol number (0: the default). */
  readonly proto: number;
  private timeout: number | undefined = undefined;
  private isClosed = false;
  // The socket in use: a StreamSocket once connecting (or wrapping a net.Socket), a
  // ListenerSocket once listening, a DatagramSocket for SOCK_DGRAM; null before.
  private role: Role | null = null;
  // The address given to bind() (a Unix socket's name; where a TCP socket listens or
  // connects from).
  private bound: ParsedAddress | null = null;
  private readonly options = new SocketOptions();

  /**
   * Wrap a Node socket object, or make an unconnected socket from `{ family, type, proto }`.
   * Unix datagram sockets (`AF_UNIX` + `SOCK_DGRAM`) are refused: Node cannot make them.
   * @example
   * import * as net from 'node:net';
   * import { AF_INET6, SOCK_DGRAM, Socket } from '@curio/io';
   *
   * const port = 25000;
   * const sock = new Socket(net.connect(port, '127.0.0.1')); // wrap a Node socket
   * const fresh = new Socket({ family: AF_INET6, type: SOCK_DGRAM }); // or make a new one
   */
  constructor(sockobj: RawSocket | SocketInit, options?: WrapOptions) {
    if (sockobj instanceof net.Socket) {
      this.family = options?.family ?? Socket.familyOfStream(sockobj);
      this.type = SOCK_STREAM;
      this.proto = 0;
      const stream = new StreamSocket(this.family, this.options);
      stream.adopt(sockobj);
      this.role = stream;
    } else if (sockobj instanceof net.Server) {
      const address = sockobj.address();
      this.family =
        options?.family ??
        (typeof address === 'string' ? AF_UNIX : familyOf(address?.family, AF_INET));
      this.type = SOCK_STREAM;
      this.proto = 0;
      this.role = new ListenerSocket(sockobj, this.family, this.options);
    } else if (sockobj instanceof dgram.Socket) {
      this.type = SOCK_DGRAM;
      this.proto = 0;
      this.family = options?.family ?? (dgramType(sockobj) === 'udp6' ? AF_INET6 : AF_INET);
      const datagram = new DatagramSocket(this.family, this.options);
      datagram.adopt(sockobj);
      this.role = datagram;
    } else if (sockobj !== null && typeof sockobj === 'object' && !('on' in sockobj)) {
      const init = sockobj as SocketInit;
      const family = init.family ?? AF_INET;
      const type = init.type ?? SOCK_STREAM;
      const proto = init.proto ?? 0;
      if (family !== AF_INET && family !== AF_INET6 && family !== AF_UNIX) {
        throw new TypeError(
          `Socket(family): family must be AF_INET, AF_INET6 or AF_UNIX, got ${describe(family)}`,
        );
      }
      if (type !== SOCK_STREAM && type !== SOCK_DGRAM) {
        throw new TypeError(
          `Socket(type): type must be SOCK_STREAM or SOCK_DGRAM, got ${describe(type)}`,
        );
      }
      if (typeof proto !== 'number' || !Number.isInteger(proto) || proto < 0) {
        throw new TypeError(`Socket(proto): proto must be an integer >= 0, got ${describe(proto)}`);
      }
      if (family === AF_UNIX && type === SOCK_DGRAM) {
        throw new UnsupportedOperation(
          'Socket(AF_UNIX, SOCK_DGRAM): Unix datagram sockets are not supported by Node.js',
        );
      }
      this.family = family;
      this.type = type;
      this.proto = proto;
      if (type === SOCK_DGRAM) this.role = new DatagramSocket(family, this.options);
    } else {
      throw new TypeError(
        `Socket(sockobj): sockobj must be a net.Socket, net.Server, dgram.Socket or { family, type }, got ${describe(sockobj)}`,
      );
    }
  }

  private static familyOfStream(sock: net.Socket): number {
    if (sock.remoteFamily !== undefined) return familyOf(sock.remoteFamily, AF_INET);
    return isPipeHandle(sock) ? AF_UNIX : AF_INET;
  }

  // ---- state ---------------------------------------------------------------------------

  /** The wrapped Node object (`net.Socket`, `net.Server`, `dgram.Socket`), or null if none yet. */
  get raw(): RawSocket | null {
    const role = this.role;
    if (role instanceof StreamSocket) return role.conn;
    if (role instanceof ListenerSocket) return role.server;
    return role?.udp ?? null;
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.isClosed;
  }

  private checkOpen(fn: string): void {
    if (this.isClosed) throw closedError(fn);
  }

  // The stream connection, made on first use (connect, socketpair).
  private streamRole(): StreamSocket {
    if (this.role instanceof StreamSocket) return this.role;
    const stream = new StreamSocket(this.family, this.options);
    this.role = stream;
    return stream;
  }

  // The connected stream's Channel now (the fast path of recv and send), else null.
  private channelNow(): Channel | null {
    const role = this.role;
    return role instanceof StreamSocket && !this.isClosed ? role.channel : null;
  }

  // The connected stream's Channel, once any connect in progress has finished.
  private *stream(fn: string): Coro<Channel> {
    if (this.isClosed) throw closedError(fn);
    const role = this.role;
    if (role instanceof StreamSocket) return yield* role.channelFor(fn, this.timeout);
    throw notConnectedError(fn, role instanceof ListenerSocket);
  }

  // The UDP role, or EBADF once closed.
  private datagram(fn: string): DatagramSocket {
    this.checkOpen(fn);
    return this.role as DatagramSocket;
  }

  /**
   * @internal Become the connected end that `connection` resolves to (used by `socketpair`,
   * whose accepting end arrives after the call returns). Blocking calls wait for it.
   */
  _adoptLater(connection: Promise<net.Socket>): void {
    this.streamRole().adoptLater(connection);
  }

  /** @internal The connected Channel, waiting for a pending connection (for Stream). */
  *_channel(fn: string): Coro<Channel> {
    return yield* this.stream(fn);
  }

  // ---- receiving -----------------------------------------------------------------------

  /**
   * Receive up to `maxbytes` bytes; waits until at least one is there. An empty Buffer
   * means end of file. On a UDP socket, one datagram (truncated to `maxbytes`).
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* readSome(sock: Socket) {
   *   const data = yield* sock.recv(65536);
   *   if (data.length === 0) console.log('peer closed');
   *   return data;
   * }
   */
  *recv(maxbytes: number, flags = 0): Coro<Buffer> {
    checkSize('Socket.recv', 'maxbytes', maxbytes);
    checkFlags('Socket.recv', flags);
    if (this.type === SOCK_DGRAM) return (yield* this.recvDatagram('Socket.recv', maxbytes))[0];
    const channel = this.channelNow() ?? (yield* this.stream('Socket.recv'));
    if (maxbytes === 0) return EMPTY;
    // Data already buffered is returned without a trap, as curio's recv does.
    for (;;) {
      const data = channel.tryRead('Socket.recv', maxbytes);
      if (data !== null) return data;
      yield* channel.waitReadable('Socket.recv', this.timeout);
    }
  }

  /**
   * Receive up to `nbytes` (0: `buffer.length`) bytes into `buffer`; returns the count.
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* readInto(sock: Socket) {
   *   const buf = Buffer.alloc(4096);
   *   const n = yield* sock.recvInto(buf); // Python: recv_into
   *   return buf.subarray(0, n);
   * }
   */
  *recvInto(buffer: Uint8Array, nbytes = 0, flags = 0): Coro<number> {
    const target = toBuffer('Socket.recvInto', 'buffer', buffer);
    const n = this.intoSize('Socket.recvInto', target, nbytes);
    const data = yield* this.recv(n, flags);
    data.copy(target);
    return data.length;
  }

  private intoSize(fn: string, buffer: Buffer, nbytes: unknown): number {
    checkSize(fn, 'nbytes', nbytes);
    if (nbytes > buffer.length) {
      throw new RangeError(
        `${fn}(nbytes): nbytes must not exceed buffer.length ${buffer.length}, got ${nbytes}`,
      );
    }
    return nbytes === 0 ? buffer.length : nbytes;
  }

  /**
   * Receive up to `maxsize` bytes and the sender's address: `[data, address]`. On a stream
   * socket the address is `null` (as Python on a connected TCP socket).
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* receive(udp: Socket) {
   *   const [data, address] = yield* udp.recvfrom(2048); // address: [host, port]
   *   return { data, address };
   * }
   */
  *recvfrom(maxsize: number, flags = 0): Coro<[Buffer, Address | null]> {
    checkSize('Socket.recvfrom', 'maxsize', maxsize);
    checkFlags('Socket.recvfrom', flags);
    if (this.type === SOCK_DGRAM) return yield* this.recvDatagram('Socket.recvfrom', maxsize);
    return [yield* this.recv(maxsize), null];
  }

  /**
   * Receive into `buffer` (up to `nbytes`, 0: all of it): `[count, address]`.
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* receiveInto(udp: Socket, buf: Buffer) {
   *   const [n, address] = yield* udp.recvfromInto(buf); // Python: recvfrom_into
   *   return { n, address };
   * }
   */
  *recvfromInto(buffer: Uint8Array, nbytes = 0, flags = 0): Coro<[number, Address | null]> {
    const target = toBuffer('Socket.recvfromInto', 'buffer', buffer);
    const n = this.intoSize('Socket.recvfromInto', target, nbytes);
    const [data, address] = yield* this.recvfrom(n, flags);
    data.copy(target);
    return [data.length, address];
  }

  /**
   * Receive data as Python's `recvmsg`: `[data, ancdata, msgFlags, address]`. Node cannot
   * receive ancillary data: `ancbufsize` must be 0 (else `UnsupportedOperation`); `ancdata`
   * is always `[]` and `msgFlags` 0.
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* receiveMessage(udp: Socket) {
   *   const [data, , , address] = yield* udp.recvmsg(2048); // [data, ancdata, flags, address]
   *   return { data, address };
   * }
   */
  *recvmsg(
    bufsize: number,
    ancbufsize = 0,
    flags = 0,
  ): Coro<[Buffer, never[], number, Address | null]> {
    checkSize('Socket.recvmsg', 'bufsize', bufsize);
    this.checkAncbufsize('Socket.recvmsg', ancbufsize);
    const [data, address] = yield* this.recvfrom(bufsize, flags);
    return [data, [], 0, address];
  }

  /**
   * Scatter received data over `buffers`: `[nbytes, ancdata, msgFlags, address]`. Same limits
   * as {@link Socket.recvmsg}.
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* receiveParts(sock: Socket) {
   *   const header = Buffer.alloc(8);
   *   const body = Buffer.alloc(1024);
   *   const [n] = yield* sock.recvmsgInto([header, body]); // fills header, then body
   *   return n;
   * }
   */
  *recvmsgInto(
    buffers: Uint8Array[],
    ancbufsize = 0,
    flags = 0,
  ): Coro<[number, never[], number, Address | null]> {
    if (!Array.isArray(buffers)) {
      throw new TypeError(
        `Socket.recvmsgInto(buffers): buffers must be an array of Buffers, got ${describe(buffers)}`,
      );
    }
    const targets = buffers.map((b) => toBuffer('Socket.recvmsgInto', 'buffers[i]', b));
    this.checkAncbufsize('Socket.recvmsgInto', ancbufsize);
    const total = targets.reduce((sum, b) => sum + b.length, 0);
    const [data, address] = yield* this.recvfrom(total, flags);
    let offset = 0;
    for (const target of targets) {
      if (offset >= data.length) break;
      offset += data.copy(target, 0, offset);
    }
    return [data.length, [], 0, address];
  }

  private checkAncbufsize(fn: string, ancbufsize: unknown): void {
    checkSize(fn, 'ancbufsize', ancbufsize);
    if (ancbufsize !== 0) {
      throw new UnsupportedOperation(
        `${fn}(ancbufsize): ancillary data is not supported by Node.js (ancbufsize must be 0), got ${ancbufsize}`,
      );
    }
  }

  private *recvDatagram(fn: string, maxsize: number): Coro<Datagram> {
    return yield* this.datagram(fn).recv(fn, maxsize, this.timeout);
  }

  // ---- sending -------------------------------------------------------------------------

  /**
   * Send `data`; returns how many bytes were taken (always all of them). Returns once the
   * OS has taken the data (at once when it fits in the socket buffer), so `data` may be
   * reused, as after Python's `send`. Node keeps no copy.
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* ping(sock: Socket) {
   *   const n = yield* sock.send(Buffer.from('ping')); // how many bytes were taken
   *   return n;
   * }
   */
  *send(data: Uint8Array, flags = 0): Coro<number> {
    const buf = toBuffer('Socket.send', 'data', data);
    checkFlags('Socket.send', flags);
    if (this.type === SOCK_DGRAM) return yield* this.sendDatagram('Socket.send', buf, null);
    const channel = this.channelNow() ?? (yield* this.stream('Socket.send'));
    return yield* channel.writer.send('Socket.send', buf, this.timeout);
  }

  /**
   * Send all of `data`, in pieces of at most 256 KiB, each once the OS has taken the one
   * before; returns when the OS has all of it (`data` may then be reused). If it is
   * cancelled, times out or fails part-way, the error raised (`CancelledError`,
   * `TaskTimeout`, ...) has a `bytesSent` property: the bytes handed to Node before it
   * stopped (those are still delivered).
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* sendAll(sock: Socket, bigBuffer: Buffer) {
   *   try {
   *     yield* sock.sendall(bigBuffer);
   *   } catch (e) {
   *     console.log('sent', (e as { bytesSent?: number }).bytesSent, 'bytes before', e);
   *     throw e;
   *   }
   * }
   */
  *sendall(data: Uint8Array, flags = 0): Coro<void> {
    const buf = toBuffer('Socket.sendall', 'data', data);
    checkFlags('Socket.sendall', flags);
    if (this.type === SOCK_DGRAM) {
      yield* this.sendDatagram('Socket.sendall', buf, null);
      return;
    }
    let channel: Channel;
    let piece: Piece;
    try {
      channel = this.channelNow() ?? (yield* this.stream('Socket.sendall'));
      // Fast path: one piece, usually taken by the OS at once.
      piece = channel.writer.sendPiece('Socket.sendall', buf);
    } catch (err) {
      throw withBytesSent(err, 0);
    }
    if (piece === Piece.SENT) return;
    if (piece === Piece.TOO_BIG) {
      yield* channel.writer.sendall('Socket.sendall', buf, this.timeout);
      return;
    }
    try {
      yield* channel.writer.waitWritten('Socket.sendall', this.timeout);
    } catch (err) {
      throw withBytesSent(err, buf.length);
    }
  }

  /**
   * Send a datagram to `address`; returns the byte count. Also `sendto(data, flags, address)`.
   * On a connected stream socket the address is ignored.
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* ping(udp: Socket) {
   *   yield* udp.sendto(Buffer.from('ping'), ['127.0.0.1', 9999]);
   * }
   */
  sendto(data: Uint8Array, address: Address): Coro<number>;
  sendto(data: Uint8Array, flags: number, address: Address): Coro<number>;
  *sendto(data: Uint8Array, flagsOrAddress: number | Address, address?: Address): Coro<number> {
    const buf = toBuffer('Socket.sendto', 'data', data);
    let target: unknown = flagsOrAddress;
    if (typeof flagsOrAddress === 'number' || address !== undefined) {
      checkFlags('Socket.sendto', flagsOrAddress);
      target = address;
    }
    const parsed = parseAddress('Socket.sendto', this.family, target);
    if (this.type === SOCK_STREAM) return yield* this.send(buf);
    return yield* this.sendDatagram('Socket.sendto', buf, parsed);
  }

  /**
   * Send the concatenation of `buffers` (to `address` on an unconnected UDP socket); returns
   * the byte count. Node cannot send ancillary data: a non-empty `ancdata` raises
   * `UnsupportedOperation`.
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* sendParts(sock: Socket, header: Buffer, body: Buffer) {
   *   yield* sock.sendmsg([header, body]); // one write of both buffers
   * }
   */
  *sendmsg(
    buffers: Uint8Array[],
    ancdata: unknown[] = [],
    flags = 0,
    address?: Address | null,
  ): Coro<number> {
    if (!Array.isArray(buffers)) {
      throw new TypeError(
        `Socket.sendmsg(buffers): buffers must be an array of Buffers, got ${describe(buffers)}`,
      );
    }
    const parts = buffers.map((b) => toBuffer('Socket.sendmsg', 'buffers[i]', b));
    if (!Array.isArray(ancdata)) {
      throw new TypeError(
        `Socket.sendmsg(ancdata): ancdata must be an array, got ${describe(ancdata)}`,
      );
    }
    if (ancdata.length > 0) {
      throw new UnsupportedOperation(
        `Socket.sendmsg(ancdata): ancillary data is not supported by Node.js, got ${ancdata.length} item(s)`,
      );
    }
    checkFlags('Socket.sendmsg', flags);
    const data = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    if (address !== undefined && address !== null) return yield* this.sendto(data, address);
    if (this.type === SOCK_DGRAM) return yield* this.sendDatagram('Socket.sendmsg', data, null);
    yield* this.sendall(data);
    return data.length;
  }

  private *sendDatagram(fn: string, data: Buffer, to: ParsedAddress | null): Coro<number> {
    return yield* this.datagram(fn).send(fn, data, to, this.timeout);
  }

  // ---- connections ---------------------------------------------------------------------

  /**
   * Bind to a local address (`[host, port]`, or a path for AF_UNIX). `host` `''` means every
   * interface; port 0 picks a free port (see `getsockname()`). For TCP and Unix stream
   * sockets the address is used by the following `listen()` or `connect()`; UDP sockets bind
   * at once.
   * @example
   * ```ts run
   * import { run } from '@curio/kernel';
   * import { AF_INET, SOCK_STREAM, Socket } from '@curio/io';
   *
   * await run(function* () {
   *   const sock = new Socket({ family: AF_INET, type: SOCK_STREAM });
   *   sock.bind(['127.0.0.1', 0]);
   *   sock.listen(100);
   *   const [, port] = sock.getsockname() as [string, number];
   *   console.log(port > 0); // true: the port the system picked
   *   yield* sock.close();
   * }());
   * ```
   */
  bind(address: Address): void {
    this.checkOpen('Socket.bind');
    const parsed = parseAddress('Socket.bind', this.family, address);
    if (this.raw !== null || this.bound !== null) {
      throw systemError('Socket.bind: the socket is already bound', 'EINVAL');
    }
    // As bind(2), a UDP socket binds at once (and raises EADDRINUSE now).
    if (this.role instanceof DatagramSocket) this.role.bind(parsed);
    this.bound = parsed;
  }

  /**
   * Start listening for connections (at the address given to `bind`, else any port on every
   * interface); `backlog` bounds the kernel's queue of unaccepted connections. Accepted
   * connections wait in `accept()`'s queue.
   * @example
   * import { AF_INET, SOCK_STREAM, Socket } from '@curio/io';
   *
   * const sock = new Socket({ family: AF_INET, type: SOCK_STREAM });
   * sock.bind(['127.0.0.1', 25000]);
   * sock.listen(5);
   */
  listen(backlog = DEFAULT_BACKLOG): void {
    this.checkOpen('Socket.listen');
    if (typeof backlog !== 'number' || !Number.isInteger(backlog)) {
      throw new TypeError(
        `Socket.listen(backlog): backlog must be an integer, got ${describe(backlog)}`,
      );
    }
    const role = this.role;
    if (role instanceof ListenerSocket) return;
    if (this.type !== SOCK_STREAM) {
      throw systemError('Socket.listen: only SOCK_STREAM sockets can listen', 'EOPNOTSUPP');
    }
    if (role instanceof StreamSocket && role.inUse) {
      throw systemError('Socket.listen: the socket is connected', 'EISCONN');
    }
    const listener = ListenerSocket.create(this.family, this.bound, this.options);
    this.role = listener;
    listener.start(this.bound, Math.max(0, backlog));
  }

  /**
   * Wait for a connection: `[client, address]`, the client a new connected `Socket`.
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* acceptOne(server: Socket) {
   *   const [client, address] = yield* server.accept();
   *   console.log('connection from', address);
   *   return client;
   * }
   */
  *accept(): Coro<[Socket, Address]> {
    this.checkOpen('Socket.accept');
    const role = this.role;
    if (!(role instanceof ListenerSocket)) {
      throw systemError('Socket.accept: the socket is not listening (call listen first)', 'EINVAL');
    }
    const [conn, address] = yield* role.accept(this.timeout);
    const client = new Socket(conn, { family: this.family });
    if (this.family === AF_UNIX) client.bound = this.bound; // named after the listener
    return [client, address];
  }

  /**
   * Connect to `address`: `[host, port]` (host names are resolved by Node, in this socket's
   * family) or a Unix socket path. Raises Node's error (`code` `'ECONNREFUSED'`, ...) on
   * failure; a cancelled or timed-out connect is abandoned and its socket destroyed.
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* dial(sock: Socket) {
   *   yield* sock.connect(['127.0.0.1', 25000]);
   * }
   */
  *connect(address: Address): Coro<void> {
    this.checkOpen('Socket.connect');
    const parsed = parseAddress('Socket.connect', this.family, address);
    const role = this.role;
    if (role instanceof DatagramSocket) {
      yield* role.connect(parsed, this.timeout);
      return;
    }
    if (role instanceof StreamSocket && role.inUse) {
      throw systemError('Socket.connect: the socket is already connected', 'EISCONN');
    }
    if (role instanceof ListenerSocket) {
      throw systemError('Socket.connect: the socket is listening', 'EINVAL');
    }
    if (this.family === AF_UNIX && this.bound !== null) {
      throw new UnsupportedOperation(
        'Socket.connect: Node.js cannot bind a Unix client socket to a path before connecting',
      );
    }
    yield* this.streamRole().connect(parsed, this.bound, this.timeout);
  }

  /**
   * Like `connect`, but returns the error number instead of raising (0 on success;
   * e.g. 111, ECONNREFUSED on Linux). Bad arguments, cancellation and timeouts still raise.
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* probe(sock: Socket) {
   *   const err = yield* sock.connectEx(['127.0.0.1', 1]); // Python: connect_ex; 0 on success
   *   return err === 0;
   * }
   */
  *connectEx(address: Address): Coro<number> {
    parseAddress('Socket.connectEx', this.family, address);
    try {
      yield* this.connect(address);
      return 0;
    } catch (err) {
      if (isSystemError(err)) return errnoOf(err);
      throw err;
    }
  }

  /**
   * Wait until the TLS handshake of a socket wrapping a `tls.TLSSocket` has finished (Node
   * runs the handshake itself). On a client made by `tls.connect` this includes the
   * verification of the server's certificate (and name): a rejected peer raises Node's
   * verification error (`code` e.g. `'DEPTH_ZERO_SELF_SIGNED_CERT'`,
   * `'ERR_TLS_CERT_ALTNAME_INVALID'`). A connection that ends or closes during the handshake
   * raises `ECONNRESET`. Raises `UnsupportedOperation` on a plain socket.
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* secure(tlsSock: Socket) {
   *   yield* tlsSock.doHandshake(); // Python: do_handshake
   * }
   */
  *doHandshake(): Coro<void> {
    this.checkOpen('Socket.doHandshake');
    const role = this.role;
    if (!(role instanceof StreamSocket)) {
      throw notConnectedError('Socket.doHandshake', role instanceof ListenerSocket);
    }
    yield* role.doHandshake(this.timeout);
  }

  /**
   * Close the socket and wait until Node has released it. Data already handed to
   * `send`/`sendall` and not yet written is still delivered, as by an OS socket: the socket
   * then ends in the background (without keeping the process alive) and `close` returns at
   * once. Closing twice is harmless. Tasks blocked on this socket wake with an `EBADF` error.
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* bye(sock: Socket) {
   *   yield* sock.close();
   * }
   */
  *close(): Coro<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    const role = this.role;
    if (role instanceof StreamSocket) yield* role.close(this.timeout);
    else if (role !== null) yield* role.close();
  }

  /**
   * Give up the Node object without closing it (Python's `socket.detach()`, what
   * `ssl.wrap_socket` does to the socket it wraps): returns the `net.Socket`, `net.Server` or
   * `dgram.Socket` (null if the socket had none, or was already closed) and marks this
   * Socket closed. Bytes received and not yet read are put back into the Node stream's
   * buffer (`unshift`), so whoever takes it over reads them first; this Socket's listeners
   * are removed (connections accepted and datagrams received but not yet taken are dropped).
   * Tasks blocked on this Socket, and its Streams, raise `EBADF` from then on.
   * @example
   * import type * as net from 'node:net';
   * import * as tls from 'node:tls';
   * import { Socket } from '@curio/io';
   *
   * function upgrade(sock: Socket) {
   *   const raw = sock.detach() as net.Socket;
   *   return new Socket(tls.connect({ socket: raw, servername: 'example.com' }));
   * }
   */
  detach(): RawSocket | null {
    if (this.isClosed) return null;
    this.isClosed = true;
    return this.role?.detach() ?? null;
  }

  // ---- streams and context -------------------------------------------------------------

  /**
   * A {@link Stream} over this socket (`'rb'` to read, `'wb'` to write, `'rwb'` both). It
   * shares this socket's read buffer; closing it flushes it but leaves the socket open.
   * `buffering` is accepted for compatibility; writes go straight to Node's buffer.
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* firstLine(sock: Socket) {
   *   const reader = sock.makefile('rb');
   *   return yield* reader.readline();
   * }
   */
  makefile(mode: FileMode = 'rb', buffering = 0): Stream {
    this.checkOpen('Socket.makefile');
    if (this.type !== SOCK_STREAM) {
      throw new UnsupportedOperation('Socket.makefile: only SOCK_STREAM sockets make streams');
    }
    if (mode !== 'rb' && mode !== 'wb' && mode !== 'rwb') {
      throw new TypeError(
        `Socket.makefile(mode): mode must be 'rb', 'wb' or 'rwb', got ${describe(mode)}`,
      );
    }
    if (typeof buffering !== 'number' || !Number.isInteger(buffering)) {
      throw new TypeError(
        `Socket.makefile(buffering): buffering must be an integer, got ${describe(buffering)}`,
      );
    }
    const role = this.role;
    if (!(role instanceof StreamSocket && role.inUse)) {
      throw notConnectedError('Socket.makefile', role instanceof ListenerSocket);
    }
    return makeSocketStream(this, mode, this.timeout);
  }

  /**
   * `[reader, writer]`: `makefile('rb')` and `makefile('wb')`.
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function* echoLine(sock: Socket) {
   *   const [reader, writer] = sock.makeStreams(); // Python: make_streams
   *   yield* writer.write(yield* reader.readline());
   * }
   */
  makeStreams(buffering = 0): [Stream, Stream] {
    return [this.makefile('rb', buffering), this.makefile('wb', buffering)];
  }

  /**
   * A context manager handing out the raw Node object (see {@link Blocking}).
   * @example
   * import { asyncWith } from '@curio/kernel';
   * import type { Socket } from '@curio/io';
   *
   * function* inspect(sock: Socket) {
   *   yield* asyncWith(sock.blocking(), function* (raw) {
   *     console.log(raw); // the Node socket underneath
   *   });
   * }
   */
  blocking(): Blocking<RawSocket> {
    this.checkOpen('Socket.blocking');
    const raw = this.raw;
    if (raw === null) throw notConnectedError('Socket.blocking');
    return new Blocking(raw);
  }

  /**
   * Set the timeout (ms) of every later blocking call; `null` waits forever. A call that
   * runs out raises `TaskTimeout`.
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function patient(sock: Socket) {
   *   sock.settimeout(5000); // every later wait raises TaskTimeout after 5 s; null: no limit
   * }
   */
  settimeout(ms: number | null): void {
    this.timeout = checkTimeoutValue('Socket.settimeout', ms);
  }

  /** The timeout set by `settimeout` (ms), or null. */
  gettimeout(): number | null {
    return this.timeout ?? null;
  }

  /** `async with`: hands out the socket. */
  *enter(): Coro<Socket> {
    return this;
  }

  /** `async with`: closes the socket. */
  *exit(_error?: unknown): Coro<boolean> {
    yield* this.close();
    return false;
  }

  /**
   * `asyncFor` protocol: the next line (as `readline`), done at end of file.
   * @example
   * import { asyncFor } from '@curio/kernel';
   * import type { Socket } from '@curio/io';
   *
   * function* echoLines(sock: Socket) {
   *   yield* asyncFor(sock, function* (line) {
   *     yield* sock.sendall(line);
   *   });
   * }
   */
  *next(): Coro<IteratorResult<Buffer, undefined>> {
    const channel = yield* this.stream('Socket.next');
    const line = yield* channel.readline('Socket.next', this.timeout);
    return line.length === 0 ? { done: true, value: undefined } : { done: false, value: line };
  }

  // ---- plain socket methods ------------------------------------------------------------

  /**
   * Set a socket option. Supported: `SOL_SOCKET`/`SO_REUSEADDR` (recorded; TCP listening
   * sockets always reuse, UDP applies it at bind), `IPPROTO_TCP`/`TCP_NODELAY`,
   * `SOL_SOCKET`/`SO_KEEPALIVE`, and `SO_RCVBUF`/`SO_SNDBUF` on UDP sockets. Others raise
   * `UnsupportedOperation`.
   * @example
   * import { AF_INET, SO_REUSEADDR, SOCK_STREAM, SOL_SOCKET, Socket } from '@curio/io';
   *
   * const sock = new Socket({ family: AF_INET, type: SOCK_STREAM });
   * sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
   */
  setsockopt(level: number, option: number, value: number | boolean): void {
    this.checkOpen('Socket.setsockopt');
    if (typeof value !== 'number' && typeof value !== 'boolean') {
      throw new TypeError(
        `Socket.setsockopt(value): value must be a number or boolean, got ${describe(value)}`,
      );
    }
    const n = Number(value);
    const role = this.role;
    // A bound UDP socket: its OS socket exists.
    const udp = role instanceof DatagramSocket && role.udp !== null && this.bound !== null;
    if (level === SOL_SOCKET && option === SO_REUSEADDR) {
      if (udp) {
        throw new UnsupportedOperation(
          'Socket.setsockopt(SO_REUSEADDR): Node.js applies it only before a UDP socket is bound',
        );
      }
    } else if (level === IPPROTO_TCP && option === TCP_NODELAY) {
      this.checkStreamOption('TCP_NODELAY');
      if (role instanceof StreamSocket) role.conn?.setNoDelay(n !== 0);
    } else if (level === SOL_SOCKET && option === SO_KEEPALIVE) {
      this.checkStreamOption('SO_KEEPALIVE');
      if (role instanceof StreamSocket) role.conn?.setKeepAlive(n !== 0);
    } else if (level === SOL_SOCKET && (option === SO_RCVBUF || option === SO_SNDBUF)) {
      const name = option === SO_RCVBUF ? 'SO_RCVBUF' : 'SO_SNDBUF';
      if (this.type !== SOCK_DGRAM) {
        throw new UnsupportedOperation(
          `Socket.setsockopt(${name}): Node.js supports it on UDP sockets only`,
        );
      }
      if (udp) (role as DatagramSocket).setBufferSize(option, n);
    } else {
      throw new UnsupportedOperation(
        `Socket.setsockopt: option ${option} at level ${level} is not supported by Node.js`,
      );
    }
    this.options.set(level, option, n);
  }

  private checkStreamOption(name: string): void {
    if (this.type !== SOCK_STREAM) {
      throw new UnsupportedOperation(`Socket.setsockopt(${name}): only for SOCK_STREAM sockets`);
    }
  }

  /**
   * The value of an option set by `setsockopt` (0 if never set); `SO_RCVBUF`/`SO_SNDBUF` of
   * a bound UDP socket are read from the OS.
   * @example
   * import { IPPROTO_TCP, type Socket, TCP_NODELAY } from '@curio/io';
   *
   * function noDelay(sock: Socket) {
   *   return sock.getsockopt(IPPROTO_TCP, TCP_NODELAY) === 1;
   * }
   */
  getsockopt(level: number, option: number): number {
    this.checkOpen('Socket.getsockopt');
    const known =
      (level === SOL_SOCKET &&
        (option === SO_REUSEADDR ||
          option === SO_KEEPALIVE ||
          option === SO_RCVBUF ||
          option === SO_SNDBUF)) ||
      (level === IPPROTO_TCP && option === TCP_NODELAY);
    if (!known) {
      throw new UnsupportedOperation(
        `Socket.getsockopt: option ${option} at level ${level} is not supported by Node.js`,
      );
    }
    const role = this.role;
    const udp = role instanceof DatagramSocket && role.udp !== null && this.bound !== null;
    if (udp && level === SOL_SOCKET && (option === SO_RCVBUF || option === SO_SNDBUF)) {
      return role.bufferSize(option);
    }
    return this.options.get(level, option) ?? 0;
  }

  /**
   * The local address: `[host, port]` (`[host, port, 0, 0]` for AF_INET6), or the path of a
   * Unix socket (an accepted one has its listener's path; `''` if unnamed).
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function localAddress(sock: Socket) {
   *   const [host, port] = sock.getsockname() as [string, number];
   *   return `${host}:${port}`;
   * }
   */
  getsockname(): Address {
    this.checkOpen('Socket.getsockname');
    const role = this.role;
    const bound = this.bound;
    if (role instanceof ListenerSocket) return role.sockname();
    const address = role?.sockname(bound) ?? null;
    if (address !== null) return address;
    if (bound !== null) return bound.path ?? formatAddress(this.family, bound.host, bound.port);
    return formatAddress(this.family, undefined, 0);
  }

  /**
   * The remote address of a connected socket: `[host, port]`, or for AF_UNIX the path this
   * socket connected to (`''` on the accepting side, whose peer is unnamed).
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function peerAddress(sock: Socket) {
   *   const [host, port] = sock.getpeername() as [string, number];
   *   return `${host}:${port}`;
   * }
   */
  getpeername(): Address {
    this.checkOpen('Socket.getpeername');
    const role = this.role;
    const address = role instanceof ListenerSocket ? null : (role?.peername() ?? null);
    if (address === null) {
      throw notConnectedError('Socket.getpeername', role instanceof ListenerSocket);
    }
    return address;
  }

  /**
   * Shut down one or both directions: `SHUT_WR` ends the sending side (the peer reads end
   * of file once buffered data is delivered); `SHUT_RD` makes later reads return end of
   * file; `SHUT_RDWR` both.
   * @example
   * import { SHUT_WR, type Socket } from '@curio/io';
   *
   * function doneSending(sock: Socket) {
   *   sock.shutdown(SHUT_WR); // the peer reads end of file; we can still receive
   * }
   */
  shutdown(how: number): void {
    this.checkOpen('Socket.shutdown');
    if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) {
      throw new TypeError(
        `Socket.shutdown(how): how must be SHUT_RD, SHUT_WR or SHUT_RDWR, got ${describe(how)}`,
      );
    }
    const role = this.role;
    if (!(role instanceof StreamSocket)) {
      throw notConnectedError('Socket.shutdown', role instanceof ListenerSocket);
    }
    role.shutdown(how);
  }

  /**
   * The OS file descriptor where Node exposes it (its internal handle's `fd`), else -1
   * (e.g. before connect, after close, or for TLS sockets).
   * @example
   * import type { Socket } from '@curio/io';
   *
   * function describe(sock: Socket) {
   *   console.log(sock.fileno());
   * }
   */
  fileno(): number {
    return this.isClosed || this.role === null ? -1 : this.role.fileno();
  }

  /** A short description for logs. */
  toString(): string {
    const role = this.role;
    const state = this.isClosed
      ? 'closed'
      : role instanceof ListenerSocket
        ? 'listening'
        : this.raw === null
          ? 'new'
          : role instanceof StreamSocket
            ? 'connected'
            : 'udp';
    return `Socket(${familyName(this.family)}, ${this.type === SOCK_DGRAM ? 'SOCK_DGRAM' : 'SOCK_STREAM'}, ${state})`;
  }
}
