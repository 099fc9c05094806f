import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CancelledError,
  type Coro,
  CurioError,
  newTask,
  run,
  sleep,
  TaskError,
  TaskTimeout,
  timeoutAfter,
} from '@curio/kernel';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type Executor,
  runBlocking,
  runCpuBound,
  runInExecutor,
  setBlockingExecutor,
  setCpuExecutor,
  shutdownExecutors,
  WorkerExecutor,
  WorkerFailed,
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
    // cell[0]: the busy call waits on it; cell[1]: the busy call has started waiting.
    const cell = new Int32Array(new SharedArrayBuffer(8));
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
        runInExecutor(
          p,
          (c: Int32Array) => {
            Atomics.store(c, 1, 1);
            return Atomics.wait(c, 0, 0, 60_000);
          },
          [cell],
        ),
      );
      const waiting = yield* newTask(queued());
      while (Atomics.load(cell, 1) === 0) yield* sleep(1); // the worker is busy now
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

  // Only a hang should reach the bound: starting node and two worker threads can take many
  // seconds on a loaded 2-core machine (10 s was reached under a full parallel test run).
  it('idle workers do not keep the process alive (a script ends without shutdownExecutors)', {
    timeout: 60_000,
  }, () => {
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
      timeout: 45_000,
    });
    expect(out).toBe('result 42\n');
  });
});

