import { AF_INET, type Socket as CurioSocket, Socket } from '@curio/io';
import { type Coro, newTask } from '@curio/kernel';

/** A connected pair of curio TCP sockets over loopback: [server side, client side]. */
export function* tcpPair(): Coro<[CurioSocket, CurioSocket]> {
  const listener = new Socket({ family: AF_INET });
  listener.bind(['127.0.0.1', 0]);
  listener.listen(1);
  const address = listener.getsockname();
  const client = new Socket({ family: AF_INET });
  const connecting = yield* newTask(client.connect(address));
  const [server] = yield* listener.accept();
  yield* connecting.join();
  yield* listener.close();
  return [server, client];
}

const KINDS = new Set(['TCPSocketWrap', 'TLSWrap', 'TCPServerWrap', 'PipeWrap', 'PipeServerWrap']);

function sockets(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => KINDS.has(r))
    .sort();
}

// The test runner's own pipes are there before any test.
const baseline = sockets();

/** Socket handles opened since the test file started (none once everything is closed). */
export function openSockets(): string[] {
  const left = sockets();
  for (const r of baseline) {
    const i = left.indexOf(r);
    if (i >= 0) left.splice(i, 1);
  }
  return left;
}

/**
 * Socket handles still open once Node has finished closing (a TLS connection releases its TCP
 * handle a moment after 'close'); waits up to a second for them to go.
 */
export async function leftoverSockets(): Promise<string[]> {
  for (let i = 0; i < 100 && openSockets().length > 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return openSockets();
}
