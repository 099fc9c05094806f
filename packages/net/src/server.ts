import { once } from 'node:events';
import * as net from 'node:net';
import type { Address, Socket } from '@curio/io';
import {
  type AsyncContextManager,
  CancelledError,
  type Coro,
  CurioError,
  cancelTask,
  currentTask,
  disableCancellation,
  futureWait,
  KernelQueue,
  newTask,
  rescheduleTasks,
  type Task,
  TaskTimeout,
  timeoutAfter,
  waitOnQueue,
} from '@curio/kernel';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  SO_REUSEADDR,
  SOCK_STREAM,
  SOL_SOCKET,
  socket,
} from '@curio/socket';
import type { SSLContext } from '@curio/ssl';
import {
  checkBacklog,
  checkHost,
  checkOptions,
  checkPath,
  checkPort,
  checkServerSsl,
  checkTimeoutOption,
  describe,
} from './validate.js';

/**
 * What a server runs for each connection: a generator function given the client's socket
 * and address. The socket is closed when it returns (or fails).
 */
export type ClientConnectedTask = (client: Socket, address: Address) => Coro<unknown>;

/** Options of `createServer` and `runServer`. */
export interface ServerOptions {
  /** `AF_INET` (default) or `AF_INET6`. */
  family?: number;
  /** Queue length for connections not yet accepted (default 100). */
  backlog?: number;
  /** Speak TLS with this context (it must hold a certificate: `loadCertChain`). */
  ssl?: SSLContext;
  /** Allow reusing an address in TIME_WAIT (default true; Node always does for TCP). */
  reuseAddress?: boolean;
  /**
   * Close a client's connection once nothing has been received from it or sent to it for
   * this many ms (every read and write restarts the clock; with `ssl`, it starts after the
   * handshake). The handler's pending or next `recv`/`sendall` then raises an `ETIMEDOUT`
   * error; let through, it ends the connection quietly. Default `null`: no limit.
   */
  idleTimeout?: number | null;
  /**
   * With `ssl`: ms a client has to complete the TLS handshake (default 10000; `null`: no
   * limit). A client that fails it or runs out of time is dropped, and one line is logged
   * with `console.warn`.
   */
  sslHandshakeTimeout?: number | null;
}

/** Options of `createUnixServer` and `runUnixServer`. */
export interface UnixServerOptions {
  /** Queue length for connections not yet accepted (default 100). */
  backlog?: number;
  /** Speak TLS with this context (it must hold a certificate: `loadCertChain`). */
  ssl?: SSLContext;
  /**
   * Close a client's connection once nothing has been received from it or sent to it for
   * this many ms (every read and write restarts the clock; with `ssl`, it starts after the
   * handshake). The handler's pending or next `recv`/`sendall` then raises an `ETIMEDOUT`
   * error; let through, it ends the connection quietly. Default `null`: no limit.
   */
  idleTimeout?: number | null;
  /**
   * With `ssl`: ms a client has to complete the TLS handshake (default 10000; `null`: no
   * limit). A client that fails it or runs out of time is dropped, and one line is logged
   * with `console.warn`.
   */
  sslHandshakeTimeout?: number | null;
}

/** @internal What a Server does with each connection, from the checked options. */
export interface ClientSettings {
  ssl: SSLContext | undefined;
  /** ms of inactivity before a connection is closed; undefined: no limit. */
  idleTimeout: number | undefined;
  /** ms the TLS handshake may take; undefined: no limit. */
  sslHandshakeTimeout: number | undefined;
}

const DEFAULT_BACKLOG = 100;
const DEFAULT_SSL_HANDSHAKE_TIMEOUT = 10_000;

