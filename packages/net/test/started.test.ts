import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address } from '@curio/io';
import {
  type Coro,
  futureWait,
  newTask,
  TaskGroup,
  TaskTimeout,
  timeoutAfter,
} from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import {
  createServer,
  openConnection,
  openUnixConnection,
  runServer,
  runUnixServer,
} from '../src/index.js';
import { echo, exchange, leftoverSockets, runTest, settle } from './helpers.js';

let unixCount = 0;
function unixPath(): string {
  return join(tmpdir(), `curio-net-started-${process.pid}-${unixCount++}.sock`);
}

/** A `started` callback and a promise of the address it is called with. */
function whenStarted(): [(address: Address) => void, Promise<Address>] {
  let started!: (address: Address) => void;
  const listening = new Promise<Address>((resolve) => {
    started = resolve;
  });
  return [started, listening];
}

function* message(body: Coro<unknown>): Coro<string> {
  try {
    yield* body;
    return 'no error';
  } catch (err) {
    return `${(err as Error).constructor.name}: ${(err as Error).message}`;
  }
}

describe('runServer / runUnixServer: started', () => {
  it('runServer on port 0 tells started the bound address, then serves', async () => {
    const events: string[] = [];
    await runTest(
      (function* () {
        const [started, listening] = whenStarted();
        const serving = yield* newTask(runServer('127.0.0.1', 0, echo, { started }));
        const [host, port] = (yield* futureWait(listening)) as [string, number];
        events.push(`started ${host} ${port > 0}`);
        const sock = yield* openConnection(host, port);
        events.push(`reply ${yield* exchange(sock, 'hello')}`);
        yield* sock.close();
        yield* serving.cancel();
        events.push(`after cancel ${yield* settle(openConnection(host, port))}`);
      })(),
    );
    expect(events).toEqual([
      'started 127.0.0.1 true',
      'reply hello',
      'after cancel Error ECONNREFUSED',
    ]);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('runUnixServer tells started its path', async () => {
    const path = unixPath();
    const events: string[] = [];
    await runTest(
      (function* () {
        const [started, listening] = whenStarted();
        const serving = yield* newTask(runUnixServer(path, echo, { started }));
        events.push(`started ${(yield* futureWait(listening)) === path}`);
        const sock = yield* openUnixConnection(path);
        events.push(`reply ${yield* exchange(sock, 'unix')}`);
        yield* sock.close();
        yield* serving.cancel();
      })(),
    );
    expect(events).toEqual(['started true', 'reply unix']);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('a host name is resolved before listening: started comes after, with the address', async () => {
    // 'LOCALHOST' is not the 'localhost' bound at once: Node resolves it first.
    const events: string[] = [];
    await runTest(
      (function* () {
        const server = createServer('LOCALHOST', 0, echo);
        events.push(
          `before listening ${yield* settle(
            (function* () {
              server.address;
            })(),
          )}`,
        );
        yield* server.close();
        const [started, listening] = whenStarted();
        const serving = yield* newTask(runServer('LOCALHOST', 0, echo, { started }));
        events.push('runServer started');
        const [host, port] = (yield* futureWait(listening)) as [string, number];
        events.push(`started ${host} ${port > 0}`);
        const sock = yield* openConnection(host, port);
        events.push(`reply ${yield* exchange(sock, 'named')}`);
        yield* sock.close();
        yield* serving.cancel();
      })(),
    );
    expect(events).toEqual([
      'before listening Error EINVAL',
      'runServer started',
      'started 127.0.0.1 true',
      'reply named',
    ]);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('cancelled or timed out before listening: started is never called, nothing is left open', async () => {
    const events: string[] = [];
    const started = (address: Address) => events.push(`started ${address}`);
    await runTest(
      (function* () {
        const serving = yield* newTask(runServer('LOCALHOST', 0, echo, { started }));
        yield* serving.cancel();
        events.push(`cancelled ${serving.terminated}`);
        try {
          yield* timeoutAfter(0, runServer('LOCALHOST', 0, echo, { started }));
        } catch (err) {
          events.push(`timed out ${err instanceof TaskTimeout}`);
        }
      })(),
    );
    expect(events).toEqual(['cancelled true', 'timed out true']);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('under timeoutAfter once serving: started, then TaskTimeout once the server is closed', async () => {
    const events: string[] = [];
    await runTest(
      (function* () {
        const started = (address: Address) => events.push(`started ${Array.isArray(address)}`);
        try {
          yield* timeoutAfter(50, runServer('127.0.0.1', 0, echo, { started }));
        } catch (err) {
          events.push(`timed out ${err instanceof TaskTimeout}`);
        }
      })(),
    );
    expect(events).toEqual(['started true', 'timed out true']);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('a server that cannot listen raises its error; started is not called', async () => {
    const path = unixPath();
    writeFileSync(path, '');
    const events: string[] = [];
    try {
      await runTest(
        (function* () {
          const started = (address: Address) => events.push(`started ${address}`);
          events.push(yield* settle(runUnixServer(path, echo, { started })));
        })(),
      );
    } finally {
      rmSync(path, { force: true });
    }
    expect(events).toEqual(['Error EADDRINUSE']);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('a started that raises closes the server and raises from runServer', async () => {
    const got = await runTest(
      (function* () {
        return yield* message(
          runServer('127.0.0.1', 0, echo, {
            started: () => {
              throw new Error('not now');
            },
          }),
        );
      })(),
    );
    expect(got).toBe('Error: not now');
    expect(await leftoverSockets()).toEqual([]);
  });

  it('refuses a started that is not a function, and options that are not an object', async () => {
    const got = await runTest(
      (function* () {
        return [
          yield* message(runServer('127.0.0.1', 0, echo, { started: 42 as never })),
          yield* message(runUnixServer(unixPath(), echo, { started: 'yes' as never })),
          yield* message(runServer('127.0.0.1', 0, echo, 7 as never)),
          yield* message(runServer('127.0.0.1', -1, echo)),
        ];
      })(),
    );
    expect(got).toEqual([
      'TypeError: runServer: options.started must be a function (address) => void, got 42',
      'TypeError: runUnixServer: options.started must be a function (address) => void, got "yes"',
      'TypeError: runServer: options must be an object, got 7',
      'RangeError: runServer(port): port must be an integer from 0 to 65535, got -1',
    ]);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('TaskGroup.start: const address = yield* g.start((started) => runServer(..., { started }))', async () => {
    const events: string[] = [];
    await runTest(
      (function* () {
        const g = new TaskGroup();
        const address = yield* g.start((started) => runServer('127.0.0.1', 0, echo, { started }));
        const [host, port] = address as [string, number];
        events.push(`started ${host} ${port > 0}, group tasks ${g.tasks.length}`);
        const sock = yield* openConnection(host, port);
        events.push(`reply ${yield* exchange(sock, 'group')}`);
        yield* sock.close();
        yield* g.cancelRemaining();
        events.push(`after cancelRemaining ${yield* settle(openConnection(host, port))}`);
      })(),
    );
    expect(events).toEqual([
      'started 127.0.0.1 true, group tasks 1',
      'reply group',
      'after cancelRemaining Error ECONNREFUSED',
    ]);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('TaskGroup.start raises what stops the server from listening; the group is left empty', async () => {
    const path = unixPath();
    writeFileSync(path, '');
    const events: string[] = [];
    try {
      await runTest(
        (function* () {
          const g = new TaskGroup();
          events.push(yield* settle(g.start((started) => runUnixServer(path, echo, { started }))));
          events.push(`group tasks ${g.tasks.length}`);
          yield* g.join();
        })(),
      );
    } finally {
      rmSync(path, { force: true });
    }
    expect(events).toEqual(['Error EADDRINUSE', 'group tasks 0']);
    expect(await leftoverSockets()).toEqual([]);
  });
});
