import type { Socket } from '@curio/io';
import { asyncWith, type Coro, futureWait, newTask, sleep, TaskGroup } from '@curio/kernel';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { checkNoLeaks } from '../../../test-support/leaks.js';
import { createServer, openConnection, runServer } from '../src/index.js';
import { message, Peer, pause } from './clients.js';
import { echo, leftoverSockets, runTest, STRESS } from './helpers.js';

checkNoLeaks(200);

// What the kernel logs (handler crashes): tests that expect none check it is empty.
let crashLog: string[] = [];
beforeEach(() => {
  crashLog = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    crashLog.push(args.map(String).join(' '));
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** A free port: a server is made on port 0 and closed again. */
function* freePort(): Coro<number> {
  const probe = createServer('127.0.0.1', 0, echo);
  const port = (probe.address as [string, number])[1];
  yield* probe.close();
  return port;
}

const CLIENTS = 1000;
const CRASH_EVERY = 10; // handlers of clients 0, 10, 20, ... crash on purpose
const MESSAGE = 4096;

function payload(id: number): Buffer {
  const data = Buffer.alloc(MESSAGE, id % 251);
  data.writeUInt32BE(id, 0);
  return data;
}

// Echo, except that every CRASH_EVERY-th client's handler fails after its first read.
function* handler(client: Socket): Coro<void> {
  let first = true;
  for (;;) {
    const data = yield* client.recv(65536);
    if (data.length === 0) return;
    if (first && data.length >= 4 && data.readUInt32BE(0) % CRASH_EVERY === 0) {
      throw new Error('crash on purpose');
    }
    first = false;
    yield* client.sendall(data);
  }
}

function* client(port: number, id: number, results: string[]): Coro<void> {
  const sock = yield* openConnection('127.0.0.1', port);
  const sent = payload(id);
  const parts: Buffer[] = [];
  try {
    yield* sock.sendall(sent);
    sock.shutdown(1);
    for (;;) {
      const data = yield* sock.recv(65536);
      if (data.length === 0) break;
      parts.push(data);
    }
    results[id] = Buffer.concat(parts).equals(sent)
      ? 'echoed'
      : `short ${Buffer.concat(parts).length}`;
  } catch (err) {
    results[id] = `error ${(err as { code?: string }).code}`;
  } finally {
    yield* sock.close();
  }
}

it(`${CLIENTS} concurrent clients, some handlers crashing: every healthy client gets its bytes back`, async () => {
  const results: string[] = new Array(CLIENTS).fill('not run');
  await runTest(
    (function* () {
      const port = yield* freePort();
      const serving = yield* newTask(runServer('127.0.0.1', port, handler, { backlog: 1024 }));
      yield* asyncWith(new TaskGroup(), function* (group) {
        for (let id = 0; id < CLIENTS; id++) yield* group.spawn(client(port, id, results));
      });
      yield* serving.cancel();
    })(),
    { logErrors: false },
  );
  const healthy = results.filter((_, id) => id % CRASH_EVERY !== 0);
  const crashed = results.filter((_, id) => id % CRASH_EVERY === 0);
  expect(healthy).toEqual(new Array(CLIENTS - CLIENTS / CRASH_EVERY).fill('echoed'));
  // A crashed handler's client sees end of file (or a reset), never its data.
  expect(crashed.filter((r) => r !== 'short 0' && r !== 'error ECONNRESET')).toEqual([]);
  expect(await leftoverSockets()).toEqual([]);
  expect(process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP'))).toEqual([]);
}, 60_000);

const ROUND_TRIP_CLIENTS = STRESS ? 2000 : 1000;
const ROUNDS = 20;
const SIZE = 256;

/**
 * A node:net client: `ROUNDS` echo round trips of `SIZE` bytes (`pauseMs` apart), then end
 * of file. 'served' if every byte came back, in order, and the server then closed.
 */
async function roundTrips(port: number, id: number, pauseMs = 0): Promise<string> {
  let peer: Peer;
  try {
    peer = await Peer.connect(port);
  } catch (err) {
    return `connect failed: ${(err as NodeJS.ErrnoException).code}`;
  }
  for (let round = 0; round < ROUNDS; round++) {
    const sent = message(id, round, SIZE);
    peer.sock.write(sent);
    const got = await peer.read(SIZE);
    if (!got.equals(sent)) {
      peer.sock.destroy();
      await peer.closed;
      return `round ${round}: ${got.length} bytes back${got.length === SIZE ? ', not the ones sent' : ''}`;
    }
    if (pauseMs > 0) await pause(pauseMs);
  }
  peer.sock.end();
  await peer.closed;
  if (peer.error !== undefined) return `error ${peer.error}`;
  return peer.available > 0 ? `${peer.available} bytes too many` : 'served';
}

it(`${ROUND_TRIP_CLIENTS} concurrent clients x ${ROUNDS} echo round trips against runServer: every byte back; it still accepts`, async () => {
  const results = await runTest(
    (function* () {
      const port = yield* freePort();
      const serving = yield* newTask(
        runServer('127.0.0.1', port, echo, { backlog: ROUND_TRIP_CLIENTS }),
      );
      const clients = Array.from({ length: ROUND_TRIP_CLIENTS }, (_, id) => roundTrips(port, id));
      const all = yield* futureWait(Promise.all(clients));
      const after = yield* futureWait(roundTrips(port, ROUND_TRIP_CLIENTS));
      yield* serving.cancel();
      return { all, after };
    })(),
  );
  expect(results.all.filter((r) => r !== 'served')).toEqual([]);
  expect(results.all.length).toBe(ROUND_TRIP_CLIENTS);
  expect(results.after).toBe('served');
  expect(crashLog).toEqual([]);
  expect(await leftoverSockets()).toEqual([]);
}, 60_000);

// The issue's sizes, also under CURIO_STRESS: with CPU hogs beside it, 1,000 trickling
// clients made one client's 300 ms pause outlast the 1 s idle timeout (a machine-speed test).
const SLOW = 300;
const NORMAL = 50;
const IDLE_TIMEOUT = 1000;
const TRICKLE_MS = 300; // a slow client's pace: one byte every 300 ms...
const TRICKLE_BYTES = 5; // ...5 of them (1.2 s: longer than the idle timeout), then silence

/** A slowloris: one byte every TRICKLE_MS, TRICKLE_BYTES of them, then it stops sending. */
async function slowClient(port: number): Promise<string> {
  const peer = await Peer.connect(port);
  let lastSent = 0;
  for (let i = 0; i < TRICKLE_BYTES; i++) {
    if (i > 0) await pause(TRICKLE_MS);
    peer.sock.write('s');
    lastSent = performance.now();
  }
  const echoed = (await peer.read(TRICKLE_BYTES + 1)).toString();
  await peer.closed;
  const silentFor = peer.endedAt - lastSent;
  // Node's timers never fire early; the upper bound leaves room for a loaded machine.
  const when =
    silentFor >= IDLE_TIMEOUT - 50 && silentFor < 10 * IDLE_TIMEOUT
      ? 'after idleTimeout'
      : `after ${Math.round(silentFor)} ms of silence`;
  return `echoed ${echoed}, ${peer.ended ? 'closed by the server' : `error ${peer.error}`} ${when}`;
}

it(`${SLOW} slow clients beside ${NORMAL} normal ones: every normal one is served in full; idleTimeout closes the slow ones`, async () => {
  const handlerEnds: string[] = [];
  function* recordingEcho(client: Socket): Coro<void> {
    try {
      yield* echo(client);
      handlerEnds.push('end of file');
    } catch (err) {
      handlerEnds.push(`${(err as Error).name} ${(err as NodeJS.ErrnoException).code}`);
      throw err;
    }
  }
  const results = await runTest(
    (function* () {
      const server = createServer('127.0.0.1', 0, recordingEcho, {
        backlog: SLOW + NORMAL,
        idleTimeout: IDLE_TIMEOUT,
      });
      const port = (server.address as [string, number])[1];
      const serving = yield* newTask(server.serveForever());
      const slow = Array.from({ length: SLOW }, () => slowClient(port));
      while (server.clients < SLOW) yield* sleep(10);
      // The normal clients run while the slow ones trickle: 20 round trips, 50 ms apart.
      const normal = Array.from({ length: NORMAL }, (_, id) => roundTrips(port, id, 50));
      const normalResults = yield* futureWait(Promise.all(normal));
      const slowResults = yield* futureWait(Promise.all(slow));
      const after = yield* futureWait(roundTrips(port, NORMAL));
      const clientsLeft = server.clients;
      yield* serving.cancel();
      return { normalResults, slowResults, after, clientsLeft };
    })(),
  );
  expect(results.normalResults).toEqual(new Array(NORMAL).fill('served'));
  expect(results.slowResults).toEqual(
    new Array(SLOW).fill('echoed sssss, closed by the server after idleTimeout'),
  );
  expect(results.after).toBe('served');
  expect(results.clientsLeft).toBe(0);
  // Each slow client's handler saw the idle timeout; it ended quietly (nothing logged).
  expect(handlerEnds.sort()).toEqual([
    ...new Array(SLOW).fill('Error ETIMEDOUT'),
    ...new Array(NORMAL + 1).fill('end of file'),
  ]);
  expect(crashLog).toEqual([]);
  expect(await leftoverSockets()).toEqual([]);
}, 60_000);
