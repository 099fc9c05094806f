import { describe, expect, it } from 'vitest';
import {
  asyncWith,
  type Coro,
  disableCancellation,
  ignoreAfter,
  newTask,
  sleep,
  TaskGroup,
  timeoutAfter,
} from '../src/index.js';
import { now, vrun } from './helpers.js';

// Every exit path of a TaskGroup: the remaining tasks are cancelled and waited for (their
// `finally` blocks have run) before the group's caller resumes.

/** A group task: sleeps `ms`, records how it ended; its finally block takes `cleanupMs`. */
function* child(events: string[], name: string, ms: number, cleanupMs = 0): Coro<string> {
  try {
    yield* sleep(ms);
    events.push(`${name} done at ${yield* now()}`);
    return name;
  } catch (err) {
    events.push(`${name} ${(err as Error).name} at ${yield* now()}`);
    throw err;
  } finally {
    if (cleanupMs > 0) yield* sleep(cleanupMs);
    events.push(`${name} finally at ${yield* now()}`);
  }
}

function* spawnTwo(events: string[], g: TaskGroup, cleanupMs = 0): Coro<void> {
  yield* g.spawn(child(events, 'a', 300, cleanupMs));
  yield* g.spawn(child(events, 'b', 400, cleanupMs));
}

describe('TaskGroup teardown on every way out', () => {
  it('the body raises', async () => {
    const events: string[] = [];
    function* main() {
      try {
        yield* asyncWith(new TaskGroup(), function* (g) {
          yield* spawnTwo(events, g, 5);
          yield* sleep(10);
          throw new Error('body failed');
        });
      } catch (err) {
        events.push(`caller ${(err as Error).message} at ${yield* now()}`);
      }
    }
    await vrun(main());
    expect(events).toEqual([
      'a CancelledError at 10',
      'a finally at 15',
      'b CancelledError at 15',
      'b finally at 20',
      'caller body failed at 20',
    ]);
  });

  it('the owner task is cancelled', async () => {
    const events: string[] = [];
    function* owner() {
      try {
        yield* asyncWith(new TaskGroup(), function* (g) {
          yield* spawnTwo(events, g, 5);
        });
      } catch (err) {
        events.push(`owner ${(err as Error).name} at ${yield* now()}`);
        throw err;
      }
    }
    function* main() {
      const t = yield* newTask(owner());
      yield* sleep(50);
      yield* t.cancel();
      events.push(`main resumes at ${yield* now()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a CancelledError at 50',
      'a finally at 55',
      'b CancelledError at 55',
      'b finally at 60',
      'owner CancelledError at 60',
      'main resumes at 60',
    ]);
  });

  it('timeoutAfter expires: the tasks are cancelled at the deadline, not left running', async () => {
    const events: string[] = [];
    function* main() {
      try {
        yield* timeoutAfter(
          50,
          asyncWith(new TaskGroup(), function* (g) {
            yield* spawnTwo(events, g);
          }),
        );
      } catch (err) {
        events.push(`caller ${(err as Error).name} at ${yield* now()}`);
      }
    }
    await vrun(main());
    expect(events).toEqual([
      'a CancelledError at 50',
      'a finally at 50',
      'b CancelledError at 50',
      'b finally at 50',
      'caller TaskTimeout at 50',
    ]);
  });

  it('timeoutAfter expires while the body is still spawning', async () => {
    const events: string[] = [];
    function* main() {
      const r = yield* ignoreAfter(
        50,
        asyncWith(new TaskGroup(), function* (g) {
          yield* g.spawn(child(events, 'a', 300, 5));
          yield* sleep(100);
          yield* g.spawn(child(events, 'never', 1));
        }),
        'ignored',
      );
      events.push(`caller got ${r} at ${yield* now()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a CancelledError at 50',
      'a finally at 55',
      'caller got ignored at 55',
    ]);
  });

  it('ignoreAfter expires: the cleanup of the tasks runs to its end before the caller resumes', async () => {
    const events: string[] = [];
    function* main() {
      const r = yield* ignoreAfter(
        50,
        asyncWith(new TaskGroup(), function* (g) {
          yield* spawnTwo(events, g, 20);
        }),
        'ignored',
      );
      events.push(`caller got ${r} at ${yield* now()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a CancelledError at 50',
      'a finally at 70',
      'b CancelledError at 70',
      'b finally at 90',
      'caller got ignored at 90',
    ]);
  });

  it('join({ timeout }) expires', async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup();
      yield* spawnTwo(events, g, 5);
      try {
        yield* g.join({ timeout: 50 });
      } catch (err) {
        events.push(`caller ${(err as Error).name} at ${yield* now()}`);
      }
      events.push(`running ${g.tasks.filter((t) => !t.terminated).length}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a CancelledError at 50',
      'a finally at 55',
      'b CancelledError at 55',
      'b finally at 60',
      'caller TaskTimeout at 60',
      'running 0',
    ]);
  });

  it('a task fails: the others are cancelled and waited for', async () => {
    const events: string[] = [];
    function* failing(): Coro<never> {
      yield* sleep(30);
      events.push(`failing raises at ${yield* now()}`);
      throw new Error('boom');
    }
    function* main() {
      const g = new TaskGroup();
      yield* asyncWith(g, function* () {
        yield* spawnTwo(events, g, 5);
        yield* g.spawn(failing());
      });
      events.push(`caller goes on at ${yield* now()}: ${(g.exception as Error).message}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'failing raises at 30',
      'a CancelledError at 30',
      'a finally at 35',
      'b CancelledError at 35',
      'b finally at 40',
      'caller goes on at 40: boom',
    ]);
  });

  it('a cancel that arrives during the teardown does not cut it short', async () => {
    const events: string[] = [];
    function* owner() {
      try {
        yield* timeoutAfter(
          50,
          asyncWith(new TaskGroup(), function* (g) {
            yield* spawnTwo(events, g, 20);
          }),
        );
      } catch (err) {
        events.push(`owner ${(err as Error).name} at ${yield* now()}`);
      }
      // The held-back cancel is delivered at the owner's next blocking call.
      try {
        yield* sleep(1);
        events.push('owner not cancelled');
      } catch (err) {
        events.push(`owner then ${(err as Error).name} at ${yield* now()}`);
        throw err;
      }
    }
    function* main() {
      const t = yield* newTask(owner());
      yield* sleep(60); // the owner is tearing the group down (50..90)
      events.push(`main cancels at ${yield* now()}`);
      yield* t.cancel();
      events.push(`main resumes at ${yield* now()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a CancelledError at 50',
      'main cancels at 60',
      'a finally at 70',
      'b CancelledError at 70',
      'b finally at 90',
      'owner TaskTimeout at 90',
      'owner then CancelledError at 90',
      'main resumes at 90',
    ]);
  });

  it('cancelRemaining inside disableCancellation still waits for every task', async () => {
    const events: string[] = [];
    function* main() {
      const g = new TaskGroup();
      yield* spawnTwo(events, g, 5);
      yield* disableCancellation(g.cancelRemaining());
      events.push(`done at ${yield* now()}, left ${g.tasks.length}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a CancelledError at 0',
      'a finally at 5',
      'b CancelledError at 5',
      'b finally at 10',
      'done at 10, left 0',
    ]);
  });
});
