import { type Address, SOCK_STREAM, type Socket } from '@curio/io';
import { type Coro, TaskTimeout } from '@curio/kernel';
import { getaddrinfo } from './dns.js';
import { socket } from './socket.js';
import { describeValue } from './validate.js';

/**
 * Connect a TCP socket to `address` (`[host, port]`), trying each address `host` resolves
 * to in turn (as Python's `create_connection`); raises the last error if none answers.
 * `timeout` (ms) is set on the socket (`settimeout`) and so bounds each attempt and every
 * later call; `sourceAddress` (`[host, port]`) is bound before connecting.
 * @example
 * import { createConnection } from '@curio/socket';
 *
 * function* hello() {
 *   const sock = yield* createConnection(['localhost', 25000], 5000); // Python: create_connection
 *   yield* sock.sendall(Buffer.from('hello\n'));
 *   yield* sock.close();
 * }
 */
export function* createConnection(
  address: [string, number],
  timeout?: number | null,
  sourceAddress?: [string, number] | null,
): Coro<Socket> {
  if (!Array.isArray(address) || address.length !== 2 || typeof address[0] !== 'string') {
    throw new TypeError(
      `createConnection(address): address must be [host, port], got ${describeValue(address)}`,
    );
  }
  const [host, port] = address;
  const infos = yield* getaddrinfo(host === '' ? null : host, port, 0, SOCK_STREAM);
  let lastError: unknown = new Error(`createConnection: ${host} resolved to no address`);
  for (const [family, type, proto, , sockaddr] of infos) {
    const sock = socket(family, type, proto);
    try {
      sock.settimeout(timeout ?? null);
      if (sourceAddress !== undefined && sourceAddress !== null) sock.bind(sourceAddress);
      yield* sock.connect(sockaddr as Address);
      return sock;
    } catch (err) {
      yield* sock.close();
      if (err instanceof TaskTimeout && timeout == null) throw err; // an enclosing timeout
      if (!(err instanceof TaskTimeout) && typeof (err as { code?: unknown })?.code !== 'string') {
        throw err;
      }
      lastError = err;
    }
  }
  throw lastError;
}
