import { afterEach, describe, expect, it } from 'vitest';
import {
  asyncFor,
  type Coro,
  futureWait,
  Kernel,
  KernelQueue,
  newTask,
  run,
  sleep,
  TaskError,
  TaskLocal,
  timeoutAfter,
  waitOnQueue,
} from '../src/index.js';
import { catching, vrun } from './helpers.js';

// The door from Promise code into a running kernel: submit, runForever, task-local values,
// and asyncFor over standard AsyncIterables.

const kernels: Kernel[] = [];
function kernel(): Kernel {
  const k = new Kernel();
  kernels.push(k);
  return k;
}
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.shutdown();
});

const hostTurn = () => new Promise((resolve) => setTimeout(resolve, 1));

function* returns<T>(value: T, ms = 0): Coro<T> {
  if (ms > 0) yield* sleep(ms);
  return value;
}

describe('Kernel.submit', () => {
  it('runs a coroutine from plain code and settles with its result', async () => {
    const k = kernel();
    const serving = k.runForever();
    expect(await k.submit(returns(42))).toBe(42);
    expect(await Promise.all([k.submit(returns('a', 5)), k.submit(returns('b', 1))])).toEqual([
      'a',
      'b',
    ]);
    k.stop();
    await serving;
  });

  it('from a timer and an async function while run(main) has all its tasks blocked', async () => {
    const events: string[] = [];
    const k = kernel();
    let bothDone!: () => void;
    const done = new Promise<void>((r) => (bothDone = r));
    function* main() {
      // Every task blocked: one on a long timer, main on a promise. Submitted tasks must start
      // at once (else this test hangs until the runner's timeout), not when the timer fires.
      const sleeper = yield* newTask(sleep(60_000));
      setTimeout(() => {
        void k.submit(returns('from a timer')).then((v) => events.push(v));
      }, 5);
      void (async () => {
        await new Promise((r) => setTimeout(r, 10));
        events.push(await k.submit(returns('from an async function')));
        bothDone();
      })();
      yield* futureWait(done);
      yield* sleeper.cancel();
      return events.slice();
    }
    expect(await k.run(main())).toEqual(['from a timer', 'from an async function']);
  });

  it('a failing task rejects with the TaskError a join would raise', async () => {
    const k = kernel();
    const serving = k.runForever();
    const boom = new Error('boom');
    function* failing(): Coro<never> {
      yield* sleep(1);
      throw boom;
    }
    const err = (await k.submit(failing(), { name: 'failing' }).catch((e) => e)) as TaskError;
    expect([err instanceof TaskError, err.message, err.cause === boom]).toEqual([
      true,
      'failing failed: Error: boom',
      true,
    ]);
    k.stop();
    await serving;
  });

  it('a task that ends in its first step settles at once: its result, or its failure (logged never)', async () => {
    const k = kernel();
    const serving = k.runForever();
    const boom = new Error('boom');
    function* failsAtOnce(): Coro<never> {
      throw boom;
    }
    const logged: unknown[] = [];
    const error = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      expect(await k.submit(returns('at once'))).toBe('at once');
      const err = (await k.submit(failsAtOnce(), { name: 'fails' }).catch((e) => e)) as TaskError;
      expect([err instanceof TaskError, err.message, err.cause === boom]).toEqual([
        true,
        'fails failed: Error: boom',
        true,
      ]);
    } finally {
      console.error = error;
    }
    expect(logged).toEqual([]);
    k.stop();
    await serving;
  });

  it('a task whose first step stops the kernel: its submit rejects, nothing is left pending', async () => {
    const k = kernel();
    const serving = k.runForever();
    function* stopper(): Coro<string> {
      k.stop();
      yield* sleep(10);
      return 'never';
    }
    const err = (await k.submit(stopper(), { name: 'stopper' }).catch((e) => e)) as Error;
    await serving;
    expect(`${err.name}: ${err.message}`).toBe(
      'CurioError: Kernel.submit: the kernel stopped before stopper ended',
    );
  });

  it('a task that ends in its first step after stop(): the kernel still stops', async () => {
    const k = kernel();
    const serving = k.runForever();
    function* stopsAndEnds(): Coro<string> {
      k.stop();
      return 'ended';
    }
    await hostTurn(); // the kernel's first slice has run: nothing else is pending
    expect(await k.submit(stopsAndEnds())).toBe('ended');
    await serving;
    expect(k.isRunning).toBe(false);
  });

  it('from plain code, the submitted task runs behind the tasks already ready, in order', async () => {
    const events: string[] = [];
    const k = kernel();
    const serving = k.runForever();
    function* waits(): Coro<void> {
      try {
        yield* sleep(60_000);
      } finally {
        events.push('cancelled task ends');
      }
    }
    const controller = new AbortController();
    const first = k.submit(waits(), { signal: controller.signal }).catch((e) => e.name);
    controller.abort(); // the first task is now ready (to raise its cancel); no slice has run
    const second = k.submit(
      (function* () {
        events.push('second task runs');
        return 2;
      })(),
    );
    events.push('submit returned');
    expect([await first, await second]).toEqual(['TaskError', 2]);
    expect(events).toEqual(['cancelled task ends', 'second task runs', 'submit returned']);
    k.stop();
    await serving;
  });

  it('a submit from inside a task, by a task that ends in its first step: both run', async () => {
    const k = kernel();
    const serving = k.runForever();
    let inner: Promise<string> | undefined;
    function* outer(): Coro<string> {
      inner = k.submit(returns('inner'));
      return 'outer';
    }
    await hostTurn();
    expect(await k.submit(outer())).toBe('outer');
    expect(await inner).toBe('inner');
    k.stop();
    await serving;
  });

  it('submits that end at once leave the wait for a sleeping task armed', async () => {
    const k = kernel();
    const serving = k.runForever();
    const sleeper = k.submit(returns('slept', 20));
    const quick: number[] = [];
    for (let i = 0; i < 3; i++) quick.push(await k.submit(returns(i)));
    expect([quick, await sleeper]).toEqual([[0, 1, 2], 'slept']);
    k.stop();
    await serving;
  });

  it('a submitted task is among Kernel.tasks from its first step on', async () => {
    const k = kernel();
    const serving = k.runForever();
    const seen: string[] = [];
    const names = () => [...k.tasks.values()].map((t) => t.name).join(' ') || 'none';
    function* quick(): Coro<void> {
      seen.push(`quick sees: ${names()}`);
    }
    function* slow(): Coro<void> {
      seen.push(`slow sees: ${names()}`);
      yield* sleep(5);
    }
    await k.submit(quick(), { name: 'quick' });
    const pending = k.submit(slow(), { name: 'slow' });
    seen.push(`plain code sees: ${names()}`);
    await pending;
    seen.push(`at the end: ${names()}`);
    k.stop();
    await serving;
    expect(seen).toEqual([
      'quick sees: quick',
      'slow sees: slow',
      'plain code sees: slow',
      'at the end: none',
    ]);
  });

  it('an AbortSignal cancels the task (its finally runs); already aborted: never starts', async () => {
    const events: string[] = [];
    const k = kernel();
    const serving = k.runForever();
    function* slow(): Coro<string> {
      try {
        yield* sleep(10_000);
        return 'never';
      } finally {
        events.push('slow finally');
      }
    }
    const controller = new AbortController();
    const pending = k.submit(slow(), { name: 'slow', signal: controller.signal });
    setTimeout(() => controller.abort(new Error('client went away')), 5);
    const err = (await pending.catch((e) => e)) as TaskError;
    events.push(`${err.name}: ${err.message}`);
    events.push(
      `cause ${(err.cause as Error).name}, its cause ${((err.cause as Error).cause as Error).message}`,
    );
    let started = false;
    const early = await k
      .submit(
        (function* () {
          started = true;
        })(),
        { signal: AbortSignal.abort() },
      )
      .catch((e) => e);
    events.push(`${early.name}: ${early.message}, started ${started}`);
    k.stop();
    await serving;
    expect(events).toEqual([
      'slow finally',
      'TaskError: slow failed: CancelledError: slow cancelled: its submit() signal aborted',
      'cause CancelledError, its cause client went away',
      'CancelledError: Kernel.submit: the signal was already aborted; the task was not started, started false',
    ]);
  });

  it('timeout inside the submitted task works as in any task', async () => {
    const k = kernel();
    const serving = k.runForever();
    const err = await k.submit(timeoutAfter(5, sleep(1000))).catch((e) => e);
    expect([(err as TaskError).name, ((err as TaskError).cause as Error).name]).toEqual([
      'TaskError',
      'TaskTimeout',
    ]);
    k.stop();
    await serving;
  });

  it('bad input: not running, a non-coroutine, a bad signal: clear errors at the call site', async () => {
    const k = kernel();
    const errors: string[] = [];
    const attempt = (f: () => unknown) => {
      try {
        f();
        errors.push('no error');
      } catch (err) {
        errors.push(`${(err as Error).name}: ${(err as Error).message}`);
      }
    };
    attempt(() => k.submit(returns(1)));
    const serving = k.runForever();
    attempt(() => k.submit((() => 1) as never));
    attempt(() => k.submit(returns(1), { signal: 'soon' as never }));
    attempt(() => k.submit(returns(1), { name: 5 as never }));
    k.stop();
    await serving;
    await k.shutdown();
    attempt(() => k.submit(returns(1)));
    expect(errors).toEqual([
      'CurioError: Kernel.submit: the kernel is not running (start it with run() or runForever())',
      'TypeError: Kernel.submit(coro): coro must be a coroutine (the generator object returned by calling a function*), got function (anonymous) (a function: pass f(), the coroutine its call returns, not f)',
      'TypeError: Kernel.submit: options.signal must be an AbortSignal, got "soon"',
      'TypeError: Kernel.submit: options.name must be a string, got 5',
      'CurioError: Kernel.submit: the kernel is not running (start it with run() or runForever())',
    ]);
  });
});

