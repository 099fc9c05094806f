import { asyncWith, CancelledError, CurioError, newTask, sleep, type Task } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { BoundedSemaphore, Semaphore } from '../src/index.js';
import { outcome, runVirtual } from './helpers.js';

describe('Semaphore', () => {
  it('lets value tasks in at a time, the rest first come, first served', async () => {
    const events: string[] = [];
    const sema = new Semaphore(2);
    function* worker(name: string) {
      yield* asyncWith(sema, function* () {
        events.push(`${name} in (value ${sema.value})`);
        yield* sleep(10);
        events.push(`${name} out`);
      });
    }
    await runVirtual(function* () {
      const tasks = [];
      for (const name of ['a', 'b', 'c', 'd']) tasks.push(yield* newTask(worker(name)));
      expect(sema.locked()).toBe(true);
      for (const t of tasks) yield* t.join();
    });
    expect(sema.value).toBe(2);
    expect(sema.locked()).toBe(false);
    expect(events).toEqual([
      'a in (value 1)',
      'b in (value 0)',
      'a out',
      'b out',
      'c in (value 0)',
      'd in (value 0)',
      'c out',
      'd out',
    ]);
  });

  it('release hands the permit to the first waiter (a switch point); without waiters it does not switch', async () => {
    const events: string[] = [];
    const sema = new Semaphore(0);
    await runVirtual(function* () {
      const w = yield* newTask(
        (function* () {
          yield* sema.acquire();
          events.push(`waiter got it, value ${sema.value}`);
        })(),
      );
      yield* sema.release();
      events.push(`after handing over, value ${sema.value}`);
      yield* w.join();
      const other = yield* newTask(
        (function* () {
          events.push('other 1');
          yield* sleep(0);
          events.push('other 2');
        })(),
      );
      yield* sema.release();
      events.push(`released, value ${sema.value}`);
      yield* other.join();
    });
    expect(events).toEqual([
      'waiter got it, value 0',
      'after handing over, value 0',
      'other 1',
      'released, value 1',
      'other 2',
    ]);
  });

  it('a waiter that times out or is cancelled takes no permit and none is lost', async () => {
    const sema = new Semaphore(1);
    await runVirtual(function* () {
      yield* sema.acquire();
      const timedOut = yield* newTask(outcome(sema.acquire({ timeout: 5 })));
      const cancelled = yield* newTask(sema.acquire());
      expect(cancelled.state).toBe('SEMA_ACQUIRE');
      expect(yield* timedOut.join()).toBe('TaskTimeout');
      yield* cancelled.cancel();
      expect(cancelled.excInfo).toBeInstanceOf(CancelledError);
      yield* sema.release();
      expect(sema.value).toBe(1);
      const late = yield* newTask(sema.acquire({ timeout: 5 }));
      expect(yield* late.join()).toBe(true);
      expect(sema.value).toBe(0);
    });
  });

  it('asyncWith gives the permit back when the body raises', async () => {
    const sema = new Semaphore(1);
    const events: string[] = [];
    await runVirtual(function* () {
      let waiter: Task | undefined;
      const r = yield* outcome(
        asyncWith(sema, function* () {
          waiter = yield* newTask(
            asyncWith(sema, function* () {
              events.push('waiter has the permit');
            }),
          );
          events.push(`waiter: ${waiter.state}`);
          throw new RangeError('boom');
        }),
      );
      events.push(r);
      yield* (waiter as Task).join();
    });
    expect(events).toEqual(['waiter: SEMA_ACQUIRE', 'waiter has the permit', 'RangeError']);
    expect(sema.value).toBe(1);
  });

  it('rejects a bad initial value naming the argument', () => {
    expect(() => new Semaphore(-1)).toThrow(
      new RangeError('Semaphore(value): value must be an integer >= 0, got -1'),
    );
    expect(() => new Semaphore('x' as never)).toThrow(
      new TypeError('Semaphore(value): value must be an integer >= 0, got "x"'),
    );
    expect(() => new Semaphore(1.5)).toThrow(RangeError);
    expect(() => new BoundedSemaphore(Number.NaN)).toThrow(
      'BoundedSemaphore(value): value must be an integer >= 0, got NaN',
    );
    expect(new Semaphore().value).toBe(1);
  });

  it('rejects bad acquire options', async () => {
    await runVirtual(function* () {
      expect(() => new Semaphore().acquire({ timeout: -5 }).next()).toThrow(
        'Semaphore.acquire(options): options.timeout must be a number of milliseconds >= 0 or null, got -5',
      );
      expect(() => new BoundedSemaphore().acquire(7 as never).next()).toThrow(
        'BoundedSemaphore.acquire(options): options must be an object like { timeout }, got 7',
      );
      yield* sleep(0);
    });
  });
});

describe('BoundedSemaphore', () => {
  it('acquires and releases like a Semaphore', async () => {
    const sema = new BoundedSemaphore(2);
    const events: string[] = [];
    await runVirtual(function* () {
      yield* sema.acquire();
      yield* sema.acquire();
      const w = yield* newTask(
        (function* () {
          yield* asyncWith(sema, function* () {
            events.push('waiter in');
          });
        })(),
      );
      yield* sema.release();
      yield* w.join();
      yield* sema.release();
      events.push(`value ${sema.value} bound ${sema.bound}`);
    });
    expect(events).toEqual(['waiter in', 'value 2 bound 2']);
  });

  it('raises CurioError when released past its initial value', async () => {
    const sema = new BoundedSemaphore(1);
    await runVirtual(function* () {
      let err: unknown;
      try {
        yield* sema.release();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CurioError);
      expect((err as Error).message).toBe(
        'BoundedSemaphore.release: released too many times (value would exceed its initial value 1)',
      );
      expect(sema.value).toBe(1);
    });
  });
});
