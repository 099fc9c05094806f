import { describe, expect, it } from 'vitest';
import {
  type AsyncContextManager,
  type AsyncIterableLike,
  asyncFor,
  asyncWith,
  type Coro,
  newTask,
  sleep,
  TaskGroup,
} from '../src/index.js';
import { catching, sleepRecording, vrun } from './helpers.js';

describe('TaskGroup', () => {
  it('waits for every task of the group', async () => {
    const events: string[] = [];
    function* worker(name: string, ms: number) {
      yield* sleep(ms);
      events.push(name);
      return name;
    }
    function* main() {
      const g = new TaskGroup();
      yield* asyncWith(g, function* (group) {
        yield* group.spawn(worker('slow', 30));
        yield* group.spawn(worker('fast', 10));
        events.push(`spawned ${group.tasks.length}`);
      });
      events.push(`group done, ${g.tasks.filter((t) => !t.terminated).length} running`);
      events.push(`results ${g.results.join(' ')}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'spawned 2',
      'fast',
      'slow',
      'group done, 0 running',
      'results slow fast',
    ]);
  });

  it('when one task fails, cancels the rest; join does not raise, the group holds the error (curio 1.x)', async () => {
    const events: string[] = [];
    const boom = new Error('boom');
    function* failing(): Coro<never> {
      yield* sleep(10);
      events.push('failing raises');
      throw boom;
    }
    function* main() {
      const g = new TaskGroup();
      yield* g.spawn(sleepRecording(events, 'sleeper'));
      const f = yield* g.spawn(failing(), { name: 'failing' });
      yield* g.join();
      events.push(
        `joined; completed is failing: ${g.completed === f}, exception is boom: ${g.exception === boom}`,
      );
      events.push(
        `result raises boom: ${
          (yield* catching(
            (function* () {
              g.result;
            })(),
          )) === boom
        }`,
      );
      // results raises the first error in spawn order: the sleeper's cancellation.
      const first = (yield* catching(
        (function* () {
          g.results;
        })(),
      )) as Error;
      events.push(`results raises ${first.name}`);
      events.push(`exceptions: ${g.exceptions.map((e) => (e as Error).name).join(', ')}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'failing raises',
      'sleeper CancelledError',
      'joined; completed is failing: true, exception is boom: true',
      'result raises boom: true',
      'results raises CancelledError',
      'exceptions: CancelledError, Error',
    ]);
  });

  it('a body error cancels the group’s tasks and propagates', async () => {
    const events: string[] = [];
    function* main() {
      const err = yield* catching(
        asyncWith(new TaskGroup(), function* (g) {
          yield* g.spawn(sleepRecording(events, 'sleeper'));
          throw new Error('body failed');
        }),
      );
      events.push((err as Error).message);
    }
    await vrun(main());
    expect(events).toEqual(['sleeper CancelledError', 'body failed']);
  });

  it('join timeout cancels the remaining tasks and raises TaskTimeout', async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup();
      yield* g.spawn(sleepRecording(events, 'sleeper'));
      const err = yield* catching(g.join({ timeout: 10 }));
      events.push((err as Error).name);
    }
    await vrun(main());
    expect(events).toEqual(['sleeper CancelledError', 'TaskTimeout']);
  });

  it('cancelling the joiner cancels the group’s tasks', async () => {
    const events: string[] = [];
    function* owner() {
      yield* asyncWith(new TaskGroup(), function* (g) {
        yield* g.spawn(sleepRecording(events, 'sleeper'));
      });
    }
    function* main() {
      const t = yield* newTask(owner());
      yield* sleep(5);
      yield* t.cancel();
      events.push(`owner ${(t.excInfo as Error).name}`);
    }
    await vrun(main());
    expect(events).toEqual(['sleeper CancelledError', 'owner CancelledError']);
  });

  it('bad input: daemon tasks and spawning into a failed group are refused', async () => {
    function* crash(): Coro<never> {
      throw new Error('x');
    }
    function* main() {
      const g = new TaskGroup();
      const a = yield* catching(g.spawn(sleep(1), { daemon: true }));
      yield* g.spawn(crash());
      const b = yield* catching(g.spawn(sleep(1)));
      yield* g.join();
      return [(a as Error).message, (b as Error).message];
    }
    expect(await vrun(main())).toEqual([
      'TaskGroup.spawn: a group task cannot be a daemon',
      'TaskGroup.spawn: the group has already failed',
    ]);
  });
});

