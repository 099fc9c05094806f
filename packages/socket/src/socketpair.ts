import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  SOCK_DGRAM,
  SOCK_STREAM,
  Socket,
  UnsupportedOperation,
} from '@curio/io';
import { describeValue } from './validate.js';

/**
 * A pair of connected stream sockets. Node has no `socketpair(2)`, so the pair is made by
 * connecting through a temporary listener: for `AF_UNIX` (the default) a Unix socket under
 * `os.tmpdir()` (removed as soon as the pair is connected), for `AF_INET`/`AF_INET6` a
 * loopback port. Both sockets are returned at once; the connection completes in the
 * background and their first blocking call waits for it. `SOCK_DGRAM` raises
 * `UnsupportedOperation`.
 * @example
 * ```ts run
 * import { run } from '@curio/kernel';
 * import { socketpair } from '@curio/socket';
 *
 * await run(function* () {
 *   const [a, b] = socketpair();
 *   yield* a.sendall(Buffer.from('ping'));
 *   console.log((yield* b.recv(10)).toString()); // ping
 *   yield* a.close();
 *   yield* b.close();
 * }());
 * ```
 */
export function socketpair(
  family: number = AF_UNIX,
  type: number = SOCK_STREAM,
  proto = 0,
): [Socket, Socket] {
  if (family !== AF_UNIX && family !== AF_INET && family !== AF_INET6) {
    throw new TypeError(
      `socketpair(family): family must be AF_UNIX, AF_INET or AF_INET6, got ${describeValue(family)}`,
    );
  }
  if (type === SOCK_DGRAM) {
    throw new UnsupportedOperation(
      'socketpair(SOCK_DGRAM): Node.js cannot make a connected datagram pair',
    );
  }
  const first = new Socket({ family, type, proto });
  const second = new Socket({ family, type, proto });
  const server = net.createServer({ allowHalfOpen: true });
  const accepted = new Promise<net.Socket>((resolve, reject) => {
    server.once('connection', (conn: net.Socket) => {
      server.close();
      resolve(conn);
    });
    server.once('error', (err) => {
      server.close();
      reject(err);
    });
  });
  const connected = new Promise<net.Socket>((resolve) => {
    const connect = (options: net.NetConnectOpts) => {
      const client = net.connect({ ...options, allowHalfOpen: true });
      client.once('error', () => server.close());
      resolve(client);
    };
    if (family === AF_UNIX) {
      const path = join(
        tmpdir(),
        `curio-pair-${process.pid}-${randomBytes(6).toString('hex')}.sock`,
      );
      server.listen(path);
      connect({ path });
    } else {
      const host = family === AF_INET6 ? '::1' : '127.0.0.1';
      server.listen(0, host, () => {
        connect({ host, port: (server.address() as net.AddressInfo).port });
      });
    }
  });
  first._adoptLater(connected);
  second._adoptLater(accepted);
  return [first, second];
}
