import { asyncWith, CancelledError, CurioError, newTask, sleep, timeoutAfter } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { Lock } from '../src/index.js';
import { outcome, runVirtual } from './helpers.js';

describe('Lock', () => {
  it('serves waiters first come, first served, with asyncWith', async () => {
    const events: string[] = [];
    const lock = new Lock();
    function* worker(name: string) {
      events.push(`${name} wants`);
      yield* asyncWith(lock, function* () {
        events.push(`${name} holds`);
        yield* sleep(10);
        events.push(`${name} releases`);
      });
    }
    await runVirtual(function* () {
      const tasks = [];
      for (const name of ['a', 'b', 'c']) tasks.push(yield* newTask(worker(name)));
      for (const t of tasks) yield* t.join();
    });
    expect(lock.locked()).toBe(false);
    expect(events).toEqual([
      'a wants',
      'a holds',
      'b wants',
      'c wants',
      'a releases',
      'b holds',
      'b releases',
      'c holds',
      'c releases',
    ]);
  });

  it('release hands the lock to the first waiter: the releaser cannot barge back in', async () => {
    const events: string[] = [];
    const lock = new Lock();
    await runVirtual(function* () {
      yield* lock.acquire();
      const b = yield* newTask(
        (function* () {
          yield* lock.acquire();
          events.push('b holds');
          yield* sleep(1);
          yield* lock.release();
          events.push('b released');
        })(),
      );
      events.push('a releases');
      yield* lock.release();
      events.push(`a after release, locked=${lock.locked()}`);
      yield* lock.acquire();
      events.push('a holds again');
      yield* lock.release();
      yield* b.join();
    });
    expect(events).toEqual([
      'a releases',
      'b holds',
      'a after release, locked=true',
      'a holds again',
      'b released',
    ]);
  });

  it('acquire of a free lock and release without waiters are not switch points', async () => {
    const events: string[] = [];
    const lock = new Lock();
    await runVirtual(function* () {
      const other = yield* newTask(
        (function* () {
          events.push('other 1');
          yield* sleep(0);
          events.push('other 2');
        })(),
      );
      expect(yield* lock.acquire()).toBe(true);
      events.push('acquired');
      yield* lock.release();
      events.push('released');
      yield* other.join();
    });
    expect(events).toEqual(['other 1', 'acquired', 'released', 'other 2']);
  });

  it('asyncWith releases the lock when the body raises', async () => {
    const lock = new Lock();
    const result = await runVirtual(function* () {
      return yield* outcome(
        asyncWith(lock, function* () {
          yield* sleep(1);
          throw new RangeError('boom');
        }),
      );
    });
    expect(result).toBe('RangeError');
    expect(lock.locked()).toBe(false);
  });

  it('a waiter that times out never holds the lock; the next waiter gets it', async () => {
    const events: string[] = [];
    const lock = new Lock();
    await runVirtual(function* () {
      yield* lock.acquire();
      const b = yield* newTask(outcome(lock.acquire({ timeout: 5 })));
      const c = yield* newTask(
        (function* () {
          yield* lock.acquire({ timeout: 50 });
          events.push('c holds');
          yield* lock.release();
        })(),
      );
      yield* sleep(10);
      events.push(`b: ${yield* b.join()}`);
      yield* lock.release();
      yield* c.join();
      events.push(`locked=${lock.locked()}`);
      // Timing out alone: the lock is free afterwards.
      yield* lock.acquire();
      const d = yield* newTask(outcome(lock.acquire({ timeout: 5 })));
      events.push(`d: ${yield* d.join()}`);
      yield* lock.release();
      events.push(`locked=${lock.locked()}`);
    });
    expect(events).toEqual([
      'b: TaskTimeout',
      'c holds',
      'locked=false',
      'd: TaskTimeout',
      'locked=false',
    ]);
  });

  it('a cancelled waiter never holds the lock', async () => {
    const lock = new Lock();
    await runVirtual(function* () {
      yield* lock.acquire();
      const b = yield* newTask(lock.acquire());
      expect(b.state).toBe('LOCK_ACQUIRE');
      yield* b.cancel();
      expect(b.excInfo).toBeInstanceOf(CancelledError);
      yield* lock.release();
      expect(lock.locked()).toBe(false);
    });
  });

  it('a waiter handed the lock and then cancelled still releases it through asyncWith', async () => {
    const events: string[] = [];
    const lock = new Lock();
    await runVirtual(function* () {
      yield* lock.acquire();
      const b = yield* newTask(
        (function* () {
          yield* asyncWith(lock, function* () {
            events.push('b holds');
            yield* sleep(10);
            events.push('b not cancelled?');
          });
        })(),
      );
      yield* lock.release(); // hands the lock to b, which runs before we continue
      events.push(`a cancels b, locked=${lock.locked()}`);
      yield* b.cancel();
      events.push(`b cancelled, locked=${lock.locked()}`);
    });
    expect(events).toEqual(['b holds', 'a cancels b, locked=true', 'b cancelled, locked=false']);
  });

  it('a waiter inside timeoutAfter that is handed the lock holds it', async () => {
    const lock = new Lock();
    await runVirtual(function* () {
      yield* lock.acquire();
      const b = yield* newTask(
        (function* () {
          yield* timeoutAfter(5, lock.acquire());
          return lock.locked();
        })(),
      );
      yield* lock.release();
      expect(yield* b.join()).toBe(true);
      expect(lock.locked()).toBe(true);
      yield* lock.release();
    });
  });

  it('releasing an unheld lock raises CurioError; bad options raise TypeError', async () => {
    const lock = new Lock();
    await runVirtual(function* () {
      let err: unknown;
      try {
        yield* lock.release();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CurioError);
      expect((err as Error).message).toBe('Lock.release: the lock is not held');
      expect(() => lock.acquire({ timeout: 'soon' as never }).next()).toThrow(
        'Lock.acquire(options): options.timeout must be a number of milliseconds >= 0 or null, got "soon"',
      );
      expect(() => lock.acquire(null as never).next()).toThrow(TypeError);
      expect(lock.locked()).toBe(false);
      yield* sleep(0);
    });
  });

  it('timeout null waits forever; a timeout of 0 on a held lock times out at once', async () => {
    const lock = new Lock();
    await runVirtual(function* () {
      yield* lock.acquire();
      const b = yield* newTask(lock.acquire({ timeout: null }));
      const c = yield* newTask(outcome(lock.acquire({ timeout: 0 })));
      expect(yield* c.join()).toBe('TaskTimeout');
      yield* sleep(1000);
      expect(b.state).toBe('LOCK_ACQUIRE');
      yield* lock.release();
      expect(yield* b.join()).toBe(true);
    });
  });
});