/**
 * A listening server: `serveForever()` accepts connections and runs `clientConnectedTask`
 * for each in its own task; `close()` stops it. Made by `createServer` / `createUnixServer`.
 *
 * Each client's socket is closed when its handler ends. A handler that crashes is logged by
 * the kernel (unless `run(..., { logErrors: false })`) and affects no other client; one that
 * fails only because its client went away (the connection's own error: a reset, a broken
 * pipe, the `idleTimeout`) ends quietly. A TLS client that fails the handshake or does not
 * finish it within `sslHandshakeTimeout` is dropped with one `console.warn` line. When the
 * serving task is cancelled or the server is closed, the listening socket is closed, every
 * client task is cancelled and waited for, and `serveForever` returns (or re-raises the
 * cancellation). Also an async context manager that closes the server on exit.
 * @example
 * import type { Socket } from '@curio/io';
 * import { newTask, run } from '@curio/kernel';
 * import { createServer } from '@curio/net';
 *
 * function* echo(client: Socket) {
 *   for (let data = yield* client.recv(65536); data.length > 0; data = yield* client.recv(65536)) {
 *     yield* client.sendall(data);
 *   }
 * }
 * await run(function* () {
 *   const server = createServer('127.0.0.1', 0, echo);
 *   const serving = yield* newTask(server.serveForever());
 *   console.log('listening on', server.address);
 *   // ...
 *   yield* server.close(); // or: yield* serving.cancel()
 * }());
 */
export class Server implements AsyncContextManager<Server> {
  /** The listening socket. */
  readonly socket: Socket;
  /** The TLS context clients are served with, if any. */
  readonly ssl: SSLContext | undefined;
  private readonly handler: ClientConnectedTask;
  private readonly idleTimeout: number | undefined;
  private readonly sslHandshakeTimeout: number | undefined;
  // Invariant: the tasks of the clients whose handlers have not ended.
  private readonly clientTasks = new Set<Task>();
  // Tasks in `close()` waiting for serveForever to finish its cleanup.
  private readonly stopped = new KernelQueue();
  private serving = false;
  private closing = false;
  private isClosed = false;
  // The address, read once the socket listens (and kept after it closes).
  private bound: Address | undefined;

  /** @internal Use `createServer` / `createUnixServer`. */
  constructor(sock: Socket, clientConnectedTask: ClientConnectedTask, settings: ClientSettings) {
    this.socket = sock;
    this.handler = clientConnectedTask;
    this.ssl = settings.ssl;
    this.idleTimeout = settings.idleTimeout;
    this.sslHandshakeTimeout = settings.sslHandshakeTimeout;
    if ((sock.raw as net.Server).listening) this.bound = sock.getsockname();
  }

  /**
   * The address the server listens on: `[host, port]` (`[host, port, 0, 0]` for IPv6; the
   * real port when it was created with port 0) or the Unix socket's path. Known as soon as
   * `createServer` returns for an IP address, `''` or `'localhost'`; for another host name,
   * or in a `node:cluster` worker, Node binds asynchronously and reading it earlier raises
   * `EINVAL`: `runServer`'s `started` is called with it once the server listens.
   * @example
   * import type { Socket } from '@curio/io';
   * import { run } from '@curio/kernel';
   * import { createServer } from '@curio/net';
   *
   * function* quiet(client: Socket) {}
   * await run(function* () {
   *   const server = createServer('127.0.0.1', 0, quiet);
   *   const [host, port] = server.address as [string, number];
   *   console.log(`listening on ${host}:${port}`);
   *   yield* server.close();
   * }());
   */
  get address(): Address {
    this.bound ??= this.socket.getsockname();
    return this.bound;
  }

  /**
   * Wait until the socket listens (at once for an IP address or a Unix path; a host name is
   * resolved first, and a cluster worker asks the primary) and return the address; raises
   * the error that stopped it (`EADDRINUSE`, ...). @internal
   */
  *listening(): Coro<Address> {
    const raw = this.socket.raw as net.Server;
    if (!raw.listening) yield* futureWait((signal) => once(raw, 'listening', { signal }));
    return this.address;
  }

  /** How many clients are being served now. */
  get clients(): number {
    return this.clientTasks.size;
  }

  /** True once `close()` has been called or serving has ended. */
  get closed(): boolean {
    return this.isClosed || this.closing;
  }