describe('Kernel.runForever', () => {
  it('serves submits with no task of its own, not a deadlock; stop() ends it', async () => {
    const k = kernel();
    const serving = k.runForever();
    await new Promise((r) => setTimeout(r, 20)); // idle, waiting for work
    expect(k.isRunning).toBe(true);
    expect(await k.submit(returns('served'))).toBe('served');
    k.stop();
    await serving;
    expect(k.isRunning).toBe(false);
  });

  it('pending submits reject with CurioError when it stops; shutdown() ends it and cancels them', async () => {
    const events: string[] = [];
    const k = kernel();
    const serving = k.runForever();
    function* stuck(name: string): Coro<void> {
      try {
        yield* sleep(60_000);
      } finally {
        events.push(`${name} finally`);
      }
    }
    const a = k
      .submit(stuck('a'), { name: 'a' })
      .catch((e: Error) => events.push(`a: ${e.name}: ${e.message}`));
    await new Promise((r) => setTimeout(r, 5));
    await k.shutdown();
    await serving;
    await a;
    expect(events).toEqual([
      'a: CurioError: Kernel.submit: the kernel stopped before a ended',
      'a finally',
    ]);
  });

  it('real deadlocks of run() are still reported', async () => {
    const err = await vrun(waitOnQueue(new KernelQueue(), 'NEVER')).catch((e: Error) => e.message);
    expect(err).toMatch(
      /^deadlock: every task is blocked and nothing can wake them: task-\d+ \(NEVER\)$/,
    );
  });

  it('refuses to start twice, or inside a task', async () => {
    const k = kernel();
    const serving = k.runForever();
    const again = await k.runForever().catch((e: Error) => e.message);
    const inside = await k.submit(
      (function* () {
        try {
          void new Kernel().runForever();
        } catch (err) {
          return (err as Error).message;
        }
        return 'no error';
      })(),
    );
    k.stop();
    await serving;
    expect([again, inside]).toEqual([
      'Kernel.runForever: this kernel is already running',
      'Kernel.runForever: a task cannot start a nested kernel: yield* the coroutine, or yield* newTask(coro)',
    ]);
  });
});