describe('when a worker fails', { timeout: 60_000 }, () => {
  // Each call is given 5 s: a call that hangs fails the test with TaskTimeout instead.
  // Only a hang should reach it: a loaded machine can take seconds to kill an out-of-memory
  // worker (tight timings belong in the bench, not here).
  const limit = 15_000;
  const ownPools: WorkerExecutor[] = [];
  const copies: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
    const closing = ownPools.splice(0);
    await Promise.all(closing.map((p) => p.close()));
    expect(closing.map((p) => p.threads)).toEqual(closing.map(() => 0));
  });

  afterAll(() => {
    for (const dir of copies) rmSync(dir, { recursive: true, force: true });
  });

  function ownPool(options: ConstructorParameters<typeof WorkerExecutor>[0]): WorkerExecutor {
    const p = new WorkerExecutor(options);
    ownPools.push(p);
    return p;
  }

  // Asserts `err` is a WorkerFailed (of `executors`, which may be a copy) and returns its message.
  function failedWith(
    err: unknown,
    executors: { WorkerFailed: typeof WorkerFailed } = { WorkerFailed },
  ): string {
    expect(err).toBeInstanceOf(executors.WorkerFailed);
    expect(err).toBeInstanceOf(CurioError);
    expect((err as Error).name).toBe('WorkerFailed');
    return (err as Error).message;
  }

  // `coro` given `limit` ms: it raises TaskTimeout rather than hang (run() would wait for it).
  function within<T>(coro: Coro<T>): Coro<T> {
    return timeoutAfter(limit, coro);
  }

  // The outcome of running `coro` (within `limit` ms): its value, or the error it raised.
  async function outcome<T>(coro: Coro<T>): Promise<T | Error> {
    try {
      return await run(within(coro), { logErrors: false });
    } catch (err) {
      return err as Error;
    }
  }

  type Executors = typeof import('../dist/index.js');
  const packageDir = fileURLToPath(new URL('..', import.meta.url));

  // A copy of the built package whose worker file is missing (null) or has `source`, as a
  // broken build or deploy would leave it. Its pools are closed after the test.
  async function brokenCopy(
    source: string | null,
  ): Promise<{ executors: Executors; workerFile: string }> {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'curio-executors-')));
    copies.push(dir);
    cpSync(join(packageDir, 'dist'), join(dir, 'dist'), { recursive: true });
    copyFileSync(join(packageDir, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(packageDir, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const workerFile = join(dir, 'dist', 'worker.js');
    if (source === null) rmSync(workerFile);
    else writeFileSync(workerFile, source);
    const executors: Executors = await import(pathToFileURL(join(dir, 'dist', 'index.js')).href);
    cleanups.push(() => executors.shutdownExecutors());
    return { executors, workerFile };
  }

  it('a worker that calls process.exit() fails its call with the exit code; queued calls run on a new worker', async () => {
    const p = ownPool({ maxThreads: 1, name: 'exitPool' });
    const events: unknown[] = [];
    function* main() {
      const dying = yield* newTask(
        within(
          runInExecutor(p, function exitNow() {
            process.exit(3);
          }),
        ),
      );
      const queued = yield* newTask(
        within(runInExecutor(p, (s: string) => `${s} ran`, ['queued'])),
      );
      try {
        yield* dying.join();
      } catch (err) {
        events.push(failedWith((err as TaskError).cause));
      }
      events.push(yield* queued.join());
      events.push(yield* runInExecutor(p, (x: number) => x + 1, [1]));
    }
    expect(await outcome(main())).toBeUndefined();
    expect(events).toEqual([
      'exitPool: the worker thread running function exitNow exited with code 3 before the call returned',
      'queued ran',
      2,
    ]);
    // The Promise API says the same.
    const rejected = await p
      .submit(() => process.exit(4), [], new AbortController().signal)
      .then(
        () => 'resolved',
        (err: unknown) => err,
      );
    expect(failedWith(rejected)).toBe(
      'exitPool: the worker thread running function (anonymous) exited with code 4 before the call returned',
    );
  });

  it('a worker that runs out of memory under resourceLimits fails its call; the next call runs', async () => {
    const p = ownPool({
      maxThreads: 1,
      name: 'smallPool',
      resourceLimits: { maxOldGenerationSizeMb: 32 },
    });
    const err = await outcome(
      runInExecutor(p, function hog() {
        const hoard: number[][] = [];
        for (;;) hoard.push(new Array(100_000).fill(hoard.length));
      }),
    );
    expect(failedWith(err)).toMatch(
      /^smallPool: the worker thread running function hog ran out of memory \(ERR_WORKER_OUT_OF_MEMORY: .+\); raise resourceLimits or use less memory$/,
    );
    expect(((err as Error).cause as { code: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    expect(await outcome(runInExecutor(p, (x: number) => x * 2, [21]))).toBe(42);
  });

  it('a worker that dies of an uncaught error left by its call fails that call; the next call runs', async () => {
    const p = ownPool({ maxThreads: 1, name: 'leakyPool' });
    const err = await outcome(
      runInExecutor(p, async function leaky() {
        setTimeout(() => {
          throw new RangeError('thrown later by a timer');
        }, 1);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }),
    );
    expect(failedWith(err)).toBe(
      'leakyPool: the worker thread running function leaky died of an uncaught error: thrown later by a timer',
    );
    expect((err as Error).cause).toBeInstanceOf(RangeError);
    expect(await outcome(runInExecutor(p, () => 'next'))).toBe('next');
  });

  it('when the worker file is missing, every call fails saying so, one at a time or many at once', async () => {
    const { executors, workerFile } = await brokenCopy(null);
    const p = new executors.WorkerExecutor({ maxThreads: 2, name: 'copyPool' });
    cleanups.push(() => p.close());
    const double = (x: number) => x * 2;
    const messages: string[] = [];
    for (let i = 0; i < 2; i++) {
      messages.push(failedWith(await outcome(executors.runInExecutor(p, double, [i])), executors));
      messages.push(failedWith(await outcome(executors.runCpuBound(double, [i])), executors));
    }
    function* many() {
      const tasks = [];
      for (let i = 0; i < 5; i++) {
        tasks.push(yield* newTask(within(executors.runInExecutor(p, double, [i]))));
      }
      for (const task of tasks) {
        try {
          yield* task.join();
        } catch (err) {
          messages.push(failedWith((err as TaskError).cause, executors));
        }
      }
    }
    expect(await outcome(many())).toBeUndefined();
    const loadFailed = (fn: string) =>
      `${fn}: cannot run function double: the worker file ${workerFile} failed to load in a worker thread: Cannot find module '${workerFile}' imported from `;
    const callers = [
      'copyPool',
      'runCpuBound',
      'copyPool',
      'runCpuBound',
      ...Array(5).fill('copyPool'),
    ];
    expect(messages.map((message, i) => message.startsWith(loadFailed(callers[i])))).toEqual(
      callers.map(() => true),
    );
    expect(p.threads).toBe(0);
  });

  it('when the worker file throws at load, every call fails with its error', async () => {
    const { executors, workerFile } = await brokenCopy(
      "throw new Error('worker file broken on purpose');\n",
    );
    const p = new executors.WorkerExecutor({ maxThreads: 1, name: 'copyPool' });
    cleanups.push(() => p.close());
    const double = (x: number) => x * 2;
    const messages = [
      failedWith(await outcome(executors.runInExecutor(p, double, [1])), executors),
      failedWith(await outcome(executors.runInExecutor(p, double, [2])), executors),
      failedWith(await outcome(executors.runCpuBound(double, [3])), executors),
    ];
    const loadFailed = `cannot run function double: the worker file ${workerFile} failed to load in a worker thread: worker file broken on purpose`;
    expect(messages).toEqual([
      `copyPool: ${loadFailed}`,
      `copyPool: ${loadFailed}`,
      `runCpuBound: ${loadFailed}`,
    ]);
  });

  it('when a worker cannot start within resourceLimits, every call fails saying it ran out of memory', async () => {
    const p = ownPool({
      maxThreads: 1,
      name: 'tinyPool',
      resourceLimits: { maxOldGenerationSizeMb: 1 },
    });
    for (let i = 0; i < 2; i++) {
      const err = await outcome(
        runInExecutor(p, function one() {
          return 1;
        }),
      );
      expect(failedWith(err)).toMatch(
        /^tinyPool: cannot run function one: a worker thread starting ran out of memory \(ERR_WORKER_OUT_OF_MEMORY: /,
      );
    }
  });

  it('refuses bad resourceLimits at once, naming the limit and the value', () => {
    const refusal = (resourceLimits: unknown) => {
      try {
        new WorkerExecutor({ resourceLimits: resourceLimits as never });
      } catch (err) {
        expect(err).toBeInstanceOf(TypeError);
        return (err as Error).message;
      }
      throw new Error('expected a TypeError');
    };
    expect(refusal(5)).toBe('WorkerExecutor(options): resourceLimits must be an object, got 5');
    expect(refusal({ maxOldGenerationSizeMb: 'big' })).toBe(
      'WorkerExecutor(options): resourceLimits.maxOldGenerationSizeMb must be a number of megabytes > 0, got "big"',
    );
    expect(refusal({ maxYoungGenerationSizeMb: 0 })).toBe(
      'WorkerExecutor(options): resourceLimits.maxYoungGenerationSizeMb must be a number of megabytes > 0, got 0',
    );
    expect(refusal({ heapMb: 64 })).toBe(
      'WorkerExecutor(options): resourceLimits.heapMb is not a resource limit; use maxOldGenerationSizeMb, maxYoungGenerationSizeMb, codeRangeSizeMb, stackSizeMb',
    );
    expect(refusal({ stackSizeMb: 0.1 })).toBe(
      'WorkerExecutor(options): resourceLimits.stackSizeMb must be a number of megabytes >= 1 (a smaller stack can crash the whole process), got 0.1',
    );
  });
});