  /**
   * Accept connections until cancelled or closed, each client in its own task. On the way
   * out, stops listening, cancels the clients and waits for them.
   * @example
   * import type { Socket } from '@curio/io';
   * import { run } from '@curio/kernel';
   * import { createServer } from '@curio/net';
   *
   * function* hello(client: Socket) {
   *   yield* client.sendall(Buffer.from('hello\n'));
   * }
   * await run(createServer('127.0.0.1', 25000, hello).serveForever());
   */
  *serveForever(): Coro<void> {
    if (this.serving) throw new CurioError('Server.serveForever: the server is already serving');
    if (this.closed) {
      throw Object.assign(new Error('Server.serveForever: the server is closed'), {
        code: 'EBADF',
      });
    }
    this.serving = true;
    try {
      for (;;) {
        let connection: [Socket, Address];
        try {
          connection = yield* this.socket.accept();
        } catch (err) {
          if (this.closing) return; // close() closed the listening socket under us
          throw err;
        }
        const [client, address] = connection;
        const name = `${this.handler.name || 'client'}(${formatAddress(address)})`;
        yield* newTask(this.runClient(client, address, name), { name });
      }
    } finally {
      this.serving = false;
      yield* this.shutdown();
    }
  }

  private *runClient(client: Socket, address: Address, name: string): Coro<void> {
    const me = yield* currentTask();
    this.clientTasks.add(me);
    let sock = client;
    try {
      if (this.ssl !== undefined) {
        sock = this.ssl.wrapSocket(client, { serverSide: true });
        if (!(yield* this.handshake(sock, name))) return;
      }
      if (this.idleTimeout !== undefined) closeWhenIdle(sock, this.idleTimeout, name);
      try {
        yield* this.handler(sock, address);
      } catch (err) {
        if (!isConnectionError(sock, err)) throw err;
      }
    } finally {
      this.clientTasks.delete(me);
      yield* sock.close();
      if (sock !== client) yield* client.close();
    }
  }

  // The TLS handshake within sslHandshakeTimeout: false, with one line logged, if the client
  // failed it or ran out of time. Cancellation goes through.
  private *handshake(sock: Socket, name: string): Coro<boolean> {
    const limit = this.sslHandshakeTimeout;
    try {
      if (limit === undefined) yield* sock.doHandshake();
      else yield* timeoutAfter(limit, sock.doHandshake());
      return true;
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      const why =
        err instanceof TaskTimeout
          ? `timed out after ${limit} ms (sslHandshakeTimeout)`
          : `failed: ${handshakeFailure(err)}`;
      console.warn(`curio: ${name}: TLS handshake ${why}; connection closed`);
      return false;
    }
  }

  // Stop listening, cancel every client and wait for them; wake close() callers. Runs to the
  // end even when the serving task is cancelled or inside an expired timeoutAfter: that
  // cancellation or deadline is raised once the clients are gone.
  private *shutdown(): Coro<void> {
    this.closing = true;
    try {
      yield* disableCancellation(this.stopAll());
    } finally {
      yield* this.wakeClosers();
    }
  }

  private *stopAll(): Coro<void> {
    yield* this.socket.close();
    for (const task of [...this.clientTasks]) yield* cancelTask(task);
  }

  private *wakeClosers(): Coro<void> {
    this.isClosed = true;
    if (this.stopped.length > 0) yield* rescheduleTasks(this.stopped, { n: this.stopped.length });
  }