describe('asyncWith / asyncFor', () => {
  class Recorder implements AsyncContextManager<string> {
    constructor(
      readonly events: string[],
      readonly suppress = false,
    ) {}
    *enter(): Coro<string> {
      yield* sleep(1);
      this.events.push('enter');
      return 'value';
    }
    *exit(error?: unknown): Coro<boolean> {
      yield* sleep(1);
      this.events.push(`exit ${error === undefined ? 'clean' : (error as Error).message}`);
      return this.suppress;
    }
  }

  it('enters, runs the body with the value, exits; returns the body’s result', async () => {
    const events: string[] = [];
    function* main() {
      return yield* asyncWith(new Recorder(events), function* (v) {
        events.push(`body ${v}`);
        return 5;
      });
    }
    expect(await vrun(main())).toBe(5);
    expect(events).toEqual(['enter', 'body value', 'exit clean']);
  });

  it('exits with the error, which propagates unless exit returns true', async () => {
    const events: string[] = [];
    function* body(): Coro<never> {
      throw new Error('oops');
    }
    function* main() {
      const err = yield* catching(asyncWith(new Recorder(events), body));
      events.push(`caught ${(err as Error).message}`);
      const r = yield* asyncWith(new Recorder(events, true), body);
      events.push(`suppressed ${r}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'enter',
      'exit oops',
      'caught oops',
      'enter',
      'exit oops',
      'suppressed undefined',
    ]);
  });

  it('exits on cancellation too', async () => {
    const events: string[] = [];
    function* main() {
      return yield* catching(
        (function* () {
          const t = yield* newTask(
            asyncWith(new Recorder(events), function* () {
              yield* sleep(1000);
            }),
          );
          yield* sleep(10);
          yield* t.cancel();
          throw new Error(`task ${(t.excInfo as Error).name}`);
        })(),
      );
    }
    expect(((await vrun(main())) as Error).message).toBe('task CancelledError');
    expect(events).toHaveLength(2);
    expect(events[0]).toBe('enter');
    expect(events[1]).toMatch(/^exit task-\d+ cancelled$/);
  });

  it('asyncFor iterates until done, stops when the body returns false, calls return()', async () => {
    const events: string[] = [];
    function counter(n: number): AsyncIterableLike<number> {
      let i = 0;
      return {
        *next() {
          yield* sleep(1);
          return i < n ? { done: false, value: i++ } : { done: true, value: undefined };
        },
        *return() {
          events.push('return called');
        },
      };
    }
    function* main() {
      yield* asyncFor(counter(3), function* (x) {
        events.push(`item ${x}`);
      });
      yield* asyncFor(counter(10), function* (x) {
        events.push(`early ${x}`);
        if (x === 1) return false;
      });
    }
    await vrun(main());
    expect(events).toEqual(['item 0', 'item 1', 'item 2', 'early 0', 'early 1', 'return called']);
  });

  it('bad input is refused with a TypeError naming the argument', async () => {
    function* main() {
      return [
        yield* catching(asyncWith({} as never, function* () {})),
        yield* catching(asyncWith(new Recorder([]), 'x' as never)),
        yield* catching(asyncFor(5 as never, function* () {})),
      ].map((e) => (e as Error).message);
    }
    expect(await vrun(main())).toEqual([
      'asyncWith(cm): cm must have enter() and exit() coroutines, got an object',
      'asyncWith(cm, body): body must be a generator function, got "x"',
      'asyncFor(iterable): iterable must be an AsyncIterable or have a next() coroutine, got 5',
    ]);
  });
});
