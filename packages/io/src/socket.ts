import cluster from 'node:cluster';
import dgram from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import net from 'node:net';
import { constants as osConstants } from 'node:os';
import {
  type AsyncContextManager,
  type AsyncIterableLike,
  type Coro,
  CurioError,
  futureWait,
  readWait,
} from '@curio/kernel';
import {
  type Address,
  bindHost,
  familyName,
  familyOf,
  formatAddress,
  isIpLiteral,
  type ParsedAddress,
  parseAddress,
} from './address.js';
import { Blocking } from './blocking.js';
import { Channel, EMPTY, waitClosed } from './channel.js';
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
  systemError,
  toBuffer,
  UnsupportedOperation,
} from './errors.js';
import { Inbox } from './inbox.js';
import { type FileMode, makeSocketStream, type Stream } from './stream.js';

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
// Node 22's default buffer size for sockets (Node 20 uses 16 KiB): fewer wake-ups per megabyte.
const HIGH_WATER_MARK = 64 * 1024;

type Datagram = [Buffer, Address];
// The state a tls.TLSSocket exposes (Node internals: doHandshake reads them).
type TlsLike = net.Socket & {
  encrypted?: boolean;
  _secureEstablished?: boolean;
  secureConnecting?: boolean;
  _tlsOptions?: { isServer?: boolean };
};
// What wakes a doHandshake besides the handshake's own event.
const WAKE_EVENTS = ['error', 'close', 'end'] as const;
type Connection = [Socket, Address];

function optionKey(level: number, option: number): string {
  return `${level}:${option}`;
}

// Node's dgram and net resolve host names before binding; an IP literal resolves at once
// here so bind() finishes (or fails) before it returns, as in Python.
function lookupNow(
  hostname: string,
  options: number | LookupOneOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = net.isIP(hostname);
  if (family !== 0 && typeof options !== 'object') {
    callback(null, hostname, family);
    return;
  }
  if (family !== 0 && !(options as { all?: boolean }).all) {
    callback(null, hostname, family);
    return;
  }
  dnsLookup(hostname, options as LookupOneOptions, callback);
}

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

// As the kernel does for streams (and curio's ResourceBusy): one waiting reader per socket.
function busyError(fn: string): CurioError {
  return new CurioError(`${fn}: another task is already waiting to read this socket`);
}

function handleFd(obj: unknown): number {
  const fd = (obj as { _handle?: { fd?: unknown } } | null)?._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}