  /**
   * Stop the server: no more connections are accepted, every client task is cancelled, and
   * `serveForever` returns. Waits until all of that is done. Closing twice is harmless.
   * @example
   * import type { Socket } from '@curio/io';
   * import { newTask, run, sleep } from '@curio/kernel';
   * import { createServer } from '@curio/net';
   *
   * function* hello(client: Socket) {
   *   yield* client.sendall(Buffer.from('hello\n'));
   * }
   * await run(function* () {
   *   const server = createServer('127.0.0.1', 0, hello);
   *   yield* newTask(server.serveForever());
   *   yield* sleep(60_000);
   *   yield* server.close(); // serveForever returns
   * }());
   */
  *close(): Coro<void> {
    if (this.isClosed) return;
    if (!this.serving) {
      yield* this.shutdown();
      return;
    }
    this.closing = true;
    // serveForever wakes from accept with EBADF, cleans up, then wakes us.
    yield* this.socket.close();
    if (!this.isClosed) yield* waitOnQueue(this.stopped, 'SERVER_CLOSE');
  }

  /** `async with`: hands out the server. */
  *enter(): Coro<Server> {
    return this;
  }

  /** `async with`: closes the server. */
  *exit(_error?: unknown): Coro<boolean> {
    yield* this.close();
    return false;
  }
}

