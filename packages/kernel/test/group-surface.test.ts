import { describe, expect, it, vi } from 'vitest';
import {
  asyncFor,
  asyncWith,
  type Coro,
  CurioError,
  newTask,
  run,
  sleep,
  type Task,
  TaskGroup,
  VirtualTimeSelector,
} from '../src/index.js';
import { catching, now, scripted, vrun } from './helpers.js';

// curio 1.x's TaskGroup: each wait policy, failures and cancellation in the middle, collecting
// tasks as they end, and what happens to a failure nobody collects.

// A group task: sleeps `ms` and returns `value` (or raises `fail`); see helpers.ts.
const worker = scripted;

/** What the group reports after join: completed, result, results, exception, exceptions. */
function summary(g: TaskGroup, names: Map<Task, string>): string {
  const read = (f: () => unknown): string => {
    try {
      return String(f());
    } catch (err) {
      return `raises ${(err as Error).name}: ${(err as Error).message}`;
    }
  };
  const errName = (e: unknown) => (e === undefined ? '-' : (e as Error).name);
  return [
    `completed ${g.completed === undefined ? '-' : names.get(g.completed)}`,
    `result ${read(() => g.result)}`,
    `results ${read(() => g.results.join(' '))}`,
    `exception ${errName(g.exception)}`,
    `exceptions ${g.exceptions.map(errName).join(' ')}`,
  ].join('; ');
}

/** Spawn `[name, ms, value, options]` tasks into `g`; returns task -> name. */
function* spawnAll(
  events: string[],
  g: TaskGroup,
  specs: [string, number, unknown, { fail?: Error; cleanupMs?: number }?][],
): Coro<Map<Task, string>> {
  const names = new Map<Task, string>();
  for (const [name, ms, value, options] of specs) {
    names.set(yield* g.spawn(worker(events, name, ms, value, options), { name }), name);
  }
  return names;
}

