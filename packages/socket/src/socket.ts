import net from 'node:net';
import { AF_INET, AF_UNIX, SOCK_DGRAM, SOCK_STREAM, Socket, UnsupportedOperation } from '@curio/io';
import { describeValue } from './validate.js';

/**
 * Make a curio `Socket` (from `@curio/io`), unconnected: `bind`/`listen`/`accept` or `connect` it next.
 * `AF_INET`, `AF_INET6` or `AF_UNIX` with `SOCK_STREAM` (TCP or Unix stream, on `node:net`),
 * `AF_INET`/`AF_INET6` with `SOCK_DGRAM` (UDP, on `node:dgram`). `AF_UNIX` + `SOCK_DGRAM`
 * raises `UnsupportedOperation` (Node cannot make Unix datagram sockets). With `fileno`,
 * wraps that descriptor as `fromfd` does.
 * @example
 * import { AF_INET, SOCK_STREAM, socket } from '@curio/socket';
 *
 * function* connect() {
 *   const sock = socket(AF_INET, SOCK_STREAM);
 *   yield* sock.connect(['127.0.0.1', 25000]);
 *   return sock;
 * }
 */
export function socket(
  family: number = AF_INET,
  type: number = SOCK_STREAM,
  proto = 0,
  fileno?: number | null,
): Socket {
  if (fileno !== undefined && fileno !== null) return fromfd(fileno, family, type, proto);
  return new Socket({ family, type, proto });
}

/**
 * Wrap an open socket (or pipe) file descriptor, e.g. one inherited from a parent process.
 * Node cannot `dup` descriptors, so unlike Python the Socket takes the descriptor itself and
 * closes it, and a descriptor already used by a Node socket is refused. `SOCK_STREAM`
 * descriptors are taken as connected streams; for a listening descriptor use
 * `new Socket(net.createServer().listen({ fd }))`. `SOCK_DGRAM` descriptors are not
 * supported by Node (raises `UnsupportedOperation`).
 * @example
 * import { AF_UNIX, fromfd, SOCK_STREAM } from '@curio/socket';
 *
 * // A socket handed over as file descriptor 3 (by systemd socket activation, say).
 * const sock = fromfd(3, AF_UNIX, SOCK_STREAM);
 */
export function fromfd(fd: number, family: number, type: number, proto = 0): Socket {
  if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0) {
    throw new TypeError(`fromfd(fd): fd must be an integer >= 0, got ${describeValue(fd)}`);
  }
  new Socket({ family, type, proto }); // validates family, type and proto
  if (type === SOCK_DGRAM) {
    throw new UnsupportedOperation('fromfd(SOCK_DGRAM): Node.js cannot wrap a UDP descriptor');
  }
  // Node cannot dup a descriptor, and a second handle on one would leak (Node does not close
  // a handle whose open failed): refuse descriptors a live Node handle already uses.
  if (nodeHandleFds().has(fd)) {
    throw Object.assign(
      new Error(
        `fromfd(fd): descriptor ${fd} already belongs to a Node socket (Node cannot dup descriptors)`,
      ),
      { code: 'EEXIST' },
    );
  }
  const raw = new net.Socket({ fd, readable: true, writable: true, allowHalfOpen: true });
  return new Socket(raw, { family: family === AF_UNIX ? AF_UNIX : family });
}

// Descriptors of the live Node handles (sockets, servers, pipes), where Node exposes them.
function nodeHandleFds(): Set<number> {
  const fds = new Set<number>();
  const list = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
  for (const handle of list?.call(process) ?? []) {
    const fd = (handle as { _handle?: { fd?: unknown } } | null)?._handle?.fd;
    if (typeof fd === 'number' && fd >= 0) fds.add(fd);
  }
  return fds;
}