function formatAddress(address: Address): string {
  if (typeof address === 'string') return address || 'unix';
  const [host, port] = address;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// Close `sock` after `ms` without a byte received or sent: Node's inactivity timer destroys
// it with an ETIMEDOUT error, which the handler's pending or next recv/sendall raises.
function closeWhenIdle(sock: Socket, ms: number, name: string): void {
  const raw = sock.raw;
  if (!(raw instanceof net.Socket)) return;
  raw.setTimeout(ms, () => {
    const message = `${name}: nothing received or sent for ${ms} ms (idleTimeout): connection closed`;
    raw.destroy(Object.assign(new Error(message), { code: 'ETIMEDOUT' }));
  });
}

// True if `err` is the client connection's own failure (the error its Node socket was
// destroyed with: a reset, a broken pipe, the idle timeout): the client went away.
function isConnectionError(sock: Socket, err: unknown): boolean {
  const raw = sock.raw;
  return raw instanceof net.Socket && raw.errored != null && raw.errored === err;
}

// Why a handshake failed, on one line: OpenSSL's reason or the error's message, and its code.
function handshakeFailure(err: unknown): string {
  const reason = (err as { cause?: { reason?: unknown } } | null)?.cause?.reason;
  const code = (err as { code?: unknown } | null)?.code;
  let text = typeof reason === 'string' ? reason : err instanceof Error ? err.message : String(err);
  text = text.replace(/^TLS handshake: /, '').replace(/\s*\n\s*/g, ' ');
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}

function checkHandler(fn: string, handler: unknown): asserts handler is ClientConnectedTask {
  if (typeof handler !== 'function') {
    throw new TypeError(
      `${fn}(clientConnectedTask): clientConnectedTask must be a generator function (client, address) => Coro, got ${describe(handler)}`,
    );
  }
}

/**
 * Listen for TCP connections on `host`:`port` (`''` for every interface, port 0 for any
 * free port: see `server.address`). Returns the `Server`; `serveForever()` starts serving.
 * @example
 * import type { Socket } from '@curio/io';
 * import { run } from '@curio/kernel';
 * import { createServer } from '@curio/net';
 *
 * function* echo(client: Socket) {
 *   for (let data = yield* client.recv(65536); data.length > 0; data = yield* client.recv(65536)) {
 *     yield* client.sendall(data);
 *   }
 * }
 * await run(function* () {
 *   const server = createServer('127.0.0.1', 25000, echo);
 *   yield* server.serveForever();
 * }());
 */
export function createServer(
  host: string,
  port: number,
  clientConnectedTask: ClientConnectedTask,
  options?: ServerOptions,
): Server {
  return makeServer('createServer', host, port, clientConnectedTask, options);
}

/** What `createServer`'s checked arguments ask for. @internal */
export interface TcpServerPlan {
  family: number;
  backlog: number;
  reuseAddress: boolean;
  settings: ClientSettings;
}

/** Check `createServer`'s arguments (errors name `fn`) without binding anything. @internal */
export function checkTcpServer(
  fn: string,
  host: unknown,
  port: unknown,
  clientConnectedTask: unknown,
  options: ServerOptions | undefined,
): TcpServerPlan {
  checkHost(fn, host, true);
  checkPort(fn, port, 0);
  checkHandler(fn, clientConnectedTask);
  checkOptions(fn, options);
  const family = options?.family ?? AF_INET;
  if (family !== AF_INET && family !== AF_INET6) {
    throw new TypeError(
      `${fn}: options.family must be AF_INET or AF_INET6, got ${describe(family)}${family === AF_UNIX ? ' (use createUnixServer for Unix sockets)' : ''}`,
    );
  }
  const backlog = options?.backlog ?? DEFAULT_BACKLOG;
  checkBacklog(fn, backlog);
  const reuseAddress = options?.reuseAddress ?? true;
  if (typeof reuseAddress !== 'boolean') {
    throw new TypeError(
      `${fn}: options.reuseAddress must be a boolean, got ${describe(reuseAddress)}`,
    );
  }
  return { family, backlog, reuseAddress, settings: checkClientSettings(fn, options) };
}

/** `createServer` with errors naming `fn`. @internal */
export function makeServer(
  fn: string,
  host: string,
  port: number,
  clientConnectedTask: ClientConnectedTask,
  options: ServerOptions | undefined,
): Server {
  const plan = checkTcpServer(fn, host, port, clientConnectedTask, options);
  const sock = socket(plan.family, SOCK_STREAM);
  if (plan.reuseAddress) sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
  sock.bind([host, port]);
  sock.listen(plan.backlog);
  return new Server(sock, clientConnectedTask, plan.settings);
}

// The options every server shares: TLS and the per-connection time limits.
function checkClientSettings(
  fn: string,
  options: ServerOptions | UnixServerOptions | undefined,
): ClientSettings {
  const ssl = checkServerSsl(fn, options?.ssl);
  const idleTimeout = checkTimeoutOption(fn, 'idleTimeout', options?.idleTimeout, undefined);
  const handshake = options?.sslHandshakeTimeout;
  if (handshake !== undefined && handshake !== null && ssl === undefined) {
    throw new TypeError(
      `${fn}: options.sslHandshakeTimeout is only meaningful with options.ssl, got ${describe(handshake)} without ssl`,
    );
  }
  const sslHandshakeTimeout = checkTimeoutOption(
    fn,
    'sslHandshakeTimeout',
    handshake,
    DEFAULT_SSL_HANDSHAKE_TIMEOUT,
  );
  return { ssl, idleTimeout, sslHandshakeTimeout };
}

/**
 * Listen for connections on the Unix socket `path` (which must not exist yet; it is
 * removed when the server closes). Returns the `Server`; `serveForever()` starts serving.
 * @example
 * import type { Socket } from '@curio/io';
 * import { run } from '@curio/kernel';
 * import { createUnixServer } from '@curio/net';
 *
 * function* hello(client: Socket) {
 *   yield* client.sendall(Buffer.from('hello\n'));
 * }
 * await run(function* () {
 *   const server = createUnixServer('/tmp/hello.sock', hello);
 *   yield* server.serveForever();
 * }());
 */
export function createUnixServer(
  path: string,
  clientConnectedTask: ClientConnectedTask,
  options?: UnixServerOptions,
): Server {
  return makeUnixServer('createUnixServer', path, clientConnectedTask, options);
}

/** `createUnixServer` with errors naming `fn`. @internal */
export function makeUnixServer(
  fn: string,
  path: string,
  clientConnectedTask: ClientConnectedTask,
  options: UnixServerOptions | undefined,
): Server {
  checkPath(fn, path);
  checkHandler(fn, clientConnectedTask);
  checkOptions(fn, options);
  const backlog = options?.backlog ?? DEFAULT_BACKLOG;
  checkBacklog(fn, backlog);
  const settings = checkClientSettings(fn, options);
  const sock = socket(AF_UNIX, SOCK_STREAM);
  sock.bind(path);
  sock.listen(backlog);
  return new Server(sock, clientConnectedTask, settings);
}
