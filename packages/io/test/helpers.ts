import { existsSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caught, checkNoLeaks } from '../../../test-support/leaks.js';
import { AF_INET, AF_UNIX, SOCK_STREAM, Socket } from '../src/index.js';

export { caught, checkNoLeaks };

/** A listening TCP socket on 127.0.0.1 and its port. */
export function listener(): [Socket, number] {
  const server = new Socket({ family: AF_INET, type: SOCK_STREAM });
  server.bind(['127.0.0.1', 0]);
  server.listen(16);
  const address = server.getsockname() as [string, number];
  return [server, address[1]];
}

/** A connected pair over 127.0.0.1: `[client, server-side, listener]`. */
export function* tcpPair(): Generator<
  import('@curio/kernel').Trap,
  [Socket, Socket, Socket],
  unknown
> {
  const [server, port] = listener();
  const client = new Socket({ family: AF_INET, type: SOCK_STREAM });
  yield* client.connect(['127.0.0.1', port]);
  const [accepted] = yield* server.accept();
  return [client, accepted, server];
}

/** A fresh Unix socket path in the temporary directory (removed if a run left it behind). */
export function unixPath(name: string): string {
  const path = join(tmpdir(), `curio-io-${name}-${process.pid}.sock`);
  if (existsSync(path)) unlinkSync(path);
  return path;
}

/** A connected pair over a Unix socket at `unixPath(name)`: `[client, server-side, listener]`. */
export function* unixPair(
  name: string,
): Generator<import('@curio/kernel').Trap, [Socket, Socket, Socket], unknown> {
  const path = unixPath(name);
  const server = new Socket({ family: AF_UNIX, type: SOCK_STREAM });
  server.bind(path);
  server.listen();
  const client = new Socket({ family: AF_UNIX, type: SOCK_STREAM });
  yield* client.connect(path);
  const [accepted] = yield* server.accept();
  return [client, accepted, server];
}

/** Close every socket given (in order). */
export function* closeAll(...socks: { close(): import('@curio/kernel').Coro<void> }[]) {
  for (const s of socks) yield* s.close();
}
