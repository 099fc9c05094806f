import type { Socket } from '@curio/io';
import { type Coro, cancelTask, currentTask, Kernel, type RunOptions } from '@curio/kernel';

const KINDS = new Set(['TCPSocketWrap', 'TLSWrap', 'TCPServerWrap', 'PipeWrap', 'PipeServerWrap']);

function sockets(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => KINDS.has(r))
    .sort();
}

// The test runner's own pipes (and a file's long-lived fixtures) are not leaks.
let baseline = sockets();

/** Count the sockets open now (fixtures made in beforeAll) as part of the baseline. */
export function resetBaseline(): void {
  baseline = sockets();
}

function opened(): string[] {
  const left = sockets();
  for (const r of baseline) {
    const i = left.indexOf(r);
    if (i >= 0) left.splice(i, 1);
  }
  return left;
}

/**
 * Socket handles opened since the test file started and still open once Node has finished
 * closing (a TLS connection releases its TCP handle a moment after 'close'); waits up to a
 * second for them to go.
 */
export async function leftoverSockets(): Promise<string[]> {
  for (let i = 0; i < 100 && opened().length > 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return opened();
}

/**
 * `run(body)` for tests: when `body` fails, the tasks it left running (a server's
 * `serveForever`, the server's client handlers) are cancelled and its error is raised. `run`
 * waits for every non-daemon task, so such a failure otherwise showed only as a test timeout,
 * its error lost.
 */
export async function runTest<T>(body: Coro<T>, options?: RunOptions): Promise<T> {
  const kernel = new Kernel();
  function* guarded(): Coro<T> {
    try {
      return yield* body;
    } catch (err) {
      const me = yield* currentTask();
      for (const task of kernel.tasks.values()) if (task !== me) yield* cancelTask(task);
      throw err;
    }
  }
  try {
    return await kernel.run(guarded(), options);
  } finally {
    await kernel.shutdown();
  }
}

/** The manual's echo handler. */
export function* echo(client: Socket): Coro<void> {
  for (;;) {
    const data = yield* client.recv(65536);
    if (data.length === 0) return;
    yield* client.sendall(data);
  }
}

/** Send `message`, half-close, and read everything back. */
export function* exchange(sock: Socket, message: string): Coro<string> {
  yield* sock.sendall(Buffer.from(message));
  sock.shutdown(1);
  const parts: Buffer[] = [];
  for (;;) {
    const data = yield* sock.recv(65536);
    if (data.length === 0) break;
    parts.push(data);
  }
  return Buffer.concat(parts).toString();
}

/** 'ok', or the error's class name and code. */
export function* settle(body: Coro<unknown>): Coro<string> {
  try {
    yield* body;
    return 'ok';
  } catch (err) {
    const e = err as Error & { code?: string };
    return `${e.name}${e.code ? ` ${e.code}` : ''}`;
  }
}

/** CURIO_STRESS=1 (set by the stress script) runs the load and fault tests at full size. */
export const STRESS = process.env.CURIO_STRESS === '1';
