import type { Socket } from '@curio/io';
import { asyncWith, type Coro, newTask, run, TaskGroup } from '@curio/kernel';
import { expect, it } from 'vitest';
import { createServer, openConnection, runServer } from '../src/index.js';
import { leftoverSockets } from './helpers.js';

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
  await run(
    (function* () {
      // Pick a free port, then serve on it with runServer.
      const probe = createServer('127.0.0.1', 0, handler);
      const port = (probe.address as [string, number])[1];
      yield* probe.close();
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
}, 20000);