/**
 * A curio socket: wraps a Node `net.Socket` (a TCP or Unix stream connection), `net.Server`
 * (a listening socket) or `dgram.Socket` (UDP), or starts unconnected (`new Socket({ family,
 * type })`, what `socket()` of `@curio/socket` does) and becomes one of those on `connect`,
 * `listen` or `bind`. Every blocking method is a coroutine that waits only through the
 * kernel's `readWait` and `futureWait` traps.
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
  // Exactly one of conn / server / udp is set once the socket is in use.
  private conn: net.Socket | null = null;
  private channel: Channel | null = null;
  private connecting: Promise<unknown> | null = null;
  private connectingSock: net.Socket | null = null;
  private server: net.Server | null = null;
  private incoming: Inbox<Connection> | null = null;
  private udp: dgram.Socket | null = null;
  private datagrams: Inbox<Datagram> | null = null;
  private udpConnected = false;
  private bound: ParsedAddress | null = null;
  // The path an AF_UNIX client connected to (its peer's name).
  private unixPeer = '';
  private readonly options = new Map<string, number>();
  // Listeners this Socket put on its Node object (removed by detach).
  private hooks: [NodeJS.EventEmitter, string, (...args: unknown[]) => void][] = [];

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
      this.adoptConnection(sockobj);
    } else if (sockobj instanceof net.Server) {
      const address = sockobj.address();
      this.family =
        options?.family ??
        (typeof address === 'string' ? AF_UNIX : familyOf(address?.family, AF_INET));
      this.type = SOCK_STREAM;
      this.proto = 0;
      this.adoptServer(sockobj);
    } else if (sockobj instanceof dgram.Socket) {
      this.type = SOCK_DGRAM;
      this.proto = 0;
      let family = options?.family;
      if (family === undefined) {
        const state = Object.getOwnPropertySymbols(sockobj).find(
          (s) => s.description === 'state symbol',
        );
        const type =
          state && (sockobj as unknown as Record<symbol, { type?: string }>)[state]?.type;
        family = type === 'udp6' ? AF_INET6 : AF_INET;
      }
      this.family = family;
      this.adoptUdp(sockobj);
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
    } else {
      throw new TypeError(
        `Socket(sockobj): sockobj must be a net.Socket, net.Server, dgram.Socket or { family, type }, got ${describe(sockobj)}`,
      );
    }
  }

  private static familyOfStream(sock: net.Socket): number {
    if (sock.remoteFamily !== undefined) return familyOf(sock.remoteFamily, AF_INET);
    const handle = (sock as unknown as { _handle?: { constructor?: { name?: string } } })._handle;
    if (handle?.constructor?.name === 'Pipe') return AF_UNIX;
    return AF_INET;
  }

  // ---- state ---------------------------------------------------------------------------

  /** The wrapped Node object (`net.Socket`, `net.Server`, `dgram.Socket`), or null if none yet. */
  get raw(): RawSocket | null {
    return this.conn ?? this.server ?? this.udp;
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.isClosed;
  }

  private adoptConnection(sock: net.Socket): void {
    this.conn = sock;
    this.channel = Channel.of(sock);
    const nodelay = this.options.get(optionKey(IPPROTO_TCP, TCP_NODELAY));
    if (nodelay !== undefined) sock.setNoDelay(nodelay !== 0);
    const keepalive = this.options.get(optionKey(SOL_SOCKET, SO_KEEPALIVE));
    if (keepalive !== undefined) sock.setKeepAlive(keepalive !== 0);
  }

  private adoptServer(server: net.Server): void {
    const incoming = new Inbox<Connection>();
    this.server = server;
    this.incoming = incoming;
    this.hook(server, 'connection', (conn: net.Socket) => {
      const client = new Socket(conn, { family: this.family });
      const nodelay = this.options.get(optionKey(IPPROTO_TCP, TCP_NODELAY));
      if (nodelay !== undefined) conn.setNoDelay(nodelay !== 0);
      const keepalive = this.options.get(optionKey(SOL_SOCKET, SO_KEEPALIVE));
      if (keepalive !== undefined) conn.setKeepAlive(keepalive !== 0);
      const address =
        this.family === AF_UNIX
          ? ''
          : formatAddress(this.family, conn.remoteAddress, conn.remotePort);
      if (this.family === AF_UNIX) client.bound = this.bound; // named after the listener
      if (incoming.closed) conn.destroy();
      else incoming.push([client, address]);
    });
    this.hook(server, 'error', (err: Error) => incoming.fail(err));
  }

  private adoptUdp(udp: dgram.Socket): void {
    const datagrams = new Inbox<Datagram>();
    this.udp = udp;
    this.datagrams = datagrams;
    this.hook(udp, 'message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      datagrams.push([msg, formatAddress(this.family, rinfo.address, rinfo.port)]);
    });
    this.hook(udp, 'error', (err: Error) => datagrams.fail(err));
  }

  private hook<A extends unknown[]>(
    emitter: NodeJS.EventEmitter,
    event: string,
    fn: (...args: A) => void,
  ): void {
    const listener = fn as unknown as (...args: unknown[]) => void;
    emitter.on(event, listener);
    this.hooks.push([emitter, event, listener]);
  }

  private ensureUdp(): dgram.Socket {
    if (this.udp !== null) return this.udp;
    const recv = this.options.get(optionKey(SOL_SOCKET, SO_RCVBUF));
    const send = this.options.get(optionKey(SOL_SOCKET, SO_SNDBUF));
    const udp = dgram.createSocket({
      type: this.family === AF_INET6 ? 'udp6' : 'udp4',
      reuseAddr: (this.options.get(optionKey(SOL_SOCKET, SO_REUSEADDR)) ?? 0) !== 0,
      lookup: lookupNow as unknown as dgram.SocketOptions['lookup'],
      recvBufferSize: recv,
      sendBufferSize: send,
    });
    this.adoptUdp(udp);
    return udp;
  }

  private checkOpen(fn: string): void {
    if (this.isClosed) throw closedError(fn);
  }

  // The connected stream's Channel, once any connect in progress has finished.
  private *stream(fn: string): Coro<Channel> {
    if (this.isClosed) throw closedError(fn);
    if (this.channel === null && this.connecting !== null) {
      yield* futureWait(this.connecting, { timeout: this.timeout });
      if (this.isClosed) throw closedError(fn);
    }
    if (this.channel === null) throw this.notConnected(fn);
    return this.channel;
  }

  private notConnected(fn: string): Error {
    if (this.server !== null)
      return systemError(`${fn}: the socket is listening, not connected`, 'ENOTCONN');
    return systemError(`${fn}: the socket is not connected`, 'ENOTCONN');
  }

  /**
   * @internal Become the connected end that `connection` resolves to (used by `socketpair`,
   * whose accepting end arrives after the call returns). Blocking calls wait for it.
   */
  _adoptLater(connection: Promise<net.Socket>): void {
    const pending = connection.then(
      (sock) => {
        if (this.isClosed) sock.destroy();
        else this.adoptConnection(sock);
      },
      () => {},
    );
    this.connecting = pending;
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
    const channel = this.channel ?? (yield* this.stream('Socket.recv'));
    if (this.isClosed) throw closedError('Socket.recv');
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
    this.checkOpen(fn);
    const datagrams = this.datagrams;
    if (datagrams === null) {
      throw systemError(
        `${fn}: the UDP socket is not bound (call bind() or sendto() first)`,
        'EINVAL',
      );
    }
    for (;;) {
      const item = datagrams.shift();
      if (item !== undefined) {
        const [data, address] = item;
        return [data.length > maxsize ? data.subarray(0, maxsize) : data, address];
      }
      if (this.isClosed) throw closedError(fn);
      if (datagrams.error !== null) throw datagrams.error;
      if (datagrams.busy) throw busyError(fn);
      yield* readWait(datagrams, { timeout: this.timeout });
    }
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
    const channel = this.channel ?? (yield* this.stream('Socket.send'));
    if (this.isClosed) throw closedError('Socket.send');
    return yield* channel.send('Socket.send', buf, this.timeout);
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
    let channel = this.channel;
    let kept: Promise<void> | null | undefined;
    try {
      channel ??= yield* this.stream('Socket.sendall');
      // Fast path: one piece, usually taken by the OS at once.
      kept = channel.sendPiece('Socket.sendall', buf);
    } catch (err) {
      if (err !== null && typeof err === 'object') (err as { bytesSent?: number }).bytesSent = 0;
      throw err;
    }
    if (kept === null) return;
    if (kept === undefined) {
      yield* channel.sendall('Socket.sendall', buf, this.timeout);
      return;
    }
    try {
      yield* futureWait(kept, { timeout: this.timeout });
    } catch (err) {
      if (err !== null && typeof err === 'object') {
        (err as { bytesSent?: number }).bytesSent = buf.length;
      }
      throw err;
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
    this.checkOpen(fn);
    if (to === null && !this.udpConnected) {
      throw systemError(`${fn}: the UDP socket is not connected (use sendto)`, 'EDESTADDRREQ');
    }
    const udp = this.ensureUdp();
    const copy = Buffer.from(data); // Node reads it after a cancelled send may have returned
    yield* this.udpCall(fn, udp, (done) => {
      if (to === null) udp.send(copy, done);
      else udp.send(copy, to.port, to.host === '' ? undefined : to.host, done);
    });
    return data.length;
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
    if (this.type === SOCK_DGRAM) {
      const udp = this.ensureUdp();
      const datagrams = this.datagrams!;
      udp.bind({ port: parsed.port, address: bindHost(this.family, parsed.host), exclusive: true });
      if (datagrams.error !== null) {
        // As a failed bind(2): the socket stays usable (a later bind makes a fresh one).
        const err = datagrams.error;
        this.udp = null;
        this.datagrams = null;
        udp.close();
        throw err;
      }
    }
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
    if (this.server !== null) return;
    if (this.type !== SOCK_STREAM) {
      throw systemError('Socket.listen: only SOCK_STREAM sockets can listen', 'EOPNOTSUPP');
    }
    if (this.conn !== null || this.connecting !== null) {
      throw systemError('Socket.listen: the socket is connected', 'EISCONN');
    }
    const size = Math.max(0, backlog);
    const server = net.createServer({ allowHalfOpen: true, highWaterMark: HIGH_WATER_MARK });
    this.adoptServer(server);
    const incoming = this.incoming!;
    let where: string;
    let synchronous = true;
    if (this.family === AF_UNIX) {
      if (this.bound === null) {
        throw systemError('Socket.listen: bind an AF_UNIX socket to a path first', 'EINVAL');
      }
      where = this.bound.path!;
      // Node reports a failure here (e.g. the path exists) on the next tick: accept() raises it.
      synchronous = false;
      server.listen({ path: where, backlog: size });
    } else {
      const host = bindHost(this.family, this.bound?.host ?? '');
      const port = this.bound?.port ?? 0;
      where = `${host}:${port}`;
      const listen2 = (server as unknown as { _listen2?: (...args: unknown[]) => void })._listen2;
      if (isIpLiteral(host) && typeof listen2 === 'function' && cluster.isPrimary) {
        // Node resolves even an IP literal asynchronously before binding; its primary-process
        // path (`_listen2`) binds at once, so getsockname() works right after listen(). A
        // node:cluster worker asks the primary for the shared socket instead (asynchronously).
        listen2.call(server, host, port, net.isIP(host), size, undefined, 0);
      } else {
        synchronous = false;
        server.listen({ host, port, backlog: size });
      }
    }
    if (synchronous && !server.listening && incoming.error === null) {
      // Node reports the reason on the next tick (accept() raises it); name the likely one now.
      throw systemError(`Socket.listen: cannot listen on ${where}`, this.likelyListenError());
    }
  }

  private likelyListenError(): string {
    const bound = this.bound;
    if (bound !== null && bound.port > 0 && bound.port < 1024) return 'EACCES';
    return 'EADDRINUSE';
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
    const incoming = this.incoming;
    if (incoming === null) {
      throw systemError('Socket.accept: the socket is not listening (call listen first)', 'EINVAL');
    }
    for (;;) {
      const connection = incoming.shift();
      if (connection !== undefined) return connection;
      if (this.isClosed) throw closedError('Socket.accept');
      if (incoming.error !== null) throw incoming.error;
      if (incoming.busy) throw busyError('Socket.accept');
      yield* readWait(incoming, { timeout: this.timeout });
    }
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
    if (this.type === SOCK_DGRAM) {
      yield* this.connectUdp(parsed);
      return;
    }
    if (this.conn !== null || this.connecting !== null) {
      throw systemError('Socket.connect: the socket is already connected', 'EISCONN');
    }
    if (this.server !== null) {
      throw systemError('Socket.connect: the socket is listening', 'EINVAL');
    }
    if (this.family === AF_UNIX && this.bound !== null) {
      throw new UnsupportedOperation(
        'Socket.connect: Node.js cannot bind a Unix client socket to a path before connecting',
      );
    }
    const sock = new net.Socket({
      allowHalfOpen: true,
      highWaterMark: HIGH_WATER_MARK,
    } as net.SocketConstructorOpts);
    const channel = Channel.of(sock); // its 'error' listener keeps a failure from crashing Node
    const options: net.NetConnectOpts =
      parsed.path !== undefined
        ? { path: parsed.path }
        : {
            host:
              parsed.host === '' ? (this.family === AF_INET6 ? '::1' : '127.0.0.1') : parsed.host,
            port: parsed.port,
            family: this.family === AF_INET6 ? 6 : 4,
            localAddress: this.bound ? bindHost(this.family, this.bound.host) : undefined,
            localPort: this.bound?.port || undefined,
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
        { timeout: this.timeout },
      );
    } catch (err) {
      sock.destroy();
      throw err;
    } finally {
      this.connecting = null;
      this.connectingSock = null;
    }
    if (this.isClosed) {
      sock.destroy();
      throw closedError('Socket.connect');
    }
    this.unixPeer = parsed.path ?? '';
    if (channel.error !== null) throw channel.error;
    this.adoptConnection(sock);
  }

  private *connectUdp(to: ParsedAddress): Coro<void> {
    const udp = this.ensureUdp();
    yield* this.udpCall('Socket.connect', udp, (done) =>
      udp.connect(to.port, to.host === '' ? undefined : to.host, done),
    );
    this.udpConnected = true;
  }

  // One callback-style dgram call (send, connect), woken with EBADF if the socket closes.
  private *udpCall(
    fn: string,
    udp: dgram.Socket,
    start: (done: (err?: Error | null) => void) => void,
  ): Coro<void> {
    yield* futureWait(
      new Promise<void>((resolve, reject) => {
        const onClose = () => reject(closedError(fn));
        udp.once('close', onClose);
        start((err) => {
          udp.removeListener('close', onClose);
          if (err) reject(err);
          else resolve();
        });
      }),
      { timeout: this.timeout },
    );
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
    const channel = yield* this.stream('Socket.doHandshake');
    const conn = this.conn as TlsLike;
    if (conn.encrypted !== true) {
      throw new UnsupportedOperation('Socket.doHandshake: the socket is not an SSL socket');
    }
    // A tls.connect client verifies the server in its 'secure' listener, then emits
    // 'secureConnect' (or destroys itself with the verification error): wait for that.
    const verifies =
      conn._tlsOptions?.isServer !== true &&
      conn.listeners('secure').some((f) => f.name === 'onConnectSecure');
    const done = () =>
      conn._secureEstablished === true && (!verifies || conn.secureConnecting === false);
    if (Socket.handshakeFailed(conn, channel) === null && !done()) {
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
        { timeout: this.timeout },
      );
    }
    const failure = Socket.handshakeFailed(conn, channel);
    if (failure !== null) throw failure;
    if (!done()) {
      throw systemError(
        'Socket.doHandshake: the connection ended during the handshake',
        'ECONNRESET',
      );
    }
  }

  private static handshakeFailed(conn: net.Socket, channel: Channel): Error | null {
    const failure = channel.error ?? conn.errored;
    if (failure) return failure;
    if (conn.destroyed || conn.readableEnded) {
      return systemError('Socket.doHandshake: the connection closed', 'ECONNRESET');
    }
    return null;
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
    this.channel?.close();
    const { conn, server, udp, incoming, datagrams } = this;
    this.connectingSock?.destroy();
    if (conn !== null) {
      if (conn.writableLength > 0 && !conn.writableEnded && !conn.destroyed) {
        // Like an OS socket closed with data unsent: it drains in the background (without
        // keeping the process alive) and is destroyed once flushed or failed.
        conn.once('finish', () => conn.destroy());
        conn.end();
        conn.unref();
        return;
      }
      conn.destroy();
      yield* waitClosed(conn, this.timeout);
    } else if (server !== null) {
      for (const [client] of incoming!.close()) (client.conn as net.Socket).destroy();
      yield* futureWait(
        new Promise<void>((resolve) => {
          server.close();
          // The listening handle closes at once; 'close' itself waits for accepted sockets.
          setImmediate(resolve);
        }),
      );
    } else if (udp !== null) {
      datagrams!.close();
      yield* futureWait(new Promise<void>((resolve) => udp.close(() => resolve())));
    }
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
    const raw = this.raw;
    this.isClosed = true;
    this.connectingSock?.destroy();
    this.channel?.detach();
    for (const [emitter, event, fn] of this.hooks) emitter.removeListener(event, fn);
    this.hooks = [];
    for (const [client] of this.incoming?.close() ?? []) (client.conn as net.Socket).destroy();
    this.datagrams?.close();
    return raw;
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
    if (this.channel === null && this.connecting === null)
      throw this.notConnected('Socket.makefile');
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
    if (raw === null) throw this.notConnected('Socket.blocking');
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
    const key = optionKey(level, option);
    if (level === SOL_SOCKET && option === SO_REUSEADDR) {
      if (this.udp !== null && this.bound !== null) {
        throw new UnsupportedOperation(
          'Socket.setsockopt(SO_REUSEADDR): Node.js applies it only before a UDP socket is bound',
        );
      }
    } else if (level === IPPROTO_TCP && option === TCP_NODELAY) {
      this.checkStreamOption('TCP_NODELAY');
      this.conn?.setNoDelay(n !== 0);
    } else if (level === SOL_SOCKET && option === SO_KEEPALIVE) {
      this.checkStreamOption('SO_KEEPALIVE');
      this.conn?.setKeepAlive(n !== 0);
    } else if (level === SOL_SOCKET && (option === SO_RCVBUF || option === SO_SNDBUF)) {
      const name = option === SO_RCVBUF ? 'SO_RCVBUF' : 'SO_SNDBUF';
      if (this.type !== SOCK_DGRAM) {
        throw new UnsupportedOperation(
          `Socket.setsockopt(${name}): Node.js supports it on UDP sockets only`,
        );
      }
      if (this.udp !== null && this.bound !== null) {
        if (option === SO_RCVBUF) this.udp.setRecvBufferSize(n);
        else this.udp.setSendBufferSize(n);
      }
    } else {
      throw new UnsupportedOperation(
        `Socket.setsockopt: option ${option} at level ${level} is not supported by Node.js`,
      );
    }
    this.options.set(key, n);
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
    if (this.udp !== null && this.bound !== null && level === SOL_SOCKET) {
      if (option === SO_RCVBUF) return this.udp.getRecvBufferSize();
      if (option === SO_SNDBUF) return this.udp.getSendBufferSize();
    }
    return this.options.get(optionKey(level, option)) ?? 0;
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
    if (this.conn !== null) {
      if (this.family === AF_UNIX) return this.bound?.path ?? '';
      return formatAddress(this.family, this.conn.localAddress, this.conn.localPort);
    }
    if (this.server !== null) {
      const address = this.server.address();
      if (typeof address === 'string') return address;
      if (address === null) {
        throw systemError('Socket.getsockname: the socket is not listening yet', 'EINVAL');
      }
      return formatAddress(this.family, address.address, address.port);
    }
    if (this.udp !== null) {
      // Bound by bind(), or implicitly by the first sendto/connect.
      let address: net.AddressInfo | null = null;
      try {
        address = this.udp.address();
      } catch {
        // Binding to a host name waits for Node's lookup.
        if (this.bound !== null) {
          throw systemError('Socket.getsockname: the socket is not bound yet', 'EINVAL');
        }
      }
      if (address !== null) return formatAddress(this.family, address.address, address.port);
    }
    if (this.bound !== null) {
      return this.bound.path ?? formatAddress(this.family, this.bound.host, this.bound.port);
    }
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
    if (this.conn !== null && !this.conn.destroyed) {
      if (this.family === AF_UNIX) return this.unixPeer;
      if (this.conn.remoteAddress !== undefined) {
        return formatAddress(this.family, this.conn.remoteAddress, this.conn.remotePort);
      }
    }
    if (this.udp !== null && this.udpConnected) {
      const address = this.udp.remoteAddress();
      return formatAddress(this.family, address.address, address.port);
    }
    throw this.notConnected('Socket.getpeername');
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
    const channel = this.channel;
    if (channel === null || this.conn === null) throw this.notConnected('Socket.shutdown');
    if (how !== SHUT_WR) channel.readShut = true;
    if (how !== SHUT_RD && !this.conn.writableEnded) this.conn.end();
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
    if (this.isClosed) return -1;
    if (this.conn !== null) return handleFd(this.conn);
    if (this.server !== null) return handleFd(this.server);
    if (this.udp !== null) {
      const state = Object.getOwnPropertySymbols(this.udp).find(
        (s) => s.description === 'state symbol',
      );
      const inner = state && (this.udp as unknown as Record<symbol, { handle?: unknown }>)[state];
      return handleFd({ _handle: inner?.handle });
    }
    return -1;
  }

  /** A short description for logs. */
  toString(): string {
    const state = this.isClosed
      ? 'closed'
      : this.conn
        ? 'connected'
        : this.server
          ? 'listening'
          : this.udp
            ? 'udp'
            : 'new';
    return `Socket(${familyName(this.family)}, ${this.type === SOCK_DGRAM ? 'SOCK_DGRAM' : 'SOCK_STREAM'}, ${state})`;
  }
}
