// Happy eyeballs (RFC 8305), as Trio's open_tcp_stream does it: try the addresses a host
// resolves to one after another with staggered starts, and keep the first connection made.
// Attempt i+1 starts when attempt i fails, or `delay` ms after attempt i started, whichever
// comes first; all run at once inside one `race`, whose first finisher (a connected socket)
// wins while the others are cancelled (their half-open connections closed). A failed attempt
// drops out of the race; when every one has failed, the last raises an AggregateError.
//
//   node dist/happy-eyeballs.js   # demo: three local addresses; one never accepts, one
//                                 # refuses, one serves

import { lookup } from 'node:dns/promises';
import { once } from 'node:events';
import * as net from 'node:net';
import { Worker } from 'node:worker_threads';
import type { Address, Socket } from '@curio/io';
import {
  CancelledError,
  type Coro,
  futureWait,
  ignoreAfter,
  race,
  run,
  TaskGroup,
} from '@curio/kernel';
import { openConnection, runServer } from '@curio/net';
import { Event } from '@curio/sync';

export type HostPort = readonly [host: string, port: number];

export interface HappyEyeballsOptions {
  /** ms an attempt has alone before the next one starts (Trio's default: 250). */
  delay?: number;
  /** ms for the whole connect: `TaskTimeout` when no attempt has connected by then. */
  timeout?: number;
  /** Told each step: `try 127.0.0.1:80`, `failed 127.0.0.1:80 ECONNREFUSED`, `connected ...`. */
  log?: (line: string) => void;
}

/** Connect to the first of `addresses` that answers, happy-eyeballs style. */
export function* connectFirst(
  addresses: readonly HostPort[],
  options: HappyEyeballsOptions = {},
): Coro<Socket> {
  if (!Array.isArray(addresses) || addresses.length === 0) {
    throw new TypeError(
      'connectFirst(addresses): addresses must be a non-empty array of [host, port]',
    );
  }
  const { delay = 250, timeout, log = () => {} } = options;
  if (typeof delay !== 'number' || !(delay >= 0)) {
    throw new TypeError(`connectFirst: options.delay must be a number of ms >= 0, got ${delay}`);
  }
  const began = addresses.map(() => new Event());
  const failed = addresses.map(() => new Event());
  const errors: Error[] = [];
  const reasons: string[] = [];
  let connected = false;

  function* attempt(i: number): Coro<Socket> {
    if (i > 0) {
      yield* began[i - 1].wait(); // the previous attempt has started...
      yield* ignoreAfter(delay, failed[i - 1].wait()); // ...and failed, or had `delay` ms
    }
    yield* began[i].set();
    const where = addresses[i].join(':');
    log(`try ${where}`);
    let sock: Socket;
    try {
      sock = yield* openConnection(...addresses[i]);
    } catch (err) {
      if (err instanceof CancelledError) throw err; // another attempt won, or the caller gave up
      const reason = `${where} ${(err as { code?: string }).code ?? (err as Error).message}`;
      log(`failed ${reason}`);
      errors.push(err as Error);
      reasons.push(reason);
      if (errors.length === addresses.length) {
        throw new AggregateError(
          errors,
          `connectFirst: no address answered: ${reasons.join(', ')}`,
        );
      }
      yield* failed[i].set();
      return yield* outOfTheRace();
    }
    if (connected) {
      // Connected in the same moment as the winner: not needed.
      yield* sock.close();
      return yield* outOfTheRace();
    }
    connected = true;
    log(`connected ${where}`);
    return sock;
  }

  return yield* race(
    addresses.map((_, i) => attempt(i)),
    { timeout },
  );
}

// An attempt that has failed (or lost) waits here until the race cancels it.
function* outOfTheRace(): Coro<never> {
  yield* new Event().wait();
  throw new Error('unreachable: nothing sets this event');
}

/**
 * Resolve `host` and connect to the first of its addresses that answers (IPv6 and IPv4
 * interleaved as RFC 6555 asks: the first address of the other family goes second).
 */
export function* openTcpStream(
  host: string,
  port: number,
  options?: HappyEyeballsOptions,
): Coro<Socket> {
  const found = yield* futureWait(lookup(host, { all: true }));
  const other = found.findIndex((a) => a.family !== found[0].family);
  if (other > 1) found.splice(1, 0, ...found.splice(other, 1));
  return yield* connectFirst(
    found.map((a): HostPort => [a.address, port]),
    options,
  );
}

/**
 * A listener on `host` that never accepts and whose queue of connections is full, so a
 * new connection to it is never established (its SYN is dropped): it listens on a worker
 * thread whose event loop is blocked, with a backlog of 1 filled by two connections.
 */
export async function neverAccepting(
  host: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const server = require('node:net').createServer();
    server.listen({ host: workerData.host, port: 0, backlog: 1 }, () => {
      parentPort.postMessage(server.address().port);
      Atomics.wait(new Int32Array(workerData.release), 0, 0); // never accepts
      server.close();
    });`;
  const release = new SharedArrayBuffer(4);
  const worker = new Worker(code, { eval: true, workerData: { host, release } });
  const [port] = (await once(worker, 'message')) as [number];
  const fillers = await Promise.all(
    [1, 2].map(async () => {
      const filler = net.connect({ host, port });
      await once(filler, 'connect');
      return filler;
    }),
  );
  return {
    port,
    async close() {
      for (const filler of fillers) filler.destroy();
      Atomics.store(new Int32Array(release), 0, 1);
      Atomics.notify(new Int32Array(release), 0);
      await once(worker, 'exit');
    },
  };
}

/** A port on `host` where nothing listens: connecting is refused at once. */
export async function refusingPort(host: string): Promise<number> {
  const probe = net.createServer().listen(0, host);
  await once(probe, 'listening');
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function* hello(client: Socket): Coro<void> {
  const [host, port] = client.getsockname() as [string, number];
  yield* client.sendall(Buffer.from(`hello from ${host}:${port}\n`));
}

function* demo(stalled: number, refused: number): Coro<void> {
  const group = new TaskGroup();
  // Start the serving task and wait until it listens: started(address) ends the start.
  const address = yield* group.start<Address>((started) =>
    runServer('127.0.0.1', 0, hello, { started }),
  );
  const serving = address as HostPort;
  const addresses: HostPort[] = [['127.0.0.2', stalled], ['127.0.0.3', refused], serving];
  console.log(
    `never accepts ${addresses[0].join(':')}, refuses ${addresses[1].join(':')}, serves ${serving.join(':')}`,
  );
  const sock = yield* connectFirst(addresses, { log: (line) => console.log(line) });
  console.log(`got: ${(yield* sock.recv(100)).toString().trim()}`);
  yield* sock.close();
  yield* group.cancelRemaining();
}

if (process.argv[1]?.endsWith('happy-eyeballs.js')) {
  const stalled = await neverAccepting('127.0.0.2');
  const refused = await refusingPort('127.0.0.3');
  try {
    await run(demo(stalled.port, refused));
  } finally {
    await stalled.close();
  }
}
