import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { Address } from '@curio/io';
import {
  CancelledError,
  type Coro,
  futureWait,
  newTask,
  TaskGroup,
  TaskTimeout,
  timeoutAfter,
} from '@curio/kernel';
import { afterEach, describe, expect, it } from 'vitest';
import { openConnection, runServer } from '../src/index.js';
import { echo, leftoverSockets, runTest } from './helpers.js';

const worker = fileURLToPath(new URL('./fixtures/worker.mjs', import.meta.url));

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

// Which worker answers a connection: "<worker id> <pid>".
function* whoAnswers(port: number): Coro<string> {
  const sock = yield* openConnection('127.0.0.1', port);
  const parts: Buffer[] = [];
  for (let data = yield* sock.recv(100); data.length > 0; data = yield* sock.recv(100)) {
    parts.push(data);
  }
  yield* sock.close();
  return Buffer.concat(parts).toString().trim();
}

/** A `started` callback and a promise of the address it is called with. */
function whenStarted(): [(address: Address) => void, Promise<Address>] {
  let started!: (address: Address) => void;
  const listening = new Promise<Address>((resolve) => {
    started = resolve;
  });
  return [started, listening];
}

afterEach(() => {
  // A failed test must not leave workers behind.
  for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
});

describe('runServer(..., { workers })', () => {
  it('4 workers serve one port, every one answers; cancelling stops them all', async () => {
    cluster.setupPrimary({ exec: worker, args: ['serve'] });
    const events: string[] = [];
    const answers = new Set<string>();
    await runTest(
      (function* () {
        const group = new TaskGroup();
        const address = yield* group.start((started) =>
          runServer('127.0.0.1', 0, echo, { workers: 4, started }),
        );
        const [host, port] = address as [string, number];
        events.push(
          `started ${host} ${port > 0} workers ${Object.keys(cluster.workers ?? {}).length}`,
        );
        for (let i = 0; i < 200 && answers.size < 4; i++) answers.add(yield* whoAnswers(port));
        events.push(`answered by ${answers.size}`);
        yield* group.cancelRemaining();
        events.push(`stopped, workers ${Object.keys(cluster.workers ?? {}).length}`);
      })(),
    );
    expect(events).toEqual([
      'started 127.0.0.1 true workers 4',
      'answered by 4',
      'stopped, workers 0',
    ]);
    const pids = [...answers].map((a) => Number(a.split(' ')[1]));
    expect(new Set(pids).size).toBe(4);
    expect(pids.filter(gone)).toEqual(pids);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('a worker that exits before listening fails runServer; the others are stopped', async () => {
    cluster.setupPrimary({ exec: worker, args: ['fail'] });
    const got = await runTest(
      (function* () {
        try {
          yield* runServer('127.0.0.1', 0, echo, { workers: 3 });
          return 'returned';
        } catch (err) {
          return `${(err as Error).constructor.name}: ${(err as Error).message}`;
        }
      })(),
    );
    expect(got).toMatch(
      /^CurioError: runServer: worker \d+ \(pid \d+\) exited with code 3 before listening; the other workers were stopped$/,
    );
    expect(Object.keys(cluster.workers ?? {})).toEqual([]);
  });

  it('a worker killed while serving fails runServer; the others are stopped', async () => {
    cluster.setupPrimary({ exec: worker, args: ['serve'] });
    const events: string[] = [];
    let pids: number[] = [];
    let killed = '';
    await runTest(
      (function* () {
        const [started, listening] = whenStarted();
        const serving = yield* newTask(runServer('127.0.0.1', 0, echo, { workers: 2, started }));
        yield* futureWait(listening);
        const workers = Object.values(cluster.workers ?? {}).map((w) => w!);
        pids = workers.map((w) => w.process.pid!);
        killed = `worker ${workers[0].id} (pid ${pids[0]})`;
        process.kill(pids[0], 'SIGKILL');
        try {
          yield* serving.join();
        } catch (err) {
          const cause = (err as Error).cause as Error;
          events.push(`${cause.constructor.name}: ${cause.message}`);
        }
        events.push(`workers ${Object.keys(cluster.workers ?? {}).length}`);
      })(),
      { logErrors: false },
    );
    expect(events).toEqual([
      `CurioError: runServer: ${killed} was killed by SIGKILL while serving; the other workers were stopped`,
      'workers 0',
    ]);
    expect(pids.filter(gone)).toEqual(pids);
  });

  it('cancelled or timed out before the workers listen: they are stopped, started is not called', async () => {
    cluster.setupPrimary({ exec: worker, args: ['serve'] });
    const events: string[] = [];
    const pids: number[] = [];
    const started = (address: Address) => events.push(`started ${address}`);
    await runTest(
      (function* () {
        const serving = yield* newTask(runServer('127.0.0.1', 0, echo, { workers: 2, started }));
        for (const w of Object.values(cluster.workers ?? {})) pids.push(w!.process.pid!);
        yield* serving.cancel();
        events.push(`cancelled ${serving.excInfo instanceof CancelledError}`);
        events.push(`workers ${Object.keys(cluster.workers ?? {}).length}`);
        try {
          yield* timeoutAfter(10, runServer('127.0.0.1', 0, echo, { workers: 2, started }));
        } catch (err) {
          events.push(`timed out ${err instanceof TaskTimeout}`);
        }
        events.push(`workers ${Object.keys(cluster.workers ?? {}).length}`);
      })(),
    );
    expect(events).toEqual(['cancelled true', 'workers 0', 'timed out true', 'workers 0']);
    expect(pids.length).toBe(2);
    expect(pids.filter(gone)).toEqual(pids);
  });

  it('stopped workers are gone for good when runServer returns, even if a channel closes after the exit', async () => {
    cluster.setupPrimary({ exec: worker, args: ['serve'] });
    // Deliver each worker's channel close (its `connected` flag and 'disconnect') 50 ms after
    // it happened, after its 'exit': an order a loaded machine may produce. Node removes a
    // worker from cluster.workers only once both have come.
    const holdBack = (w: Worker) => {
      const child = w.process;
      let connected = true;
      Object.defineProperty(child, 'connected', { get: () => connected, set: () => {} });
      const emit = child.emit.bind(child);
      child.emit = (event: string | symbol, ...args: unknown[]) => {
        if (event !== 'disconnect') return emit(event, ...args);
        setTimeout(() => {
          connected = false;
          emit(event, ...args);
        }, 50);
        return true;
      };
    };
    cluster.on('fork', holdBack);
    const events: string[] = [];
    try {
      await runTest(
        (function* () {
          const serving = yield* newTask(runServer('127.0.0.1', 0, echo, { workers: 2 }));
          yield* serving.cancel();
          events.push(`workers ${Object.keys(cluster.workers ?? {}).length}`);
        })(),
      );
    } finally {
      cluster.off('fork', holdBack);
    }
    expect(events).toEqual(['workers 0']);
  });

  it('refuses bad input in the primary, before forking', async () => {
    const bad = async (options: object, host = '127.0.0.1') =>
      runTest(
        (function* () {
          try {
            yield* runServer(host, 0, echo, options);
          } catch (err) {
            return `${(err as Error).constructor.name}: ${(err as Error).message}`;
          }
        })(),
      );
    expect(await bad({ workers: 0 })).toBe(
      'TypeError: runServer: options.workers must be an integer >= 1 (os.availableParallelism() for one per core), got 0',
    );
    expect(await bad({ workers: 1.5 })).toMatch(
      /options\.workers must be an integer >= 1.*got 1\.5$/,
    );
    expect(await bad({ workers: '4' })).toMatch(
      /options\.workers must be an integer >= 1.*got "4"$/,
    );
    expect(await bad({ workers: 2, backlog: -1 })).toBe(
      'TypeError: runServer: options.backlog must be an integer >= 0, got -1',
    );
    expect(await bad({ workers: 2 }, 42 as never)).toMatch(
      /^TypeError: runServer\(host\): host must be/,
    );
    expect(Object.keys(cluster.workers ?? {})).toEqual([]);
  });
});