describe('TaskGroup wait policies', () => {
  it("'all' (the default): waits for every task; results in spawn order, completed is the first to end", async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup();
      let names = new Map<Task, string>();
      yield* asyncWith(g, function* () {
        names = yield* spawnAll(events, g, [
          ['a', 30, 'A'],
          ['b', 10, 'B'],
          ['c', 20, 'C'],
        ]);
      });
      events.push(`joined at ${yield* now()}: ${summary(g, names)}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'b done at 10',
      'c done at 20',
      'a done at 30',
      'joined at 30: completed b; result B; results A B C; exception -; exceptions - - -',
    ]);
  });

  it("'all' with a failure in the middle: the wait ends, the rest are cancelled; join does not raise", async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup();
      let names = new Map<Task, string>();
      yield* asyncWith(g, function* () {
        names = yield* spawnAll(events, g, [
          ['a', 10, 'A'],
          ['b', 20, 'B', { fail: new Error('boom') }],
          ['c', 30, 'C', { cleanupMs: 5 }],
        ]);
      });
      events.push(`joined at ${yield* now()}: ${summary(g, names)}`);
    }
    await vrun(main());
    // As in curio 1.x, `completed` is the first task to end (a), so `exception` is a's
    // (none); `exceptions` and `results` show b's failure.
    expect(events).toEqual([
      'a done at 10',
      'b raises at 20',
      'c CancelledError at 20',
      'c finally at 25',
      'joined at 25: completed a; result A; results raises Error: boom; exception -; exceptions - Error CancelledError',
    ]);
  });

  it("'any': the first task to end wins; the others are cancelled one by one and waited for", async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup([], { wait: 'any' });
      let names = new Map<Task, string>();
      yield* asyncWith(g, function* () {
        names = yield* spawnAll(events, g, [
          ['a', 30, 'A', { cleanupMs: 5 }],
          ['b', 10, 'B'],
          ['c', 20, 'C', { cleanupMs: 5 }],
        ]);
      });
      events.push(`joined at ${yield* now()}: ${summary(g, names)}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'b done at 10',
      'a CancelledError at 10',
      'a finally at 15',
      'c CancelledError at 15',
      'c finally at 20',
      'joined at 20: completed b; result B; results raises CancelledError: a cancelled; exception -; exceptions CancelledError - CancelledError',
    ]);
  });

  it("'any' when the first to end fails: result raises its error as it is", async () => {
    const events: string[] = [];
    const boom = new TypeError('bad');
    function* main() {
      const g = new TaskGroup([], { wait: 'any' });
      let names = new Map<Task, string>();
      yield* asyncWith(g, function* () {
        names = yield* spawnAll(events, g, [
          ['a', 10, 'A', { fail: boom }],
          ['b', 20, 'B'],
        ]);
      });
      events.push(`joined at ${yield* now()}: ${summary(g, names)}`);
      events.push(
        `result raises boom itself: ${
          (yield* catching(
            (function* () {
              g.result;
            })(),
          )) === boom
        }`,
      );
    }
    await vrun(main());
    expect(events).toEqual([
      'a raises at 10',
      'b CancelledError at 10',
      'joined at 10: completed a; result raises TypeError: bad; results raises TypeError: bad; exception TypeError; exceptions TypeError CancelledError',
      'result raises boom itself: true',
    ]);
  });

  it("'object': the first task to return something other than undefined or null wins", async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup([], { wait: 'object' });
      let names = new Map<Task, string>();
      yield* asyncWith(g, function* () {
        names = yield* spawnAll(events, g, [
          ['a', 10, undefined],
          ['b', 20, null],
          ['c', 30, 0],
          ['d', 40, 'D'],
        ]);
      });
      events.push(`joined at ${yield* now()}: ${summary(g, names)}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a done at 10',
      'b done at 20',
      'c done at 30',
      'd CancelledError at 30',
      'joined at 30: completed c; result 0; results raises CancelledError: d cancelled; exception -; exceptions - - - CancelledError',
    ]);
  });

  it("'object' with a failure before any object: the failure ends the wait", async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup([], { wait: 'object' });
      let names = new Map<Task, string>();
      yield* asyncWith(g, function* () {
        names = yield* spawnAll(events, g, [
          ['a', 10, undefined],
          ['b', 20, 'B', { fail: new RangeError('out') }],
          ['c', 30, 'C'],
        ]);
      });
      events.push(`joined at ${yield* now()}: ${summary(g, names)}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a done at 10',
      'b raises at 20',
      'c CancelledError at 20',
      'joined at 20: completed b; result raises RangeError: out; results raises RangeError: out; exception RangeError; exceptions - RangeError CancelledError',
    ]);
  });

  it("'none': leaving the block cancels every task at once; no task completed", async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup([], { wait: 'none' });
      let names = new Map<Task, string>();
      yield* asyncWith(g, function* () {
        names = yield* spawnAll(events, g, [
          ['a', 10, 'A', { cleanupMs: 5 }],
          ['b', 20, 'B'],
        ]);
        yield* sleep(1);
      });
      events.push(`joined at ${yield* now()}: ${summary(g, names)}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a CancelledError at 1',
      'a finally at 6',
      'b CancelledError at 6',
      'joined at 6: completed -; result raises CurioError: TaskGroup.result: no task of the group completed; results raises CancelledError: a cancelled; exception -; exceptions CancelledError CancelledError',
    ]);
  });

  it('a task cancelled from outside ends no wait and is not completed', async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup([], { wait: 'any' });
      let names = new Map<Task, string>();
      yield* asyncWith(g, function* () {
        names = yield* spawnAll(events, g, [
          ['a', 30, 'A'],
          ['b', 20, 'B'],
        ]);
        yield* sleep(5);
        const [a] = g.tasks;
        yield* a!.cancel();
        events.push(`body cancelled a at ${yield* now()}`);
      });
      events.push(
        `joined at ${yield* now()}: completed ${names.get(g.completed!)}, result ${g.result}`,
      );
    }
    await vrun(main());
    expect(events).toEqual([
      'a CancelledError at 5',
      'body cancelled a at 5',
      'b done at 20',
      'joined at 20: completed b, result B',
    ]);
  });
});

describe('TaskGroup: collecting tasks as they end', () => {
  it('nextDone hands over each task as it ends and takes it out of the group; undefined at the end', async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup();
      const names = yield* spawnAll(events, g, [
        ['a', 20, 'A'],
        ['b', 10, 'B', { fail: new Error('boom') }],
      ]);
      for (let t = yield* g.nextDone(); t !== undefined; t = yield* g.nextDone()) {
        events.push(
          `next ${names.get(t)} (${(t.excInfo as Error | undefined)?.message ?? 'ok'}), ${g.tasks.length} left`,
        );
      }
      events.push('nextDone gave undefined');
      yield* g.join();
      events.push(`results [${g.results}], completed ${g.completed}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'b raises at 10',
      'next b (boom), 1 left',
      'a done at 20',
      'next a (ok), 0 left',
      'nextDone gave undefined',
      'results [], completed undefined',
    ]);
  });

  it('a failure collected with nextDone does not end the group’s wait nor cancel the others', async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup();
      yield* asyncWith(g, function* () {
        yield* spawnAll(events, g, [
          ['a', 10, 'A', { fail: new Error('boom') }],
          ['b', 20, 'B'],
        ]);
        const t = yield* g.nextDone();
        events.push(`collected ${(t!.excInfo as Error).message}`);
      });
      events.push(`joined at ${yield* now()}: results ${g.results}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a raises at 10',
      'collected boom',
      'b done at 20',
      'joined at 20: results B',
    ]);
  });

  it('nextResult returns results as tasks end, raises a failure as it is, and CurioError when none is left', async () => {
    const events: string[] = [];
    const boom = new Error('boom');
    function* main() {
      const g = new TaskGroup<string>();
      yield* spawnAll(events, g, [
        ['a', 20, 'A'],
        ['b', 10, 'B'],
        ['c', 30, 'C', { fail: boom }],
      ]);
      events.push(`first ${yield* g.nextResult()}`);
      events.push(`second ${yield* g.nextResult()}`);
      events.push(`third raises boom: ${(yield* catching(g.nextResult())) === boom}`);
      events.push(`then: ${((yield* catching(g.nextResult())) as Error).message}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'b done at 10',
      'first B',
      'a done at 20',
      'second A',
      'c raises at 30',
      'third raises boom: true',
      'then: TaskGroup.nextResult: no task left in the group',
    ]);
  });

  it('asyncFor(group) visits tasks as they end; stopping early leaves the rest to the group', async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup();
      let names = new Map<Task, string>();
      yield* asyncWith(g, function* () {
        names = yield* spawnAll(events, g, [
          ['a', 30, 'A', { cleanupMs: 5 }],
          ['b', 10, 'B'],
          ['c', 20, 'C'],
        ]);
        yield* asyncFor(g, function* (task) {
          events.push(`visit ${names.get(task)} at ${yield* now()}`);
          if (names.get(task) === 'c') return false;
        });
        events.push('loop ended');
        yield* g.cancelRemaining();
      });
      events.push(`joined at ${yield* now()}, ${g.tasks.length} tasks left in the group`);
    }
    await vrun(main());
    expect(events).toEqual([
      'b done at 10',
      'visit b at 10',
      'c done at 20',
      'visit c at 20',
      'loop ended',
      'a CancelledError at 20',
      'a finally at 25',
      'joined at 25, 0 tasks left in the group',
    ]);
  });
});

