import { describe, expect, it, vi } from 'vitest';
import {
  asyncWith,
  type Coro,
  newTask,
  run,
  sleep,
  TaskGroup,
  timeoutAfter,
  VirtualTimeSelector,
} from '../src/index.js';
import { catching, now, vrun } from './helpers.js';

// TaskGroup.start: Trio's nursery.start. The task is the caller's until it calls started().

/** A service: binds for `bindMs`, reports `port`, then serves for `serveMs`. */
function* service(
  events: string[],
  started: (port: number) => void,
  bindMs: number,
  serveMs: number,
): Coro<string> {
  try {
    yield* sleep(bindMs);
    events.push(`bound at ${yield* now()}`);
    started(8080);
    yield* sleep(serveMs);
    events.push(`served until ${yield* now()}`);
    return 'service done';
  } catch (err) {
    events.push(`service ${(err as Error).name} at ${yield* now()}`);
    throw err;
  } finally {
    events.push('service finally');
  }
}

describe('TaskGroup.start', () => {
  it('returns the value given to started(); the task goes on as a task of the group', async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup();
      yield* asyncWith(g, function* () {
        const port = yield* g.start<number>((started) => service(events, started, 5, 20));
        events.push(`port ${port} at ${yield* now()}, ${g.tasks.length} task in the group`);
      });
      events.push(`group done at ${yield* now()}: results ${g.results}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'bound at 5',
      'port 8080 at 5, 1 task in the group',
      'served until 25',
      'service finally',
      'group done at 25: results service done',
    ]);
  });

  it('started() in the first step, before anything blocks: start returns at once', async () => {
    function* main() {
      const g = new TaskGroup([], { wait: 'none' });
      let at = -1;
      yield* asyncWith(g, function* () {
        const value = yield* g.start(function* (started) {
          started('ready');
          yield* sleep(100);
        });
        at = yield* now();
        return value;
      });
      return [g.tasks.length, at];
    }
    expect(await vrun(main())).toEqual([1, 0]);
  });

  it('a failure before started() is raised by start as it is; the group never sees it', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const events: string[] = [];
      const refused = new Error('address in use');
      function* failsToBind(_started: (port: number) => void): Coro<never> {
        yield* sleep(5);
        throw refused;
      }
      function* main() {
        const g = new TaskGroup();
        yield* asyncWith(g, function* () {
          const sibling = yield* g.spawn(sleep(20));
          const err = yield* catching(g.start(failsToBind));
          events.push(`start raised the error itself: ${err === refused} at ${yield* now()}`);
          events.push(
            `sibling still running: ${!sibling.terminated}; ${g.tasks.length} task in the group`,
          );
          yield* g.spawn(sleep(1)); // not refused: the group has not failed
        });
        events.push(`group done at ${yield* now()}, exceptions ${g.exceptions.length}`);
      }
      await run(main(), { selector: new VirtualTimeSelector() });
      expect(events).toEqual([
        'start raised the error itself: true at 5',
        'sibling still running: true; 1 task in the group',
        'group done at 20, exceptions 2',
      ]);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('a failure in the first step, before anything blocks: raised by start, not logged', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const bad = new TypeError('bad port');
      function* refuses(_started: () => void): Coro<never> {
        throw bad;
      }
      function* main() {
        const g = new TaskGroup();
        const err = yield* catching(g.start(refuses));
        yield* g.join();
        return [err === bad, g.tasks.length];
      }
      expect(await run(main(), { selector: new VirtualTimeSelector() })).toEqual([true, 0]);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('a function that returns without calling started(): CurioError naming it', async () => {
    function* noStarted(_started: () => void): Coro<void> {
      yield* sleep(5);
    }
    function* main() {
      const g = new TaskGroup();
      const named = (yield* catching(g.start(noStarted))) as Error;
      const anonymous = (yield* catching(g.start(() => sleep(1)))) as Error;
      yield* g.join();
      return [`${named.name}: ${named.message}`, anonymous.message, g.tasks.length];
    }
    expect(await vrun(main())).toEqual([
      'CurioError: TaskGroup.start: noStarted returned without calling started()',
      'TaskGroup.start: fn returned without calling started()',
      0,
    ]);
  });

  it('the caller is cancelled before started(): the task is cancelled and waited for first', async () => {
    const events: string[] = [];
    function* owner() {
      const g = new TaskGroup();
      try {
        yield* asyncWith(g, function* () {
          yield* g.start<number>((started) => service(events, started, 100, 0));
        });
      } catch (err) {
        events.push(`owner ${(err as Error).name} at ${yield* now()}, ${g.tasks.length} tasks`);
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
      'service CancelledError at 10',
      'service finally',
      'owner CancelledError at 10, 0 tasks',
      'cancel returned at 10',
    ]);
  });

  it('a timeout around start: TaskTimeout once the unstarted task has been cancelled', async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup();
      const err = (yield* catching(
        timeoutAfter(
          10,
          g.start<number>((started) => service(events, started, 100, 0)),
        ),
      )) as Error;
      events.push(`${err.name} at ${yield* now()}`);
      yield* g.join();
      events.push(`joined, ${g.tasks.length} tasks`);
    }
    await vrun(main());
    expect(events).toEqual([
      'service CancelledError at 10',
      'service finally',
      'TaskTimeout at 10',
      'joined, 0 tasks',
    ]);
  });

  it('the group is joined while a task is starting: the task is cancelled, start raises CurioError', async () => {
    const events: string[] = [];
    function* slow(started: (port: number) => void) {
      yield* service(events, started, 100, 0);
    }
    function* main() {
      const g = new TaskGroup([], { wait: 'none' });
      const starter = yield* newTask(
        (function* () {
          try {
            yield* g.start(slow);
          } catch (err) {
            events.push(`starter: ${(err as Error).name}: ${(err as Error).message}`);
          }
        })(),
      );
      yield* sleep(5);
      yield* g.join();
      events.push(`joined at ${yield* now()}`);
      yield* starter.join();
    }
    await vrun(main());
    expect(events).toEqual([
      'service CancelledError at 5',
      'service finally',
      'joined at 5',
      'starter: CurioError: TaskGroup.start: slow was cancelled without calling started()',
    ]);
  });

  it('a task that fails while starting does not count as a running task of the group', async () => {
    const events: string[] = [];
    function* failing(_started: () => void): Coro<never> {
      yield* sleep(5);
      throw new Error('no');
    }
    function* main() {
      const g = new TaskGroup();
      yield* g.spawn(sleep(20), { name: 'member' });
      const starter = yield* newTask(
        (function* () {
          const err = (yield* catching(g.start(failing))) as Error;
          events.push(`start raised ${err.message} at ${yield* now()}`);
        })(),
      );
      const t = yield* g.nextDone();
      events.push(`nextDone gave ${t?.name} at ${yield* now()}`);
      yield* starter.join();
    }
    await vrun(main());
    expect(events).toEqual(['start raised no at 5', 'nextDone gave member at 20']);
  });

  it('started() twice raises CurioError in the task that calls it', async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup();
      const first = yield* g.start<number>(function* twice(started) {
        started(1);
        try {
          started(2);
        } catch (err) {
          events.push(`${(err as Error).name}: ${(err as Error).message}`);
        }
        yield* sleep(1);
      });
      yield* g.join();
      events.push(`start gave ${first}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'CurioError: TaskGroup.start: twice called started() twice',
      'start gave 1',
    ]);
  });

  it('bad input: fn not a function, or not returning a coroutine, is a TypeError', async () => {
    function* main() {
      const g = new TaskGroup();
      const errors = [
        yield* catching(g.start(5 as never)),
        yield* catching(g.start((() => 5) as never)),
      ];
      return errors.map((e) => `${(e as Error).name}: ${(e as Error).message}`);
    }
    expect(await vrun(main())).toEqual([
      'TypeError: TaskGroup.start(fn): fn must be a function taking started, got 5',
      'TypeError: TaskGroup.start(fn(started)): fn(started) must be a coroutine (the generator object returned by calling a function*), got 5',
    ]);
  });
});
