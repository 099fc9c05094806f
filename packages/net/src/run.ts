import cluster from 'node:cluster';
import type { Address } from '@curio/io';
import { asyncWith, type Coro, futureWait, newTask } from '@curio/kernel';
import {
  type ClientConnectedTask,
  checkTcpServer,
  makeServer,
  makeUnixServer,
  type Server,
  type ServerOptions,
  type UnixServerOptions,
} from './server.js';
import { checkOptions, describe } from './validate.js';
import { checkWorkers, runWorkers, type StopRequest, stopRequest } from './workers.js';

/** Options of `runServer`: `createServer`'s, plus `started` and `workers`. */
export interface RunServerOptions extends ServerOptions {
  /**
   * Called with the server's address (`server.address`: the real port when `port` is 0) once
   * it listens. `TaskGroup.start` hands in such a function:
   * `const address = yield* group.start((started) => runServer('127.0.0.1', 0, echo, { started }))`.
   * With `workers`: in the primary, once every worker listens (and in each worker, once it does).
   */
  started?: (address: Address) => void;
  /**
   * Serve from this many processes forked with `node:cluster`, sharing one listening socket
   * (`os.availableParallelism()` for one per core). Each worker runs the program again and
   * serves from its own `runServer`; the primary's `runServer` supervises them. See the
   * README, "Past one core".
   */
  workers?: number;
}

/** Options of `runUnixServer`: `createUnixServer`'s, plus `started`. */
export interface RunUnixServerOptions extends UnixServerOptions {
  /** Called with the socket's path once the server listens. */
  started?: (address: Address) => void;
}

type Started = (address: Address) => void;

function checkStarted(fn: string, options: { started?: unknown } | undefined): Started | undefined {
  checkOptions(fn, options);
  const started = options?.started;
  if (started !== undefined && typeof started !== 'function') {
    throw new TypeError(
      `${fn}: options.started must be a function (address) => void, got ${describe(started)}`,
    );
  }
  return started as Started | undefined;
}

/**
 * `createServer(...)` then `serveForever()`: serves until cancelled. `started` is called
 * with the address once the server listens; `workers` serves from several processes.
 * @example
 * import type { Socket } from '@curio/io';
 * import { run, TaskGroup } from '@curio/kernel';
 * import { runServer } from '@curio/net';
 *
 * function* echo(client: Socket) {
 *   for (let data = yield* client.recv(65536); data.length > 0; data = yield* client.recv(65536)) {
 *     yield* client.sendall(data);
 *   }
 * }
 * await run(function* () {
 *   const group = new TaskGroup();
 *   // Returns once the server listens, with its address (the port it got).
 *   const address = yield* group.start((started) => runServer('127.0.0.1', 0, echo, { started }));
 *   console.log('listening on', address);
 *   // ... the server runs in the group ...
 *   yield* group.cancelRemaining();
 * }());
 */
export function* runServer(
  host: string,
  port: number,
  clientConnectedTask: ClientConnectedTask,
  options?: RunServerOptions,
): Coro<void> {
  const fn = 'runServer';
  const started = checkStarted(fn, options);
  const workers = checkWorkers(fn, options?.workers);
  if (workers !== undefined && cluster.isPrimary) {
    checkTcpServer(fn, host, port, clientConnectedTask, options);
    yield* runWorkers(fn, workers, started);
    return;
  }
  // A worker watches for the primary's stop from before it listens.
  const stop = workers === undefined ? undefined : stopRequest();
  try {
    yield* serve(makeServer(fn, host, port, clientConnectedTask, options), started, stop);
  } finally {
    stop?.dispose();
  }
}

/**
 * `createUnixServer(...)` then `serveForever()`: serves until cancelled. `started` is called
 * with the path once the server listens.
 * @example
 * import type { Socket } from '@curio/io';
 * import { run } from '@curio/kernel';
 * import { runUnixServer } from '@curio/net';
 *
 * function* hello(client: Socket) {
 *   yield* client.sendall(Buffer.from('hello\n'));
 * }
 * await run(runUnixServer('/tmp/hello.sock', hello, { started: (path) => console.log('on', path) }));
 */
export function* runUnixServer(
  path: string,
  clientConnectedTask: ClientConnectedTask,
  options?: RunUnixServerOptions,
): Coro<void> {
  const fn = 'runUnixServer';
  const started = checkStarted(fn, options);
  yield* serve(makeUnixServer(fn, path, clientConnectedTask, options), started, undefined);
}

// Wait until `server` listens, tell `started`, serve; with `stop` (a cluster worker), until
// the primary asks to stop. The server is closed on every way out.
function* serve(server: Server, started: Started | undefined, stop?: StopRequest): Coro<void> {
  yield* asyncWith(server, function* () {
    const address = yield* server.listening();
    started?.(address);
    if (stop === undefined) return yield* server.serveForever();
    if (stop.requested) return;
    const closer = yield* newTask(closeOnStop(server, stop));
    try {
      yield* server.serveForever();
    } finally {
      yield* closer.cancel();
    }
  });
}

function* closeOnStop(server: Server, stop: StopRequest): Coro<void> {
  yield* futureWait(stop.promise);
  yield* server.close();
}