describe('TaskGroup: failures nobody collects', () => {
  it('join logs a failure nobody collected, once; collected failures and cancellations are not logged', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const events: string[] = [];
      function* main() {
        const g = new TaskGroup();
        yield* asyncWith(g, function* () {
          yield* g.spawn(worker(events, 'collected', 10, 1, { fail: new Error('mine') }), {
            name: 'collected',
          });
          yield* g.spawn(worker(events, 'lost', 20, 2, { fail: new Error('lost') }), {
            name: 'lost',
          });
          yield* g.spawn(worker(events, 'cancelled', 30, 3), { name: 'cancelled' });
          yield* g.nextDone(); // collects 'collected'
        });
        yield* g.join(); // a second join logs nothing more
      }
      await run(main(), { selector: new VirtualTimeSelector() });
      expect(events).toEqual([
        'collected raises at 10',
        'lost raises at 20',
        'cancelled CancelledError at 20',
      ]);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(String(spy.mock.calls[0]![0])).toMatch(/^curio: task \d+ \(lost\) crashed:$/);
      expect((spy.mock.calls[0]![1] as Error).message).toBe('lost');
    } finally {
      spy.mockRestore();
    }
  });
});

describe('TaskGroup: existing tasks, timeouts, cancellation', () => {
  it('takes existing tasks in the constructor and addTask, ended ones included; lists them in that order', async () => {
    const events: string[] = [];
    function* main() {
      const early = yield* newTask(worker(events, 'early', 5, 'E'));
      const later = yield* newTask(worker(events, 'later', 20, 'L'));
      yield* sleep(10);
      const g = new TaskGroup([later, early]);
      const late = yield* newTask(worker(events, 'late', 15, 'T'));
      yield* g.addTask(late);
      events.push(
        `tasks ${g.tasks.map((t) => (t === early ? 'early' : t === later ? 'later' : 'late')).join(' ')}`,
      );
      yield* g.join();
      events.push(`results ${g.results.join(' ')} at ${yield* now()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'early done at 5',
      'tasks later early late',
      'later done at 20',
      'late done at 25',
      'results L E T at 25',
    ]);
  });

  it("join({ timeout }) under 'object': TaskTimeout, the tasks are cancelled and waited for", async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup([], { wait: 'object' });
      yield* spawnAll(events, g, [
        ['a', 10, undefined],
        ['b', 100, 'B', { cleanupMs: 5 }],
      ]);
      const err = (yield* catching(g.join({ timeout: 50 }))) as Error;
      events.push(`${err.name} at ${yield* now()}; completed ${g.completed}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a done at 10',
      'b CancelledError at 50',
      'b finally at 55',
      'TaskTimeout at 55; completed undefined',
    ]);
  });

  it('the owner is cancelled while collecting with nextDone: the tasks are cancelled and waited for', async () => {
    const events: string[] = [];
    function* owner() {
      const g = new TaskGroup();
      try {
        yield* asyncWith(g, function* () {
          yield* spawnAll(events, g, [['a', 100, 'A', { cleanupMs: 5 }]]);
          yield* g.nextDone();
        });
      } catch (err) {
        events.push(
          `owner ${(err as Error).name} at ${yield* now()}, ${g.tasks.length} tasks left`,
        );
        throw err;
      }
    }
    function* main() {
      const t = yield* newTask(owner());
      yield* sleep(10);
      yield* t.cancel();
      events.push(`cancel returned at ${yield* now()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a CancelledError at 10',
      'a finally at 15',
      'owner CancelledError at 15, 0 tasks left',
      'cancel returned at 15',
    ]);
  });
});

describe('TaskGroup: bad input and misuse', () => {
  it('a wait policy outside the four, or options in place of tasks, is a TypeError naming it', () => {
    const messages = [
      () => new TaskGroup([], { wait: 'first' as never }),
      () => new TaskGroup({ wait: 'any' } as never),
      () => new TaskGroup([5] as never),
      () => new TaskGroup([], 5 as never),
    ].map((make) => {
      try {
        make();
        return 'no error';
      } catch (err) {
        return `${(err as Error).name}: ${(err as Error).message}`;
      }
    });
    expect(messages).toEqual([
      `TypeError: new TaskGroup(tasks, { wait }): wait must be 'all', 'any', 'object' or 'none', got "first"`,
      'TypeError: new TaskGroup(tasks): tasks must be an array of Tasks, got an object (options go second: new TaskGroup([], { wait }))',
      'TypeError: new TaskGroup: a task must be a Task, got 5',
      'TypeError: new TaskGroup: options must be an object, got 5',
    ]);
  });

  it('reading results before join, spawning after it, and adding a task twice are refused', async () => {
    function* main() {
      const g = new TaskGroup();
      const before = ['result', 'results', 'exception', 'exceptions'].map((p) => {
        try {
          void g[p as 'result'];
          return 'no error';
        } catch (err) {
          return (err as Error).message;
        }
      });
      const t = yield* g.spawn(sleep(1));
      const other = new TaskGroup();
      const errors = [
        yield* catching(g.addTask(t)),
        yield* catching(other.addTask(t)),
        yield* catching(g.addTask(5 as never)),
        yield* catching(g.addTask(yield* newTask(sleep(1), { daemon: true }))),
      ];
      yield* g.join();
      errors.push(yield* catching(g.spawn(sleep(1))));
      errors.push(yield* catching(g.addTask(yield* newTask(sleep(1)))));
      errors.push(
        yield* catching(
          g.start(function* (started) {
            started();
          }),
        ),
      );
      return [
        ...before,
        ...errors.map((e) => `${(e as Error).name}: ${(e as Error).message}`),
        `${g.exceptions.length} task(s), the CurioErrors are CurioError: ${errors[0] instanceof CurioError}`,
      ];
    }
    const out = await vrun(main());
    expect(out.map((line) => line.replace(/task-\d+/, 'task-N'))).toEqual([
      'TaskGroup.result: the group has not been joined yet (read it after join() or after leaving asyncWith)',
      'TaskGroup.results: the group has not been joined yet (read it after join() or after leaving asyncWith)',
      'TaskGroup.exception: the group has not been joined yet (read it after join() or after leaving asyncWith)',
      'TaskGroup.exceptions: the group has not been joined yet (read it after join() or after leaving asyncWith)',
      'CurioError: TaskGroup.addTask: task-N already belongs to a task group',
      'CurioError: TaskGroup.addTask: task-N already belongs to a task group',
      'TypeError: TaskGroup.addTask: a task must be a Task, got 5',
      'TypeError: TaskGroup.addTask: a daemon task cannot join a group',
      'CurioError: TaskGroup.spawn: the group has already been joined',
      'CurioError: TaskGroup.addTask: the group has already been joined',
      'CurioError: TaskGroup.start: the group has already been joined',
      '1 task(s), the CurioErrors are CurioError: true',
    ]);
  });

  it('nextDone of an empty group gives undefined at once', async () => {
    function* main() {
      const g = new TaskGroup();
      const t = yield* g.nextDone();
      return [t, g.tasks.length];
    }
    expect(await vrun(main())).toEqual([undefined, 0]);
  });
});
