import {
  asyncWith,
  CancelledError,
  type Coro,
  CurioError,
  getKernel,
  newTask,
  sleep,
  timeoutAfter,
} from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { BoundedSemaphore, Condition, Lock } from '../src/index.js';
import { outcome, runVirtual } from './helpers.js';

describe('Condition', () => {
  it('runs the manual producer-consumer: wait releases the lock, notify wakes a waiter', async () => {
    const events: string[] = [];
    const items: number[] = [];
    const cond = new Condition();
    function* consumer() {
      for (let got = 0; got < 3; got++) {
        yield* asyncWith(cond, function* () {
          while (items.length === 0) {
            events.push('consumer waits');
            yield* cond.wait();
          }
          events.push(`got ${items.shift()}`);
        });
      }
    }
    function* producer() {
      for (let n = 0; n < 3; n++) {
        yield* asyncWith(cond, function* () {
          items.push(n);
          events.push(`put ${n}`);
          yield* cond.notify();
        });
        yield* sleep(1);
      }
    }
    await runVirtual(function* () {
      const c = yield* newTask(consumer());
      const p = yield* newTask(producer());
      yield* p.join();
      yield* c.join();
    });
    expect(cond.locked()).toBe(false);
    expect(events).toEqual([
      'consumer waits',
      'put 0',
      'got 0',
      'consumer waits',
      'put 1',
      'got 1',
      'consumer waits',
      'put 2',
      'got 2',
    ]);
  });

  it('notify(n) wakes the first n waiters in order; notifyAll the rest; both are switch points', async () => {
    const events: string[] = [];
    const cond = new Condition();
    function* waiter(name: string) {
      yield* asyncWith(cond, function* () {
        yield* cond.wait();
        events.push(`${name} woke`);
      });
    }
    await runVirtual(function* () {
      const tasks = [];
      for (const name of ['a', 'b', 'c', 'd']) tasks.push(yield* newTask(waiter(name)));
      yield* asyncWith(cond, function* () {
        yield* cond.notify(0);
        events.push('notified 0');
        yield* cond.notify(2);
        events.push('notified 2');
      });
      yield* sleep(1);
      yield* asyncWith(cond, function* () {
        yield* cond.notifyAll();
        events.push('notified all');
        yield* cond.notifyAll();
        events.push('notified nobody');
      });
      for (const t of tasks) yield* t.join();
    });
    expect(events).toEqual([
      'notified 0',
      'notified 2',
      'a woke',
      'b woke',
      'notified all',
      'notified nobody',
      'c woke',
      'd woke',
    ]);
  });

  it('wait raises TaskTimeout with the lock held again; the lock was free meanwhile', async () => {
    const events: string[] = [];
    const cond = new Condition();
    await runVirtual(function* () {
      const other = yield* newTask(
        (function* () {
          yield* sleep(1);
          yield* asyncWith(cond, function* () {
            events.push('other holds the lock');
            yield* sleep(20);
            events.push('other releases');
          });
        })(),
      );
      yield* asyncWith(cond, function* () {
        try {
          yield* cond.wait({ timeout: 10 });
        } catch (err) {
          events.push(`${(err as Error).name}, locked=${cond.locked()}`);
        }
      });
      yield* other.join();
    });
    expect(events).toEqual(['other holds the lock', 'other releases', 'TaskTimeout, locked=true']);
    expect(cond.locked()).toBe(false);
  });

  it('a cancelled wait re-acquires the lock before raising', async () => {
    const events: string[] = [];
    const cond = new Condition();
    await runVirtual(function* () {
      const waiter = yield* newTask(
        (function* () {
          yield* asyncWith(cond, function* () {
            try {
              yield* cond.wait();
            } catch (err) {
              events.push(`waiter ${(err as Error).name}, locked=${cond.locked()}`);
              throw err;
            }
          });
        })(),
      );
      yield* cond.acquire();
      events.push('main holds the lock, cancels');
      const canceller = yield* newTask(waiter.cancel());
      yield* sleep(10);
      events.push('main releases');
      yield* cond.release();
      yield* canceller.join();
      expect(waiter.excInfo).toBeInstanceOf(CancelledError);
    });
    expect(events).toEqual([
      'main holds the lock, cancels',
      'main releases',
      'waiter CancelledError, locked=true',
    ]);
    expect(cond.locked()).toBe(false);
  });

  describe('re-acquires the lock before raising, waiting quietly while another task holds it', () => {
    // B takes the lock at t=1 and keeps it until t=16; A waits on the condition meanwhile.
    function* holder(cond: Condition, log: (event: string) => Coro<void>) {
      yield* sleep(1);
      yield* asyncWith(cond, function* () {
        yield* log('B holds the lock');
        yield* sleep(15);
        yield* log('B releases');
      });
    }

    function recorder(events: string[]) {
      return function* (event: string): Coro<void> {
        events.push(`${(yield* getKernel()).selector.now()}: ${event}`);
      };
    }

    it('an enclosing timeoutAfter that expires while waiting', async () => {
      const events: string[] = [];
      const log = recorder(events);
      const cond = new Condition();
      await runVirtual(function* () {
        const b = yield* newTask(holder(cond, log));
        yield* asyncWith(cond, function* () {
          const result = yield* outcome(timeoutAfter(5, cond.wait()));
          yield* log(`A: ${result}, locked=${cond.locked()}`);
        });
        yield* b.join();
      });
      expect(events).toEqual([
        '1: B holds the lock',
        '16: B releases',
        '16: A: TaskTimeout, locked=true',
      ]);
      expect(cond.locked()).toBe(false);
    });

    it('a wait({ timeout }) inside an expired timeoutAfter', async () => {
      const events: string[] = [];
      const log = recorder(events);
      const cond = new Condition();
      await runVirtual(function* () {
        const b = yield* newTask(holder(cond, log));
        yield* asyncWith(cond, function* () {
          const result = yield* outcome(timeoutAfter(5, cond.wait({ timeout: 100 })));
          yield* log(`A: ${result}, locked=${cond.locked()}`);
        });
        yield* b.join();
      });
      expect(events).toEqual([
        '1: B holds the lock',
        '16: B releases',
        '16: A: TaskTimeout, locked=true',
      ]);
    });

    it('a cancellation while waiting', async () => {
      const events: string[] = [];
      const log = recorder(events);
      const cond = new Condition();
      await runVirtual(function* () {
        const b = yield* newTask(holder(cond, log));
        const a = yield* newTask(
          (function* () {
            yield* asyncWith(cond, function* () {
              try {
                yield* cond.wait();
              } catch (err) {
                yield* log(`A: ${(err as Error).name}, locked=${cond.locked()}`);
                throw err;
              }
            });
          })(),
        );
        yield* sleep(5);
        yield* log('cancel A');
        yield* a.cancel();
        yield* log('A cancelled');
        yield* b.join();
      });
      expect(events).toEqual([
        '1: B holds the lock',
        '5: cancel A',
        '16: B releases',
        '16: A: CancelledError, locked=true',
        '16: A cancelled',
      ]);
      expect(cond.locked()).toBe(false);
    });

    it('a cancellation after the notify, while re-acquiring: wait returns, the next blocking call raises', async () => {
      const events: string[] = [];
      const log = recorder(events);
      const cond = new Condition();
      await runVirtual(function* () {
        const a = yield* newTask(
          (function* () {
            yield* asyncWith(cond, function* () {
              yield* cond.wait();
              yield* log(`A: woken, locked=${cond.locked()}`);
              yield* log(`A: sleep ${yield* outcome(sleep(1))}`);
            });
          })(),
        );
        yield* sleep(1);
        const canceller = yield* asyncWith(cond, function* () {
          yield* cond.notify();
          yield* log('B notified, holds the lock');
          const task = yield* newTask(a.cancel());
          yield* sleep(10);
          yield* log('B releases');
          return task;
        });
        yield* canceller.join();
        yield* log('A cancelled');
      });
      expect(events).toEqual([
        '1: B notified, holds the lock',
        '11: B releases',
        '11: A: woken, locked=true',
        '11: A: sleep CancelledError',
        '11: A cancelled',
      ]);
      expect(cond.locked()).toBe(false);
    });
  });

  it('waitFor returns the truthy predicate value, checking it after every wake-up', async () => {
    const events: string[] = [];
    let count = 0;
    const cond = new Condition();
    await runVirtual(function* () {
      const waiter = yield* newTask(
        (function* () {
          return yield* asyncWith(cond, function* () {
            return yield* cond.waitFor(() => {
              events.push(`check ${count}`);
              return count >= 2 ? `count is ${count}` : false;
            });
          });
        })(),
      );
      for (let i = 0; i < 2; i++) {
        yield* asyncWith(cond, function* () {
          count++;
          yield* cond.notifyAll();
        });
      }
      events.push(yield* waiter.join());
    });
    expect(events).toEqual(['check 0', 'check 1', 'check 2', 'count is 2']);
  });

  it('waitFor timeout bounds the whole wait and raises with the lock held', async () => {
    const cond = new Condition();
    let ticks = 0;
    const result = await runVirtual(function* () {
      const ticker = yield* newTask(
        (function* () {
          for (let i = 0; i < 10; i++) {
            yield* sleep(4);
            yield* asyncWith(cond, function* () {
              ticks++;
              yield* cond.notify();
            });
          }
        })(),
      );
      const r = yield* asyncWith(cond, function* () {
        const r = yield* outcome(cond.waitFor(() => ticks >= 100, { timeout: 10 }));
        return `${r} after ${ticks} ticks, locked=${cond.locked()}`;
      });
      yield* ticker.join();
      return r;
    });
    expect(result).toBe('TaskTimeout after 2 ticks, locked=true');
  });

  it('a cancelled waitFor raises CancelledError with the lock held', async () => {
    const cond = new Condition();
    await runVirtual(function* () {
      const waiter = yield* newTask(
        asyncWith(cond, function* () {
          try {
            yield* cond.waitFor(() => false);
          } finally {
            expect(cond.locked()).toBe(true);
          }
        }),
      );
      yield* waiter.cancel();
      expect(waiter.excInfo).toBeInstanceOf(CancelledError);
      expect(cond.locked()).toBe(false);
    });
  });

  it('acquire times out and is cancellable like its lock', async () => {
    const lock = new Lock();
    const cond = new Condition(lock);
    await runVirtual(function* () {
      yield* cond.acquire();
      expect(lock.locked()).toBe(true);
      const t = yield* newTask(outcome(cond.acquire({ timeout: 5 })));
      expect(yield* t.join()).toBe('TaskTimeout');
      const c = yield* newTask(cond.acquire());
      yield* c.cancel();
      yield* cond.release();
      expect(cond.locked()).toBe(false);
      expect(yield* cond.acquire()).toBe(true);
      yield* cond.release();
    });
  });

  it('asyncWith releases the lock when the body raises', async () => {
    const cond = new Condition();
    const result = await runVirtual(function* () {
      return yield* outcome(
        asyncWith(cond, function* () {
          yield* cond.notify();
          throw new RangeError('boom');
        }),
      );
    });
    expect(result).toBe('RangeError');
    expect(cond.locked()).toBe(false);
  });

  it('works over any lock-shaped object, such as a BoundedSemaphore', async () => {
    const cond = new Condition(new BoundedSemaphore(1));
    const events: string[] = [];
    await runVirtual(function* () {
      const w = yield* newTask(
        asyncWith(cond, function* () {
          yield* cond.wait();
          events.push('woke');
        }),
      );
      yield* asyncWith(cond, function* () {
        yield* cond.notify();
      });
      yield* w.join();
    });
    expect(events).toEqual(['woke']);
  });

  it('rejects a bad lock, bad arguments, and wait/notify without the lock', async () => {
    expect(() => new Condition(5 as never)).toThrow(
      new TypeError(
        'Condition(lock): lock must be a Lock (with acquire, release and locked), got 5',
      ),
    );
    expect(() => new Condition({ acquire() {} } as never)).toThrow(TypeError);
    const cond = new Condition();
    await runVirtual(function* () {
      expect(yield* outcome(cond.wait())).toBe('CurioError');
      expect(() => cond.wait().next()).toThrow(
        new CurioError('Condition.wait: the lock is not held (acquire it first)'),
      );
      expect(() => cond.notify().next()).toThrow(
        'Condition.notify: the lock is not held (acquire it first)',
      );
      expect(() => cond.notifyAll().next()).toThrow(CurioError);
      expect(yield* outcome(cond.release())).toBe('CurioError');
      yield* cond.acquire();
      expect(() => cond.notify(-1).next()).toThrow(
        'Condition.notify(n): n must be an integer >= 0, got -1',
      );
      expect(() => cond.waitFor('x' as never).next()).toThrow(
        'Condition.waitFor(predicate): predicate must be a function, got "x"',
      );
      expect(() => cond.wait({ timeout: -1 }).next()).toThrow(RangeError);
      expect(() => cond.acquire({ timeout: 'x' as never }).next()).toThrow(TypeError);
      expect(() => cond.waitFor(() => false, { timeout: 'x' as never }).next()).toThrow(TypeError);
      yield* cond.release();
    });
  });
});
