// The listener role of a Socket: a net.Server whose connections wait in a queue for accept().
import cluster from 'node:cluster';
import net from 'node:net';
import { type Coro, futureWait } from '@curio/kernel';
import {
  type Address,
  bindHost,
  formatAddress,
  isIpLiteral,
  type ParsedAddress,
} from './address.js';
import { Channel } from './channel.js';
import { AF_UNIX } from './constants.js';
import { systemError } from './errors.js';
import { Inbox } from './inbox.js';
import { handleFd, listenAtOnce } from './node-compat.js';
import { EventHooks, type SocketOptions } from './socket-options.js';
import { HIGH_WATER_MARK } from './socket-stream.js';

/** An accepted connection and its peer's address. @internal */
export type Arrival = [net.Socket, Address];

/**
 * A Socket's listening `net.Server`. Connections are queued as they arrive (with the
 * listener's `TCP_NODELAY`/`SO_KEEPALIVE`) and handed out by `accept`.
 * Invariant: `incoming` holds the connections accepted by Node and not yet by a task.
 * @internal
 */
export class ListenerSocket {
  private readonly incoming = new Inbox<Arrival>();
  private readonly hooks = new EventHooks();

  /** Wrap `server` (one that listens already, or one `listen` starts). */
  constructor(
    readonly server: net.Server,
    private readonly family: number,
    options: SocketOptions,
  ) {
    const incoming = this.incoming;
    this.hooks.on(server, 'connection', (conn: net.Socket) => {
      Channel.of(conn); // its 'error' listener: a connection reset before accept() is no crash
      options.applyTo(conn);
      if (incoming.closed) {
        conn.destroy();
        return;
      }
      const address =
        family === AF_UNIX ? '' : formatAddress(family, conn.remoteAddress, conn.remotePort);
      incoming.push([conn, address]);
    });
    this.hooks.on(server, 'error', (err: Error) => incoming.fail(err));
  }

  /** A new listener for `Socket.listen` (then `start` it). */
  static create(
    family: number,
    bound: ParsedAddress | null,
    options: SocketOptions,
  ): ListenerSocket {
    if (family === AF_UNIX && bound === null) {
      throw systemError('Socket.listen: bind an AF_UNIX socket to a path first', 'EINVAL');
    }
    const server = net.createServer({ allowHalfOpen: true, highWaterMark: HIGH_WATER_MARK });
    return new ListenerSocket(server, family, options);
  }

  /**
   * Start listening. Node reports most failures on the next tick (`accept` raises them);
   * where it binds at once, the likely reason is raised now.
   */
  start(bound: ParsedAddress | null, backlog: number): void {
    const server = this.server;
    if (this.family === AF_UNIX) {
      // Node reports a failure here (e.g. the path exists) on the next tick: accept() raises it.
      server.listen({ path: bound!.path, backlog });
      return;
    }
    const host = bindHost(this.family, bound?.host ?? '');
    const port = bound?.port ?? 0;
    // Bound at once, so getsockname() works right after listen(); a node:cluster worker asks
    // the primary for the shared socket instead (asynchronously), as Node's listen() does.
    const now = isIpLiteral(host) && cluster.isPrimary && listenAtOnce(server, host, port, backlog);
    if (!now) server.listen({ host, port, backlog });
    else if (!server.listening && this.incoming.error === null) {
      // Node reports the reason on the next tick (accept() raises it); name the likely one now.
      const code = port > 0 && port < 1024 ? 'EACCES' : 'EADDRINUSE';
      throw systemError(`Socket.listen: cannot listen on ${host}:${port}`, code);
    }
  }

  /** The next connection, waiting for one. */
  accept(timeout: number | undefined): Coro<Arrival> {
    return this.incoming.take('Socket.accept', timeout);
  }

  /** The listening address. */
  sockname(): Address {
    const address = this.server.address();
    if (typeof address === 'string') return address;
    if (address === null) {
      throw systemError('Socket.getsockname: the socket is not listening yet', 'EINVAL');
    }
    return formatAddress(this.family, address.address, address.port);
  }

  fileno(): number {
    return handleFd(this.server);
  }

  /** Stop listening; connections not yet accepted are dropped. */
  *close(): Coro<void> {
    for (const [conn] of this.incoming.close()) conn.destroy();
    const server = this.server;
    yield* futureWait(
      new Promise<void>((resolve) => {
        server.close();
        // The listening handle closes at once; 'close' itself waits for accepted sockets.
        setImmediate(resolve);
      }),
    );
  }

  /** Give the server up (see `Socket.detach`), without our listeners. */
  detach(): net.Server {
    this.hooks.removeAll();
    for (const [conn] of this.incoming.close()) conn.destroy();
    return this.server;
  }
}
