// The test helpers' own promises.
import type { Socket } from '@curio/io';
import { type Coro, newTask, sleep } from '@curio/kernel';
import { expect, it } from 'vitest';
import { createServer, openConnection } from '../src/index.js';
import { leftoverSockets, runTest } from './helpers.js';

it('runTest: a body that fails ends the run with its error; the server and its clients are cancelled', async () => {
  const events: string[] = [];
  function* stuck(_client: Socket): Coro<void> {
    try {
      yield* sleep(60_000);
    } catch (err) {
      events.push(`handler ${(err as Error).name}`);
      throw err;
    }
  }
  const outcome = await runTest(
    (function* () {
      const server = createServer('127.0.0.1', 0, stuck);
      yield* newTask(server.serveForever());
      const sock = yield* openConnection('127.0.0.1', (server.address as [string, number])[1]);
      while (server.clients === 0) yield* sleep(1);
      yield* sock.close();
      throw new Error('boom'); // plain run() would wait for the serving task forever
    })(),
  ).catch(String);
  expect(outcome).toBe('Error: boom');
  expect(events).toEqual(['handler CancelledError']);
  expect(await leftoverSockets()).toEqual([]);
});
