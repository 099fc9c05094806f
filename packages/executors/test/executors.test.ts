import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CancelledError, newTask, run, sleep, TaskError, TaskTimeout } from '@curio/kernel';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Executor,
  runBlocking,
  runCpuBound,
  runInExecutor,
  setBlockingExecutor,
  setCpuExecutor,
  shutdownExecutors,
  WorkerExecutor,
} from '../dist/index.js';

const math = new URL('./fixtures/math.mjs', import.meta.url);
const pools: WorkerExecutor[] = [];

function pool(maxThreads = 1): WorkerExecutor {
  const p = new WorkerExecutor({ maxThreads, name: 'testPool' });
  pools.push(p);
  return p;
}

afterAll(async () => {
  await shutdownExecutors();
  await Promise.all(pools.map((p) => p.close()));
  expect(pools.map((p) => p.threads)).toEqual(pools.map(() => 0));
});

async function failure(coro: () => Generator): Promise<unknown> {
  try {
    await run(coro() as never, { logErrors: false });
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

// (vitest rewrites import() in this file, so a module function reports the thread id.)
const threadIdOf = { module: math, name: 'whichThread' };

describe('runCpuBound', () => {
  it('runs a self-contained function on a worker thread and returns its result', async () => {
    function* main() {
      const sum = yield* runCpuBound((a: number, b: number) => a + b, [1, 2]);
      const tid = yield* runCpuBound<number>(threadIdOf);
      const method = yield* runCpuBound(
        {
          twice(x: number) {
            return 2 * x;
          },
        }.twice,
        [21],
      );
      return [sum, tid > 0, method];
    }
    expect(await run(main())).toEqual([3, true, 42]);
  });

  it('runs an exported function of a module, by URL or absolute path', async () => {
    function* main() {
      const a = yield* runCpuBound<number>({ module: math, name: 'mul' }, [6, 7]);
      const b = yield* runCpuBound<string>({ module: fileURLToPath(math) });
      return [a, b];
    }
    expect(await run(main())).toEqual([42, 'thread worker']);
  });

  it('passes an error thrown in the worker to the caller with its message and stack', async () => {
    const err = await failure(function* () {
      yield* runCpuBound(
        function explode(what: string) {
          throw new RangeError(`boom: ${what}`);
        },
        ['fuse'],
      );
    });
    expect(err).toBeInstanceOf(RangeError);
    expect((err as Error).message).toBe('boom: fuse');
    expect((err as Error).stack).toContain('curio-executors:explode');
  });

  it('says clearly when a function is not self-contained', async () => {
    const outer = 3;
    const err = await failure(function* () {
      yield* runCpuBound(
        function addOuter(x: number) {
          return x + outer;
        },
        [1],
      );
    });
    expect(err).toBeInstanceOf(ReferenceError);
    expect((err as Error).message).toMatch(
      /^addOuter is not self-contained: outer is not defined in the worker thread\./,
    );
  });

  it('raises TaskTimeout, terminates the stuck worker and replaces it', async () => {
    const p = pool(1);
    const events: unknown[] = [];
    function* main() {
      const before = yield* runInExecutor<number>(p, threadIdOf);
      try {
        yield* runInExecutor(
          p,
          () => {
            for (;;);
          },
          [],
          { timeout: 50 },
        );
      } catch (err) {
        events.push(err instanceof TaskTimeout ? 'timeout' : err);
      }
      const after = yield* runInExecutor<number>(p, threadIdOf);
      events.push(after !== before ? 'new worker' : 'same worker');
      events.push(yield* runInExecutor(p, (x: number) => x + 1, [1]));
    }
    await run(main());
    expect(events).toEqual(['timeout', 'new worker', 2]);
  });

  it('with the default pool: a timed-out call leaves the pool usable', async () => {
    function* main() {
      try {
        yield* runCpuBound(
          () => {
            for (;;);
          },
          [],
          { timeout: 30 },
        );
      } catch (err) {
        if (!(err instanceof TaskTimeout)) throw err;
      }
      return yield* runCpuBound((s: string) => s.toUpperCase(), ['ok']);
    }
    expect(await run(main())).toBe('OK');
  });

  it('is cancellable: the waiting task gets CancelledError at once', async () => {
    const events: string[] = [];
    function* spinner() {
      try {
        yield* runCpuBound(() => {
          for (;;);
        });
      } catch (err) {
        events.push(err instanceof CancelledError ? 'cancelled' : 'other');
        throw err;
      }
    }
    function* main() {
      const task = yield* newTask(spinner());
      yield* sleep(20);
      yield* task.cancel();
      events.push('after cancel');
      events.push(String(yield* runCpuBound((a: number) => a * 3, [5])));
      try {
        yield* task.join();
      } catch (err) {
        events.push(err instanceof TaskError ? 'TaskError' : 'other');
      }
    }
    await run(main());
    expect(events).toEqual(['cancelled', 'after cancel', '15', 'TaskError']);
  });

  it('refuses bad callables, args and options at once', () => {
    expect(() => runCpuBound(42 as never)).toThrow(
      'runCpuBound(callable): callable must be a self-contained function or { module, name }, got 42',
    );
    expect(() => runCpuBound(Math.max)).toThrow(/function max is native or bound/);
    expect(() => runCpuBound(((x: number) => x).bind(null))).toThrow(/native or bound/);
    expect(() => runCpuBound(class {} as never)).toThrow(/got a class/);
    expect(() => runCpuBound((x: number) => x, 1 as never)).toThrow(
      'runCpuBound(args): args must be an array, got 1',
    );
    expect(() => runCpuBound(() => 1, [], { timeout: 'soon' as never })).toThrow(
      'runCpuBound: timeout must be a number of milliseconds >= 0 or null, got "soon"',
    );
    expect(() => runCpuBound({ module: './math.mjs' })).toThrow(/is relative/);
    expect(() => runCpuBound({ module: math, name: 3 as never })).toThrow(/callable.name/);
    expect(() => runCpuBound({ module: 7 as never })).toThrow(/callable.module/);
  });

  it('names an argument that cannot be sent to a worker thread', async () => {
    const err = await failure(function* () {
      yield* runCpuBound((a: number, _b: unknown) => a, [1, () => 2]);
    });
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toBe(
      'runCpuBound(args): args[1] cannot be sent to a worker thread: () => 2 could not be cloned.',
    );
  });

  it('says when a result cannot be copied back', async () => {
    const fn = await failure(function* () {
      yield* runCpuBound(function makeFn() {
        return () => 1;
      });
    });
    expect((fn as Error).message).toBe(
      'the result of makeFn cannot be copied back from the worker thread (a function)',
    );
    const obj = await failure(function* () {
      yield* runCpuBound(function makeObj() {
        return { f: () => 1 };
      });
    });
    expect(obj).toBeInstanceOf(TypeError);
    expect((obj as Error).message).toMatch(/^runCpuBound: the result of makeObj cannot be copied/);
  });

  it('says when a module or its export is missing', async () => {
    const noExport = await failure(function* () {
      yield* runCpuBound({ module: math, name: 'notAFunction' });
    });
    expect((noExport as Error).message).toBe(
      `module ${math.href} has no exported function "notAFunction"`,
    );
    const noModule = await failure(function* () {
      yield* runCpuBound({ module: '/nonexistent/curio-module.mjs', name: 'f' });
    });
    expect((noModule as Error).message).toMatch(
      /^cannot import module file:\/\/\/nonexistent\/curio-module\.mjs in the worker thread/,
    );
  });
});

describe('runBlocking', () => {
  it('lets the kernel run other tasks while a worker blocks', async () => {
    const events: string[] = [];
    const shared = new Int32Array(new SharedArrayBuffer(4));
    function* notifier() {
      yield* sleep(10);
      events.push('notify');
      Atomics.store(shared, 0, 7);
      Atomics.notify(shared, 0);
    }
    function* main() {
      yield* newTask(notifier());
      const value = yield* runBlocking(
        (cell: Int32Array) => {
          Atomics.wait(cell, 0, 0);
          return cell[0];
        },
        [shared],
      );
      events.push(`result ${value}`);
    }
    await run(main());
    expect(events).toEqual(['notify', 'result 7']);
  });

  it('times out and is cancellable like runCpuBound', async () => {
    const events: string[] = [];
    const blocker = (cell: Int32Array) => Atomics.wait(cell, 0, 0);
    const cell = new Int32Array(new SharedArrayBuffer(4));
    function* waiter() {
      try {
        yield* runBlocking(blocker, [cell]);
      } catch (err) {
        events.push(err instanceof CancelledError ? 'cancelled' : 'other');
      }
    }
    function* main() {
      try {
        yield* runBlocking(blocker, [cell], { timeout: 20 });
      } catch (err) {
        events.push(err instanceof TaskTimeout ? 'timeout' : 'other');
      }
      const task = yield* newTask(waiter());
      yield* sleep(10);
      yield* task.cancel();
      events.push(yield* runBlocking(() => 'still works'));
    }
    await run(main());
    expect(events).toEqual(['timeout', 'cancelled', 'still works']);
  });

  it('refuses bad input', () => {
    expect(() => runBlocking(null as never)).toThrow(/^runBlocking\(callable\)/);
    expect(() => runBlocking(() => 1, [], { timeout: -1 })).toThrow(/timeout must be/);
  });
});

describe('executors', () => {
  const inline: Executor = {
    async submit(callable, args) {
      if (typeof callable !== 'function') throw new TypeError('functions only');
      return (callable as (...a: unknown[]) => unknown)(...args);
    },
  };

  it('setCpuExecutor / setBlockingExecutor swap the executor; null restores the default', async () => {
    const outer = 'closure is fine inline';
    function* main() {
      setCpuExecutor(inline);
      setBlockingExecutor(inline);
      const a = yield* runCpuBound(() => outer);
      const b = yield* runBlocking(() => outer);
      setCpuExecutor(null);
      setBlockingExecutor(null);
      const c = yield* runCpuBound<number>(threadIdOf);
      return [a, b, c > 0];
    }
    expect(await run(main())).toEqual([outer, outer, true]);
  });

  it('refuses something that is not an executor', () => {
    expect(() => setCpuExecutor({} as never)).toThrow(
      'setCpuExecutor(executor): executor must have a submit(callable, args, signal) method, got an object',
    );
    expect(() => setBlockingExecutor(3 as never)).toThrow(/^setBlockingExecutor\(executor\)/);
    expect(() => runInExecutor(undefined as never, () => 1)).toThrow(/^runInExecutor\(executor\)/);
    expect(() => new WorkerExecutor({ maxThreads: 0 })).toThrow(
      'WorkerExecutor(options): maxThreads must be an integer >= 1, got 0',
    );
  });

  it('runInExecutor aborts the executor signal on timeout and on cancel', async () => {
    const events: string[] = [];
    const hanging: Executor = {
      submit(_callable, _args, signal) {
        return new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            events.push('aborted');
            reject(signal.reason);
          });
        });
      },
    };
    function* waiter() {
      yield* runInExecutor(hanging, () => 1);
    }
    function* main() {
      try {
        yield* runInExecutor(hanging, () => 1, [], { timeout: 10 });
      } catch (err) {
        events.push(err instanceof TaskTimeout ? 'timeout' : 'other');
      }
      const task = yield* newTask(waiter());
      yield* task.cancel();
      events.push('cancelled');
    }
    await run(main());
    expect(events).toEqual(['aborted', 'timeout', 'aborted', 'cancelled']);
  });

  it('a cancelled call still queued is dropped without touching the busy worker', async () => {
    const p = pool(1);
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const events: unknown[] = [];
    function* queued() {
      try {
        yield* runInExecutor(p, () => 'never runs');
      } catch (err) {
        events.push(err instanceof CancelledError ? 'queued call cancelled' : err);
      }
    }
    function* main() {
      const before = yield* runInExecutor<number>(p, threadIdOf);
      const busy = yield* newTask(
        runInExecutor(p, (c: Int32Array) => Atomics.wait(c, 0, 0, 5000), [cell]),
      );
      const waiting = yield* newTask(queued());
      yield* sleep(10);
      yield* waiting.cancel();
      Atomics.store(cell, 0, 1);
      Atomics.notify(cell, 0);
      events.push(yield* busy.join());
      events.push((yield* runInExecutor<number>(p, threadIdOf)) === before ? 'same worker' : 'new');
    }
    await run(main());
    expect(events).toEqual(['queued call cancelled', 'ok', 'same worker']);
  });

  it('a closed WorkerExecutor refuses work; threads start lazily and end on close', async () => {
    const p = pool(2);
    const counts = [p.threads];
    function* main() {
      yield* runInExecutor(p, () => 1);
      counts.push(p.threads > 0 ? 1 : 0);
    }
    await run(main());
    await p.close();
    counts.push(p.threads);
    const err = await failure(function* () {
      yield* runInExecutor(p, () => 1);
    });
    expect(counts).toEqual([0, 1, 0]);
    expect((err as Error).message).toBe('testPool: the executor is closed');
  });

  it('idle workers do not keep the process alive (a script ends without shutdownExecutors)', () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const kernel = import.meta.resolve('@curio/kernel');
    const script = `
      import { run } from ${JSON.stringify(kernel)};
      import { runCpuBound, runBlocking } from ${JSON.stringify(dist)};
      const value = await run((function* () {
        return (yield* runCpuBound((a, b) => a + b, [20, 1])) + (yield* runBlocking(() => 21));
      })());
      console.log('result', value);
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(out).toBe('result 42\n');
  });
});
