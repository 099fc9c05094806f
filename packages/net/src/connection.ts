import type { Socket } from '@curio/io';
import { type Coro, timeoutAfter } from '@curio/kernel';
import { AF_UNIX, createConnection, SOCK_STREAM, socket } from '@curio/socket';
import { createDefaultContext, type SSLContext } from '@curio/ssl';
import {
  checkClientSsl,
  checkHost,
  checkOptions,
  checkPath,
  checkPort,
  describe,
} from './validate.js';

/** Options of `openConnection`. */
export interface ConnectionOptions {
  /**
   * Speak TLS: `true` uses `createDefaultContext()` (the server's certificate is verified
   * against Node's roots and must match `serverHostname`), or pass your own `SSLContext`.
   */
  ssl?: boolean | SSLContext;
  /** Local `[host, port]` to connect from. */
  sourceAddr?: [string, number];
  /** The name the server's certificate must match (default: `host`); sent by SNI. */
  serverHostname?: string;
  /** Milliseconds for the connection and TLS handshake together; raises `TaskTimeout`. */
  timeout?: number;
}

/** Options of `openUnixConnection`. */
export interface UnixConnectionOptions {
  /** Speak TLS: `true` or an `SSLContext` (see `openConnection`). */
  ssl?: boolean | SSLContext;
  /** The name the server's certificate must match; needed with hostname checking. */
  serverHostname?: string;
}

/**
 * Connect to `host`:`port` over TCP (IPv4 or IPv6, whichever `host` resolves to and
 * answers), optionally with TLS, and return the connected curio `Socket`.
 * @example
 * import { run } from '@curio/kernel';
 * import { openConnection } from '@curio/net';
 *
 * await run(function* () {
 *   const sock = yield* openConnection('127.0.0.1', 25000, { timeout: 5000 });
 *   yield* sock.sendall(Buffer.from('hello'));
 *   yield* sock.close();
 *   const web = yield* openConnection('example.com', 443, { ssl: true });
 *   yield* web.close();
 * }());
 */
export function* openConnection(
  host: string,
  port: number,
  options?: ConnectionOptions,
): Coro<Socket> {
  const fn = 'openConnection';
  checkHost(fn, host, false);
  checkPort(fn, port, 1);
  checkOptions(fn, options);
  const ssl = checkClientSsl(fn, options?.ssl);
  const sourceAddr = options?.sourceAddr;
  if (
    sourceAddr !== undefined &&
    (!Array.isArray(sourceAddr) || sourceAddr.length !== 2 || typeof sourceAddr[0] !== 'string')
  ) {
    throw new TypeError(
      `${fn}: options.sourceAddr must be [host, port], got ${describe(sourceAddr)}`,
    );
  }
  const serverHostname = checkHostname(fn, options?.serverHostname) ?? host;
  const timeout = options?.timeout;
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout >= 0))) {
    throw new TypeError(
      `${fn}: options.timeout must be a number of milliseconds >= 0, got ${describe(timeout)}`,
    );
  }
  const connect = function* (): Coro<Socket> {
    const sock = yield* createConnection([host, port], null, sourceAddr ?? null);
    return ssl === false ? sock : yield* handshake(sock, ssl, serverHostname);
  };
  return timeout === undefined ? yield* connect() : yield* timeoutAfter(timeout, connect());
}

/**
 * Connect to the Unix socket at `path`, optionally with TLS, and return the connected
 * curio `Socket`.
 * @example
 * import { run } from '@curio/kernel';
 * import { openUnixConnection } from '@curio/net';
 *
 * await run(function* () {
 *   const sock = yield* openUnixConnection('/tmp/echo.sock');
 *   console.log((yield* sock.recv(1024)).toString());
 *   yield* sock.close();
 * }());
 */
export function* openUnixConnection(path: string, options?: UnixConnectionOptions): Coro<Socket> {
  const fn = 'openUnixConnection';
  checkPath(fn, path);
  checkOptions(fn, options);
  const ssl = checkClientSsl(fn, options?.ssl);
  const serverHostname = checkHostname(fn, options?.serverHostname);
  if (ssl === true && serverHostname === undefined) {
    throw new TypeError(
      `${fn}: options.ssl = true checks the server's certificate against options.serverHostname, which is missing (or pass an SSLContext with checkHostname = false)`,
    );
  }
  const sock = socket(AF_UNIX, SOCK_STREAM);
  try {
    yield* sock.connect(path);
  } catch (err) {
    yield* sock.close();
    throw err;
  }
  return ssl === false ? sock : yield* handshake(sock, ssl, serverHostname);
}

function checkHostname(fn: string, name: unknown): string | undefined {
  if (name === undefined || name === null) return undefined;
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(
      `${fn}: options.serverHostname must be a non-empty string, got ${describe(name)}`,
    );
  }
  return name;
}

// Put TLS on a fresh connection; on any failure (or cancellation) the connection is closed.
function* handshake(
  sock: Socket,
  ssl: true | SSLContext,
  serverHostname: string | undefined,
): Coro<Socket> {
  let tlsSock: Socket = sock;
  try {
    const context = ssl === true ? createDefaultContext() : ssl;
    tlsSock = context.wrapSocket(sock, { serverHostname });
    yield* tlsSock.doHandshake();
    return tlsSock;
  } catch (err) {
    yield* tlsSock.close();
    if (tlsSock !== sock) yield* sock.close();
    throw err;
  }
}
