import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CancelledError,
  type Coro,
  CurioError,
  currentTask,
  futureWait,
  getKernel,
  HostSelector,
  Kernel,
  KernelQueue,
  newTask,
  run,
  sleep,
  type Task,
  type TaskError,
  VirtualTimeSelector,
  waitOnQueue,
} from '../src/index.js';
import { catching, vrun } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Kernel.run and run()', () => {
  it('resolves with the main coroutine’s result and rejects with its error', async () => {
    function* ok() {
      yield* sleep(1);
      return 42;
    }
    function* bad(): Coro<never> {
      yield* sleep(1);
      throw new RangeError('nope');
    }
    await expect(run(ok())).resolves.toBe(42);
    await expect(run(bad())).rejects.toThrow(new RangeError('nope'));
  });

  it('runs tasks added with addTask until all non-daemon tasks end', async () => {
    const events: string[] = [];
    const kernel = new Kernel({ selector: new VirtualTimeSelector() });
    function* worker(name: string, ms: number) {
      yield* sleep(ms);
      events.push(name);
    }
    kernel.addTask(worker('b', 20));
    kernel.addTask(worker('a', 10), { name: 'a-task' });
    kernel.addTask(worker('daemon', 1_000_000), { daemon: true });
    await expect(kernel.run()).resolves.toBeUndefined();
    expect(events).toEqual(['a', 'b']);
    expect([...kernel.tasks.values()].map((t) => [t.daemon, t.state])).toEqual([[true, 'SLEEP']]);
    await kernel.shutdown();
    expect(kernel.tasks.size).toBe(0);
  });

  it('daemon tasks do not keep run alive and are cancelled by shutdown', async () => {
    const events: string[] = [];
    function* daemon() {
      try {
        for (;;) yield* sleep(10);
      } catch (err) {
        events.push(`daemon ${(err as Error).name}`);
        throw err;
      }
    }
    function* main() {
      const d = yield* newTask(daemon(), { daemon: true });
      events.push(`daemon parent-less: ${!(yield* getKernel()).tasks.get(d.id)?.daemon === false}`);
      yield* sleep(25);
      events.push('main done');
    }
    await vrun(main());
    expect(events).toEqual(['daemon parent-less: true', 'main done', 'daemon CancelledError']);
  });

  it('a daemon has no parent; a normal child is in its parent’s children', async () => {
    function* idle() {
      yield* sleep(5);
    }
    function* main() {
      const me = yield* getKernel();
      const d = yield* newTask(idle(), { daemon: true });
      const c = yield* newTask(idle(), { name: 'kid' });
      const task = [...me.tasks.values()].find((t) => t.children.has(c)) as Task;
      return [d.daemon, task.children.has(d), c.name, task.children.size];
    }
    expect(await vrun(main())).toEqual([true, false, 'kid', 1]);
  });

  it('Task.parent: the spawning task while both run; null for daemons, top-level tasks, ended tasks', async () => {
    function* idle() {
      yield* sleep(5);
    }
    function* main() {
      const me = yield* currentTask();
      const child = yield* newTask(idle(), { name: 'kid' });
      const daemon = yield* newTask(idle(), { daemon: true });
      const seen = [child.parent === me, daemon.parent, me.parent];
      yield* child.join();
      return [...seen, child.parent];
    }
    expect(await vrun(main())).toEqual([true, null, null, null]);
  });

  it('an ended task releases its coroutine: Task.coro is then a finished stand-in', async () => {
    function* answer() {
      yield* sleep(1);
      return 42;
    }
    function* main() {
      const coro = answer();
      const task = yield* newTask(coro);
      const running = task.coro === coro;
      const result = yield* task.join();
      const after = task.coro;
      return [running, after === coro, after.next(), result];
    }
    expect(await vrun(main())).toEqual([true, false, { value: undefined, done: true }, 42]);
  });

  it('an ended task keeps what it reports, not its run state (kept while its children run)', async () => {
    function* nap(ms: number) {
      yield* sleep(ms);
      return ms;
    }
    function* parent() {
      yield* newTask(nap(10), { name: 'child' });
      yield* sleep(1);
      return 'parent';
    }
    const seen: unknown[] = [];
    function* main() {
      const quick = yield* newTask(nap(1), { name: 'quick' });
      const p = yield* newTask(parent(), { name: 'parent' });
      yield* quick.join();
      seen.push([quick.name, quick.state, quick.cycles, quick.excInfo, yield* quick.join()]);
      seen.push(quick._run === null);
      yield* p.join();
      const [child] = p.children;
      seen.push([p.state, p._run === null, child?.name]);
      yield* child!.join();
      seen.push([p._run === null, child!._run === null, p.children.size]);
    }
    await vrun(main());
    expect(seen).toEqual([
      ['quick', 'TERMINATED', 2, undefined, 1],
      true,
      ['TERMINATED', false, 'child'],
      [true, true, 0],
    ]);
  });

  it('a task made after one ends starts afresh: not with its pending cancel or timer', async () => {
    // The scheduler reuses the run state an ended task lets go of: nothing of it may carry over.
    const events: string[] = [];
    function* noop() {}
    function* first() {
      yield* sleep(1); // it has a timer from now on
      yield* newTask(noop()); // it is ready, not blocked, when main cancels it
      events.push('first returns');
      return 'first';
    }
    function* second() {
      yield* sleep(5);
      return 'second';
    }
    function* main() {
      const a = yield* newTask(first());
      yield* sleep(1);
      yield* a.cancel(); // pending: first ends without reaching a blocking call
      events.push(`first ${a.state} ${a.excInfo} ${yield* a.join()}`);
      const b = yield* newTask(second());
      events.push(`second ${yield* b.join()} cycles ${b.cycles}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'first returns',
      'first TERMINATED undefined first',
      'second second cycles 2',
    ]);
  });

  it('children and Kernel.tasks list live tasks oldest first, as snapshots', async () => {
    function* idle(ms: number) {
      yield* sleep(ms);
    }
    function* main() {
      const kernel = yield* getKernel();
      const a = yield* newTask(idle(10), { name: 'a' });
      const b = yield* newTask(idle(20), { name: 'b' });
      const c = yield* newTask(idle(30), { name: 'c' });
      const me = [...kernel.tasks.values()][0]!;
      const before = [...me.children].map((t) => t.name);
      const snapshot = me.children;
      yield* a.join();
      const after = [...me.children].map((t) => t.name);
      const names = [...kernel.tasks.values()].map((t) => t.name);
      void b;
      void c;
      return { before, after, snapshotSize: snapshot.size, names: names.slice(1) };
    }
    expect(await vrun(main())).toEqual({
      before: ['a', 'b', 'c'],
      after: ['b', 'c'],
      snapshotSize: 3,
      names: ['b', 'c'],
    });
  });

  it('a task that ends before its children: they stay listed (oldest first) and in its children', async () => {
    function* idle(ms: number) {
      yield* sleep(ms);
    }
    function* parent() {
      yield* newTask(idle(20), { name: 'older' });
      yield* newTask(idle(10), { name: 'younger' });
      return 'parent done';
    }
    const seen: unknown[] = [];
    function* main() {
      const kernel = yield* getKernel();
      const daemon = yield* newTask(idle(1000), { name: 'daemon', daemon: true });
      const p = yield* newTask(parent(), { name: 'parent' });
      yield* p.join();
      const me = yield* currentTask();
      const names = () => [...kernel.tasks.values()].map((t) => (t === me ? 'main' : t.name));
      const children = () => [...p.children].map((t) => `${t.name} of ${t.parent?.name}`);
      seen.push(p.state, names(), children());
      yield* sleep(15); // 'younger' ends
      seen.push(names(), children());
      yield* sleep(10); // 'older' ends: the parent holds nothing any more
      seen.push(names(), children(), p.children.size, yield* p.join());
      yield* daemon.cancel();
      seen.push(names());
    }
    await vrun(main());
    expect(seen).toEqual([
      'TERMINATED',
      ['main', 'daemon', 'older', 'younger'],
      ['older of parent', 'younger of parent'],
      ['main', 'daemon', 'older'],
      ['older of parent'],
      ['main', 'daemon'],
      [],
      0,
      'parent done',
      ['main'],
    ]);
  });

  it('stop() ends run after the running task yields; a later run resumes', async () => {
    const events: string[] = [];
    const kernel = new Kernel({ selector: new VirtualTimeSelector() });
    function* main() {
      events.push('before stop');
      kernel.stop();
      events.push('after stop, same step');
      yield* sleep(1);
      events.push('resumed');
      return 'finished';
    }
    const first = await kernel.run(main());
    events.push(`run returned ${first}`);
    const second = await kernel.run();
    events.push(`second run returned ${second}`);
    await kernel.shutdown();
    expect(events).toEqual([
      'before stop',
      'after stop, same step',
      'run returned undefined',
      'resumed',
      'second run returned finished',
    ]);
  });

  it('stop() from outside while tasks sleep', async () => {
    const kernel = new Kernel();
    function* main() {
      yield* sleep(10_000);
    }
    const done = kernel.run(main());
    setTimeout(() => kernel.stop(), 5);
    await expect(done).resolves.toBeUndefined();
    await kernel.shutdown();
  });

  it('addTask is refused while running; run and shutdown refuse re-entry', async () => {
    const kernel = new Kernel({ selector: new VirtualTimeSelector() });
    const errors: string[] = [];
    function* main() {
      try {
        kernel.addTask(sleep(1));
      } catch (err) {
        errors.push((err as Error).message);
      }
      const again = yield* catching(
        (function* () {
          yield* futureWait(kernel.run(sleep(1)));
        })(),
      );
      errors.push((again as Error).message);
      // From plain code outside the kernel's tasks (a host timer), run() on a running kernel.
      errors.push(
        yield* futureWait(
          new Promise<string>((resolve) => {
            setTimeout(() => {
              kernel.run(sleep(1)).catch((err: Error) => resolve(err.message));
            }, 0);
          }),
        ),
      );
      const shut = yield* catching(
        (function* () {
          yield* futureWait(kernel.shutdown());
        })(),
      );
      errors.push((shut as Error).message);
    }
    await kernel.run(main());
    await kernel.shutdown();
    expect(errors).toEqual([
      'Kernel.addTask: the kernel is running; inside a task use yield* newTask(coro)',
      'Kernel.run: a task cannot start a nested kernel: yield* the coroutine, or yield* newTask(coro)',
      'Kernel.run: this kernel is already running',
      'Kernel.shutdown: refused while the kernel is running',
    ]);
  });

  it('run() inside a running task raises CurioError at the call; nothing else starts', async () => {
    const events: string[] = [];
    function* inner() {
      events.push('inner ran');
      throw new Error('inner failed');
    }
    function* main() {
      for (const start of [() => run(inner()), () => new Kernel().run(inner())]) {
        try {
          start();
          events.push('no error');
        } catch (err) {
          events.push(`${(err as Error).name}: ${(err as Error).message}`);
        }
      }
      yield* sleep(5);
      return 'main done';
    }
    expect(await vrun(main())).toBe('main done');
    const why =
      'a task cannot start a nested kernel: yield* the coroutine, or yield* newTask(coro)';
    expect(events).toEqual([`CurioError: run: ${why}`, `CurioError: Kernel.run: ${why}`]);
  });

  it('two kernels run side by side, each with its own tasks, talking through promises', async () => {
    const events: string[] = [];
    // One promise per message, in order; `send` resolves the next one.
    function mailbox() {
      const resolvers: ((v: number) => void)[] = [];
      const promises = [0, 1, 2].map(() => new Promise<number>((r) => resolvers.push(r)));
      let sent = 0;
      return { promises, send: (v: number) => resolvers[sent++]?.(v) };
    }
    const toA = mailbox();
    const toB = mailbox();
    function* player(name: string, inbox: Promise<number>[], send: (v: number) => void) {
      for (const p of inbox) {
        const v = yield* futureWait(p);
        events.push(`${name} got ${v}`);
        yield* sleep(1);
        send(v + 1);
      }
      return name;
    }
    const a = run(player('a', toA.promises, toB.send));
    const b = new Kernel().run(player('b', toB.promises, toA.send));
    toA.send(0);
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(events).toEqual(['a got 0', 'b got 1', 'a got 2', 'b got 3', 'a got 4', 'b got 5']);
  });

  it('shutdown cancels every remaining task, daemons included, even stubborn ones', async () => {
    const events: string[] = [];
    const kernel = new Kernel({ selector: new VirtualTimeSelector() });
    function* stubborn() {
      for (let i = 0; i < 3; i++) {
        try {
          yield* waitOnQueue(new KernelQueue(), 'FOREVER');
        } catch (err) {
          events.push(`stubborn caught ${(err as Error).name}`);
        }
      }
    }
    function* main() {
      yield* newTask(stubborn(), { daemon: true });
      events.push('main done');
    }
    await kernel.run(main(), { logErrors: false });
    await kernel.shutdown();
    expect(events).toEqual([
      'main done',
      'stubborn caught CancelledError',
      'stubborn caught CancelledError',
      'stubborn caught CancelledError',
    ]);
    expect(kernel.tasks.size).toBe(0);
  });

  it('the kernel survives any task’s crash; join raises TaskError with the cause', async () => {
    const events: string[] = [];
    const boom = new Error('boom');
    function* crasher(): Coro<never> {
      yield* sleep(1);
      throw boom;
    }
    function* main() {
      const t = yield* newTask(crasher(), { name: 'crasher' });
      yield* sleep(5);
      events.push(`state ${t.state}, excInfo ${t.excInfo === boom}`);
      const err = (yield* catching(t.join())) as TaskError;
      events.push(`${err.name}: ${err.message}; cause is boom: ${err.cause === boom}`);
      events.push('kernel still running');
    }
    await vrun(main());
    expect(events).toEqual([
      'state TERMINATED, excInfo true',
      'TaskError: crasher failed: Error: boom; cause is boom: true',
      'kernel still running',
    ]);
  });

  it('logErrors logs a crashed task with its name and stack; off when false', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    function* crasher(): Coro<never> {
      throw new Error('kaput');
    }
    function* main() {
      const t = yield* newTask(crasher(), { name: 'worker-7' });
      const c = yield* newTask(sleep(100), { name: 'cancelled-one' });
      yield* c.cancel();
      void t;
    }
    await run(main(), { selector: new VirtualTimeSelector() });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(String(spy.mock.calls[0]![0])).toMatch(/^curio: task \d+ \(worker-7\) crashed:$/);
    expect((spy.mock.calls[0]![1] as Error).stack).toContain('kaput');
    spy.mockClear();
    await run(main(), { selector: new VirtualTimeSelector(), logErrors: false });
    expect(spy).not.toHaveBeenCalled();
  });

  it('reports a deadlock instead of hanging', async () => {
    const kq = new KernelQueue();
    function* stuck() {
      yield* waitOnQueue(kq, 'NEVER_WOKEN');
    }
    const err = await vrun(stuck()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CurioError);
    expect((err as Error).message).toMatch(
      /^deadlock: every task is blocked and nothing can wake them: task-\d+ \(NEVER_WOKEN\)$/,
    );
  });

  it('the default selector does not busy-wait while every task is blocked', async () => {
    class CountingSelector extends HostSelector {
      waits = 0;
      override wait(deadline: number, external: number, wake: () => void): boolean {
        this.waits++;
        return super.wait(deadline, external, wake);
      }
    }
    const selector = new CountingSelector();
    function* main() {
      yield* sleep(30);
    }
    await run(main(), { selector });
    expect(selector.waits).toBeLessThanOrEqual(3);
  });

  it('never starves the host: a host timer fires during a busy sleep(0) loop', async () => {
    let switches = 0;
    let firedAt = -1;
    function* main() {
      setTimeout(() => {
        firedAt = switches;
      }, 0);
      while (switches < 2_000_000 && firedAt < 0) {
        switches++;
        yield* sleep(0);
      }
    }
    await run(main());
    expect(firedAt).toBeGreaterThan(0);
    expect(firedAt).toBeLessThan(2_000_000);
  });
});

describe('bad input', () => {
  it('sleep rejects non-numbers and negatives, naming the argument', async () => {
    function* main() {
      return [
        yield* catching(sleep('x' as never)),
        yield* catching(sleep(-1)),
        yield* catching(sleep(Number.NaN)),
      ].map((e) => `${(e as Error).name}: ${(e as Error).message}`);
    }
    expect(await vrun(main())).toEqual([
      'TypeError: sleep(ms): ms must be a finite number >= 0, got "x"',
      'RangeError: sleep(ms): ms must be a finite number >= 0, got -1',
      'RangeError: sleep(ms): ms must be a finite number >= 0, got NaN',
    ]);
  });

  it('newTask rejects what is not a coroutine, and the caller keeps running', async () => {
    async function asyncFn() {}
    function* gen() {}
    function* main() {
      return [
        yield* catching(newTask(42 as never)),
        yield* catching(newTask(gen as never)),
        yield* catching(newTask(asyncFn() as never)),
        yield* catching(newTask(gen(), { name: 5 as never })),
      ].map((e) => (e as Error).message);
    }
    expect(await vrun(main())).toEqual([
      'newTask(coro): coro must be a coroutine (the generator object returned by calling a function*), got 42',
      'newTask(coro): coro must be a coroutine (the generator object returned by calling a function*), got function gen (a function: pass gen(), the coroutine its call returns, not gen)',
      'newTask(coro): coro must be a coroutine (the generator object returned by calling a function*), got a Promise (curio coroutines are generator functions, function* with yield*, not async functions)',
      'newTask: options.name must be a string, got 5',
    ]);
  });

  it('run(42) and friends reject with a TypeError', async () => {
    await expect(run(42 as never)).rejects.toThrow(
      new TypeError(
        'Kernel.run(coro): coro must be a coroutine (the generator object returned by calling a function*), got 42',
      ),
    );
    expect(() => new Kernel({ selector: {} as never })).toThrow(TypeError);
    expect(() => new Kernel().addTask('x' as never)).toThrow(TypeError);
  });

  it('yield of a value that is not a trap raises a TypeError in that task only', async () => {
    const events: string[] = [];
    function* wrong(): Coro<void> {
      try {
        yield 5 as never;
      } catch (err) {
        events.push(`${(err as Error).name}: ${(err as Error).message}`);
      }
    }
    function* main() {
      yield* newTask(wrong(), { name: 'wrong' });
      yield* sleep(1);
      events.push('main fine');
    }
    await vrun(main());
    expect(events).toEqual([
      'TypeError: wrong yielded 5, which is not a kernel trap: call coroutines with yield*, not yield',
      'main fine',
    ]);
  });

  it('a plain yield of a trap or a coroutine is one clear TypeError, naming the fix', async () => {
    const events: string[] = [];
    class PutOp {
      next() {
        return { done: true, value: undefined };
      }
      [Symbol.iterator]() {
        return this;
      }
    }
    function* worker(): Coro<number> {
      events.push('worker never runs');
      return 1;
    }
    const mistakes: [string, () => unknown][] = [
      ['sleep', () => sleep(50)],
      ['newTask', () => newTask(worker())],
      ['an operation object', () => new PutOp()],
      ['a coroutine', () => worker()],
      ['a plain object', () => ({ kind: 'trap' })],
    ];
    function* mistaken() {
      for (const [label, make] of mistakes) {
        try {
          yield make() as never;
          events.push(`${label}: no error`);
        } catch (err) {
          events.push(`${label}: ${(err as Error).name}: ${(err as Error).message}`);
        }
      }
    }
    function* main() {
      yield* (yield* newTask(mistaken(), { name: 'main' })).join();
    }
    await vrun(main(), { logErrors: false });
    expect(events).toEqual([
      'sleep: TypeError: main yielded sleep(...) with a plain yield: write yield* sleep(...)',
      'newTask: TypeError: main yielded newTask(...) with a plain yield: write yield* newTask(...)',
      'an operation object: TypeError: main yielded a coroutine (PutOp) with a plain yield: call coroutines with yield*, not yield',
      'a coroutine: TypeError: main yielded a coroutine with a plain yield: call coroutines with yield*, not yield',
      'a plain object: TypeError: main yielded an object, which is not a kernel trap: call coroutines with yield*, not yield',
    ]);
  });

  it('joining a task of another kernel is refused', async () => {
    let foreign: Task | undefined;
    const other = new Kernel({ selector: new VirtualTimeSelector() });
    foreign = other.addTask(sleep(1), { name: 'foreign' });
    function* main() {
      const err = yield* catching(foreign!.join());
      const err2 = yield* catching(foreign!.cancel());
      return [(err as Error).message, (err2 as Error).message];
    }
    expect(await vrun(main())).toEqual([
      'joinTask: foreign belongs to another kernel',
      'cancelTask: foreign belongs to another kernel',
    ]);
    await other.run();
    foreign = undefined;
  });

  it('joining an ended task of another kernel is refused too, and a bad timeout', async () => {
    const other = new Kernel({ selector: new VirtualTimeSelector() });
    const foreign = other.addTask(sleep(1), { name: 'foreign' });
    await other.run();
    expect(foreign.terminated).toBe(true);
    function* quick() {
      return 1;
    }
    function* main() {
      const own = yield* newTask(quick());
      return [
        (yield* catching(foreign.join())) as Error,
        (yield* catching(own.join({ timeout: -1 }))) as Error,
        (yield* catching(own.join({ timeout: 'soon' as never }))) as Error,
      ].map((e) => `${e.name}: ${e.message}`);
    }
    expect(await vrun(main())).toEqual([
      'CurioError: joinTask: foreign belongs to another kernel',
      'RangeError: joinTask: timeout must be a number of milliseconds >= 0 or null, got -1',
      'TypeError: joinTask: timeout must be a number of milliseconds >= 0 or null, got "soon"',
    ]);
  });

  it('the join of an ended task answers where it is driven: once, in plain code too', async () => {
    const kernel = new Kernel({ selector: new VirtualTimeSelector() });
    const ok = kernel.addTask(
      (function* (): Coro<number> {
        yield* sleep(1);
        return 42;
      })(),
      { name: 'ok' },
    );
    const bad = kernel.addTask(
      (function* (): Coro<void> {
        throw new Error('boom');
      })(),
      { name: 'bad' },
    );
    await kernel.run(undefined, { logErrors: false });
    const events: string[] = [];
    const result = (r: IteratorResult<unknown>) => `done ${r.done} value ${r.value}`;
    const join = ok.join();
    events.push(result(join.next()), result(join.next()));
    const failing = bad.join();
    try {
      failing.next();
    } catch (err) {
      events.push(`${(err as Error).name} cause ${((err as Error).cause as Error).message}`);
    }
    events.push(result(failing.next()));
    function* plainYield() {
      try {
        yield ok.join() as never; // the star forgotten: refused by the kernel as any trap is
      } catch (err) {
        events.push((err as Error).message);
      }
    }
    kernel.addTask(plainYield(), { name: 'forgetful' });
    await kernel.run();
    await kernel.shutdown();
    expect(events).toEqual([
      'done true value 42',
      'done true value undefined',
      'TaskError cause boom',
      'done true value undefined',
      'forgetful yielded joinTask(...) with a plain yield: write yield* joinTask(...)',
    ]);
  });

  it('joinTask and cancelTask reject what is not a task', async () => {
    const { joinTask, cancelTask } = await import('../src/index.js');
    function* main() {
      return [
        yield* catching(joinTask({} as never)),
        yield* catching(cancelTask(null as never)),
      ].map((e) => (e as Error).message);
    }
    expect(await vrun(main())).toEqual([
      'joinTask(task): task must be a Task, got an object',
      'cancelTask(task): task must be a Task, got null',
    ]);
  });

  it('withMonitor accepts a factory, run as a daemon task', async () => {
    const events: string[] = [];
    function* monitor(kernel: Kernel): Coro<void> {
      events.push(`monitor sees ${kernel.tasks.size} task(s)`);
      yield* sleep(1_000_000);
    }
    const kernel = new Kernel({ withMonitor: monitor, selector: new VirtualTimeSelector() });
    await kernel.run(sleep(10));
    await kernel.shutdown();
    expect(events).toEqual(['monitor sees 2 task(s)']);
  });

  it('setMonitoring records where each task blocks and its run time', async () => {
    const kernel = new Kernel({ selector: new VirtualTimeSelector() });
    function* napper() {
      yield* sleep(10);
    }
    function* main() {
      const before = yield* newTask(napper());
      kernel.setMonitoring(true);
      const t = yield* newTask(napper());
      const seen = [before.where, t.where?.includes('napper'), t.runTime >= 0, t.state];
      kernel.setMonitoring(false);
      return seen;
    }
    expect(await kernel.run(main())).toEqual([undefined, true, true, 'SLEEP']);
    await kernel.shutdown();
  });

  const noSignals =
    typeof (globalThis as { process?: { on?: unknown } }).process?.on !== 'function';
  it.runIf(noSignals)(
    'without process.on (browsers), signal traps name what is missing',
    async () => {
      const { sigwait } = await import('../src/index.js');
      function* main() {
        return (yield* catching(sigwait({ signals: ['SIGINT'] }, { timeout: 10 }))) as Error;
      }
      const err = await vrun(main());
      expect(err).toBeInstanceOf(CurioError);
      expect(err.message).toBe(
        'signals need the host to offer process.on (Node.js, Deno, Bun); this runtime has none',
      );
    },
  );

  it('a CancelledError escaping the main task rejects run with it', async () => {
    function* main(): Coro<never> {
      throw new CancelledError('stop');
    }
    await expect(vrun(main())).rejects.toBeInstanceOf(CancelledError);
  });
});