describe('TaskLocal', () => {
  it('a value per task; children start with the parent’s; a child’s set stays its own', async () => {
    const id = new TaskLocal<string>('none');
    const events: string[] = [];
    function* child(name: string): Coro<void> {
      events.push(`${name} sees ${id.get()}`);
      id.set(`${name}'s own`);
      yield* sleep(1);
      events.push(`${name} now ${id.get()}`);
    }
    function* main() {
      events.push(`main starts with ${id.get()}`);
      id.set('req-1');
      const a = yield* newTask(child('a'));
      const d = yield* newTask(child('daemon'), { daemon: true });
      yield* a.join();
      yield* d.join();
      events.push(`main still ${id.get()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'main starts with none',
      'a sees req-1',
      'daemon sees req-1',
      "a now a's own",
      "daemon now daemon's own",
      'main still req-1',
    ]);
    expect(id.get()).toBe('none'); // outside any task: the default
  });

  it('with() restores the value before it, on return, error and cancellation', async () => {
    const level = new TaskLocal<number>(0);
    const events: string[] = [];
    function* inner(fail: boolean): Coro<void> {
      events.push(`inside ${level.get()}`);
      yield* sleep(1);
      if (fail) throw new Error('fail');
    }
    function* main() {
      yield* level.with(1, inner(false));
      events.push(`after return ${level.get()}`);
      level.set(5);
      yield* catching(level.with(2, inner(true)));
      events.push(`after error ${level.get()}`);
      const t = yield* newTask(level.with(3, sleep(100)));
      yield* t.cancel();
      events.push(`after cancel ${level.get()}`);
      events.push(`with returns ${yield* level.with(4, returns('r'))}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'inside 1',
      'after return 0',
      'inside 2',
      'after error 5',
      'after cancel 5',
      'with returns r',
    ]);
  });

  it('each kernel’s tasks see their own values; set outside a task is refused', async () => {
    const name = new TaskLocal<string>();
    function* who(label: string): Coro<string | undefined> {
      name.set(label);
      yield* sleep(2);
      return name.get();
    }
    expect(await Promise.all([run(who('one')), run(who('two'))])).toEqual(['one', 'two']);
    expect(name.get()).toBeUndefined();
    expect(() => name.set('x')).toThrow(
      new TypeError('TaskLocal.set: called outside a task (plain code has no task values)'),
    );
    const bad = await vrun(catching(name.with('x', 5 as never)));
    expect((bad as Error).message).toMatch(/^TaskLocal.with\(coro\): coro must be a coroutine/);
  });
});

