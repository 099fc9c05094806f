import { afterEach, expect } from 'vitest';
import { AF_INET, SOCK_STREAM, Socket } from '../src/index.js';

/** The kinds of handles Node reports, counted (timers excluded: vitest uses them). */
function handles(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => r !== 'Timeout' && r !== 'Immediate')
    .sort();
}

/** Fails a test that leaves sockets, servers or other handles open. */
export function checkNoLeaks(): void {
  let before: string[] = [];
  afterEach(async () => {
    for (let i = 0; i < 20 && handles().length > before.length; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(handles()).toEqual(before);
  });
  before = handles();
}

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

/** Close every socket given (in order). */
export function* closeAll(...socks: { close(): import('@curio/kernel').Coro<void> }[]) {
  for (const s of socks) yield* s.close();
}

/** Run `coro` and return the error it raised (or 'no error'). */
export function* caught(
  coro: import('@curio/kernel').Coro<unknown>,
): import('@curio/kernel').Coro<unknown> {
  try {
    yield* coro;
    return 'no error';
  } catch (e) {
    return e;
  }
}
