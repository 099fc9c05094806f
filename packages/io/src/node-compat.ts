// Every read (and the one write) of Node internals in this package, in one place: what each
// one reads, and why no public API does it. test/node-compat.test.ts checks each against the
// running Node and fails, naming the internal, if a Node release changes it.
import type dgram from 'node:dgram';
import net from 'node:net';
import type { Readable } from 'node:stream';

type WithHandle = { _handle?: { fd?: unknown; constructor?: { name?: string } } | null };

function fdOf(handle: { fd?: unknown } | null | undefined): number {
  const fd = handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}

/**
 * The OS descriptor of a `net.Socket` or `net.Server` (-1 where there is none: not yet
 * connected, closed, a TLS socket). Node keeps its libuv handle in `_handle`, whose `fd` it
 * reads itself; no public property gives the descriptor (Python's `fileno()`).
 */
export function handleFd(obj: net.Socket | net.Server): number {
  return fdOf((obj as unknown as WithHandle)._handle);
}

/**
 * True if a `net.Socket` runs over a `Pipe` handle (a Unix socket) rather than a `TCP` one.
 * A socket wrapped before it reports `remoteFamily` (say, a socketpair end) tells its family
 * only by the class of its `_handle`.
 */
export function isPipeHandle(sock: net.Socket): boolean {
  return (sock as unknown as WithHandle)._handle?.constructor?.name === 'Pipe';
}

// A dgram.Socket keeps its state (`handle`, `bindState`, ...) under a private symbol that
// Node describes as 'state symbol' (lib/internal/dgram.js kStateSymbol).
function dgramState(udp: dgram.Socket): { handle?: { fd?: unknown } } | undefined {
  const state = Object.getOwnPropertySymbols(udp).find((s) => s.description === 'state symbol');
  return state === undefined ? undefined : (udp as unknown as Record<symbol, never>)[state];
}

/**
 * `'udp4'` or `'udp6'`: the type a `dgram.Socket` was created with, which Node keeps in its
 * undocumented `type` property (`address()`, the public way, throws until it is bound).
 */
export function dgramType(udp: dgram.Socket): string | undefined {
  const type = (udp as unknown as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

/** The OS descriptor of a bound `dgram.Socket` (its state's `handle.fd`), else -1. */
export function dgramFd(udp: dgram.Socket): number {
  return fdOf(dgramState(udp)?.handle);
}

/**
 * Bind and listen on the IP literal `host` at once, as Python's `listen()` does: Node's
 * public `listen()` first looks up even an IP literal asynchronously; `net.Server._listen2
 * (address, port, addressType, backlog, fd, flags)`, the primary-process path it ends in,
 * binds synchronously. Returns false (nothing done) if Node has no `_listen2`.
 */
export function listenAtOnce(
  server: net.Server,
  host: string,
  port: number,
  backlog: number,
): boolean {
  const listen2 = (server as unknown as { _listen2?: (...args: unknown[]) => void })._listen2;
  if (typeof listen2 !== 'function') return false;
  listen2.call(server, host, port, net.isIP(host), backlog, undefined, 0);
  return true;
}

/**
 * True if someone reads `readable` through `'readable'` events (`_readableState
 * .readableListening`): it then never flows, so 'data' events would never come. The public
 * `listenerCount('readable')` misses a listener that was added and removed again.
 */
export function readsByReadableEvents(readable: Readable): boolean {
  const state = (readable as unknown as { _readableState?: { readableListening?: unknown } })
    ._readableState;
  return state?.readableListening === true;
}

/**
 * False if a stream never emits 'close' (`emitClose: false` in its `_readableState` or
 * `_writableState`; the option is public, the state it ends in is not).
 */
export function emitsClose(raw: object): boolean {
  const r = raw as {
    _readableState?: { emitClose?: unknown };
    _writableState?: { emitClose?: unknown };
  };
  return (r._readableState ?? r._writableState)?.emitClose !== false;
}

/**
 * Put a Readable back in its initial mode, as if never read: `readableFlowing = null` (a
 * setter Node keeps over `_readableState.flowing`; documented only as a getter), so a
 * 'data' listener added later makes it flow again.
 */
export function resetFlowing(readable: Readable): void {
  (readable as { readableFlowing: boolean | null }).readableFlowing = null;
}

// The handshake state Node keeps on a tls.TLSSocket.
type TlsState = net.Socket & {
  _secureEstablished?: boolean;
  secureConnecting?: boolean;
  _tlsOptions?: { isServer?: boolean };
};

/**
 * True for a client made by `tls.connect`: it checks the server's certificate in its
 * `'secure'` listener `onConnectSecure` and only then emits 'secureConnect' (or destroys
 * itself with the verification error). A bare `new tls.TLSSocket` client has no such step.
 * Reads `_tlsOptions.isServer` and that listener's name.
 */
export function tlsVerifiesPeer(conn: net.Socket): boolean {
  return (
    (conn as TlsState)._tlsOptions?.isServer !== true &&
    conn.listeners('secure').some((f) => f.name === 'onConnectSecure')
  );
}

/**
 * True once a TLS socket's handshake is done (`_secureEstablished`) and, if it `verifies`
 * its peer, that check too (`secureConnecting` false). Node has no public flag for either.
 */
export function tlsHandshakeDone(conn: net.Socket, verifies: boolean): boolean {
  const tls = conn as TlsState;
  return tls._secureEstablished === true && (!verifies || tls.secureConnecting === false);
}