describe('asyncFor over standard AsyncIterables', () => {
  it('iterates an async generator; return() once when the body stops early', async () => {
    const events: string[] = [];
    async function* numbers() {
      try {
        for (let i = 1; ; i++) {
          await new Promise((r) => setTimeout(r, 1));
          yield i;
        }
      } finally {
        events.push('source closed');
      }
    }
    function* main() {
      yield* asyncFor(numbers(), function* (n) {
        events.push(`got ${n}`);
        if (n === 3) return false;
      });
      events.push('loop done');
    }
    await run(main());
    expect(events).toEqual(['got 1', 'got 2', 'got 3', 'source closed', 'loop done']);
  });

  it('cancelled or timed out while waiting for the next item: return() is called exactly once', async () => {
    let returns = 0;
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]() {
        return {
          next: () => new Promise<IteratorResult<number>>(() => {}),
          return: async () => {
            returns++;
            return { done: true, value: undefined };
          },
        };
      },
    };
    function* loop(): Coro<void> {
      yield* asyncFor(source, function* () {});
    }
    function* main() {
      const err = yield* catching(timeoutAfter(5, loop()));
      const t = yield* newTask(loop());
      yield* sleep(1);
      yield* t.cancel();
      return [(err as Error).name, (t.excInfo as Error).name];
    }
    expect(await run(main())).toEqual(['TaskTimeout', 'CancelledError']);
    expect(returns).toBe(2);
  });

  it('a sync iterable or a non-iterable gets a clear TypeError', async () => {
    function* main() {
      return [
        yield* catching(asyncFor([1, 2] as never, function* () {})),
        yield* catching(asyncFor({} as never, function* () {})),
      ].map((e) => (e as Error).message);
    }
    expect(await vrun(main())).toEqual([
      'asyncFor(iterable): iterable must be an AsyncIterable or have a next() coroutine, got [1,2] (a sync iterable: use for...of)',
      'asyncFor(iterable): iterable must be an AsyncIterable or have a next() coroutine, got an object',
    ]);
  });
});
