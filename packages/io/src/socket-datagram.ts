// The datagram role of a Socket: a UDP dgram.Socket, made on first use.
import dgram from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import net from 'node:net';
import { type Coro, futureWait, writeWait } from '@curio/kernel';
import { type Address, bindHost, formatAddress, type ParsedAddress } from './address.js';
import { AF_INET6, SO_RCVBUF, SO_REUSEADDR, SO_SNDBUF, SOL_SOCKET } from './constants.js';
import { closedError, systemError } from './errors.js';
import { Inbox } from './inbox.js';
import { dgramFd } from './node-compat.js';
import { EventHooks, type SocketOptions } from './socket-options.js';
import { SingleWaiter } from './waiter.js';

/** A received datagram and its sender. @internal */
export type Datagram = [Buffer, Address];

// Node's dgram and net resolve host names before binding; an IP literal resolves at once
// here so bind() finishes (or fails) before it returns, as in Python.
function lookupNow(
  hostname: string,
  options: number | LookupOneOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = net.isIP(hostname);
  if (family !== 0 && (typeof options !== 'object' || !(options as { all?: boolean }).all)) {
    callback(null, hostname, family);
    return;
  }
  dnsLookup(hostname, options as LookupOneOptions, callback);
}

// One dgram send or connect in flight: its task waits on it in WRITE_WAIT until the callback
// comes, or the socket closes (EBADF).
class Request extends SingleWaiter {
  done = false;
  error: Error | null = null;
  readonly settle = (err?: Error | null): void => {
    if (this.done) return;
    this.done = true;
    this.error = err ?? null;
    this.udp.removeListener('close', this.onClose);
    this.notify();
  };
  private readonly onClose = (): void => this.settle(closedError(this.fn));

  constructor(
    private readonly udp: dgram.Socket,
    private readonly fn: string,
  ) {
    super();
    udp.once('close', this.onClose);
  }

  /** Readiness source protocol (`writeWait(request)`). */
  onWritable(wake: () => void): () => void {
    return this.onReadable(wake);
  }

  protected readyNow(): boolean {
    return this.done;
  }
}

/**
 * A Socket's UDP socket: made on first use (bind, sendto, connect) or wrapped. Received
 * datagrams queue in `datagrams` until read.
 * @internal
 */
export class DatagramSocket {
  udp: dgram.Socket | null = null;
  /** `connect` has set a default peer. */
  connected = false;
  private datagrams: Inbox<Datagram> | null = null;
  private hooks = new EventHooks();

  constructor(
    private readonly family: number,
    private readonly options: SocketOptions,
  ) {}

  adopt(udp: dgram.Socket): void {
    const datagrams = new Inbox<Datagram>();
    this.udp = udp;
    this.datagrams = datagrams;
    this.hooks.on(udp, 'message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      datagrams.push([msg, formatAddress(this.family, rinfo.address, rinfo.port)]);
    });
    this.hooks.on(udp, 'error', (err: Error) => datagrams.fail(err));
  }

  private ensure(): dgram.Socket {
    if (this.udp !== null) return this.udp;
    const options = this.options;
    const udp = dgram.createSocket({
      type: this.family === AF_INET6 ? 'udp6' : 'udp4',
      reuseAddr: (options.get(SOL_SOCKET, SO_REUSEADDR) ?? 0) !== 0,
      lookup: lookupNow as unknown as dgram.SocketOptions['lookup'],
      recvBufferSize: options.get(SOL_SOCKET, SO_RCVBUF),
      sendBufferSize: options.get(SOL_SOCKET, SO_SNDBUF),
    });
    this.adopt(udp);
    return udp;
  }

  /** Bind at once; raises as a failed bind(2) (the socket stays usable). */
  bind(to: ParsedAddress): void {
    const udp = this.ensure();
    const datagrams = this.datagrams!;
    udp.bind({ port: to.port, address: bindHost(this.family, to.host), exclusive: true });
    if (datagrams.error !== null) {
      // A later bind makes a fresh socket (our listeners stay on this one as it closes).
      this.udp = null;
      this.datagrams = null;
      udp.close();
      throw datagrams.error;
    }
  }

  /** The next datagram (truncated to `maxsize`) and its sender, waiting for one. */
  *recv(fn: string, maxsize: number, timeout: number | undefined): Coro<Datagram> {
    const datagrams = this.datagrams;
    if (datagrams === null) {
      throw systemError(
        `${fn}: the UDP socket is not bound (call bind() or sendto() first)`,
        'EINVAL',
      );
    }
    const [data, address] = yield* datagrams.take(fn, timeout);
    return [data.length > maxsize ? data.subarray(0, maxsize) : data, address];
  }

  /** Send one datagram to `to` (null: the connected peer); returns its length. */
  *send(
    fn: string,
    data: Buffer,
    to: ParsedAddress | null,
    timeout: number | undefined,
  ): Coro<number> {
    if (to === null && !this.connected) {
      throw systemError(`${fn}: the UDP socket is not connected (use sendto)`, 'EDESTADDRREQ');
    }
    const udp = this.ensure();
    const copy = Buffer.from(data); // Node reads it after a cancelled send may have returned
    const request = new Request(udp, fn);
    if (to === null) udp.send(copy, request.settle);
    else udp.send(copy, to.port, to.host === '' ? undefined : to.host, request.settle);
    yield* this.wait(request, timeout);
    return data.length;
  }

  /** Set the default peer. */
  *connect(to: ParsedAddress, timeout: number | undefined): Coro<void> {
    const udp = this.ensure();
    const request = new Request(udp, 'Socket.connect');
    udp.connect(to.port, to.host === '' ? undefined : to.host, request.settle);
    yield* this.wait(request, timeout);
    this.connected = true;
  }

  private *wait(request: Request, timeout: number | undefined): Coro<void> {
    if (!request.done) yield* writeWait(request, timeout === undefined ? undefined : { timeout });
    if (request.error !== null) throw request.error;
  }

  /** The bound address; null if not bound yet (`bound`: bind() was called). */
  sockname(bound: ParsedAddress | null): Address | null {
    if (this.udp === null) return null;
    // Bound by bind(), or implicitly by the first sendto/connect.
    try {
      const address = this.udp.address();
      return formatAddress(this.family, address.address, address.port);
    } catch {
      // Binding to a host name waits for Node's lookup.
      if (bound !== null) {
        throw systemError('Socket.getsockname: the socket is not bound yet', 'EINVAL');
      }
      return null;
    }
  }

  /** The connected peer, or null. */
  peername(): Address | null {
    if (this.udp === null || !this.connected) return null;
    const address = this.udp.remoteAddress();
    return formatAddress(this.family, address.address, address.port);
  }

  /** `SO_RCVBUF` / `SO_SNDBUF` of the OS socket. */
  bufferSize(option: number): number {
    const udp = this.udp!;
    return option === SO_RCVBUF ? udp.getRecvBufferSize() : udp.getSendBufferSize();
  }

  setBufferSize(option: number, size: number): void {
    if (option === SO_RCVBUF) this.udp!.setRecvBufferSize(size);
    else this.udp!.setSendBufferSize(size);
  }

  fileno(): number {
    return this.udp === null ? -1 : dgramFd(this.udp);
  }

  *close(): Coro<void> {
    const udp = this.udp;
    if (udp === null) return;
    this.datagrams!.close();
    yield* futureWait(new Promise<void>((resolve) => udp.close(() => resolve())));
  }

  /** Give the socket up (see `Socket.detach`), without our listeners. */
  detach(): dgram.Socket | null {
    this.hooks.removeAll();
    this.datagrams?.close();
    return this.udp;
  }
}
