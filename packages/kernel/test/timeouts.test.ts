import { describe, expect, it } from 'vitest';
import {
  futureWait,
  getKernel,
  ignoreAfter,
  KernelQueue,
  newTask,
  readWait,
  rescheduleTasks,
  sleep,
  TaskTimeout,
  timeoutAfter,
  waitOnQueue,
  writeWait,
} from '../src/index.js';
import { catching, vrun } from './helpers.js';

const never = { onReadable: () => () => {}, onWritable: () => () => {} };

describe('timeouts on every trap', () => {
  it('join times out with TaskTimeout; the task keeps running and can be joined again', async () => {
    const events: string[] = [];
    function* slow() {
      yield* sleep(100);
      events.push('slow done');
      return 'late';
    }
    function* main() {
      const k = yield* getKernel();
      const t = yield* newTask(slow());
      const err = yield* catching(t.join({ timeout: 30 }));
      events.push(`join: ${(err as Error).name} at ${k.selector.now()}, ${t.state}`);
      events.push(`joined ${yield* t.join()} at ${k.selector.now()}`);
    }
    await vrun(main());
    expect(events).toEqual(['join: TaskTimeout at 30, SLEEP', 'slow done', 'joined late at 100']);
  });

  it('waitOnQueue times out and leaves the queue', async () => {
    const kq = new KernelQueue();
    const events: string[] = [];
    function* main() {
      const err = yield* catching(waitOnQueue(kq, 'Q', { timeout: 5 }));
      events.push(`${(err as Error).name} queued=${kq.length}`);
      // A later wake finds nobody.
      events.push(`woke ${yield* rescheduleTasks(kq)}`);
    }
    await vrun(main());
    expect(events).toEqual(['TaskTimeout queued=0', 'woke 0']);
  });

  it('readWait, writeWait and futureWait all time out', async () => {
    function* main() {
      const errs = [
        yield* catching(readWait(never, { timeout: 1 })),
        yield* catching(writeWait(never, { timeout: 1 })),
        yield* catching(futureWait(new Promise(() => {}), { timeout: 1 })),
      ];
      return errs.map((e) => [(e as Error).name, (e as Error).message]);
    }
    expect(await vrun(main())).toEqual([
      ['TaskTimeout', 'READ_WAIT timed out'],
      ['TaskTimeout', 'WRITE_WAIT timed out'],
      ['TaskTimeout', 'FUTURE_WAIT timed out'],
    ]);
  });

  it('a timed-out task is left consistent: it can wait again and be woken', async () => {
    const kq = new KernelQueue();
    const events: string[] = [];
    function* waiter() {
      try {
        yield* waitOnQueue(kq, 'Q', { timeout: 10 });
      } catch (err) {
        events.push(`first wait: ${(err as Error).name}`);
      }
      events.push(`second wait got ${yield* waitOnQueue(kq, 'Q')}`);
    }
    function* main() {
      yield* newTask(waiter());
      yield* sleep(20);
      yield* rescheduleTasks(kq, { value: 'v' });
    }
    await vrun(main());
    expect(events).toEqual(['first wait: TaskTimeout', 'second wait got v']);
  });

  it('a wake that beats the timeout cancels the timer', async () => {
    const kq = new KernelQueue();
    const events: string[] = [];
    function* waiter() {
      events.push(`got ${yield* waitOnQueue(kq, 'Q', { timeout: 50 })}`);
      yield* sleep(100); // past the old deadline: no stray timeout
      events.push('slept past old deadline');
    }
    function* main() {
      yield* newTask(waiter());
      yield* sleep(10);
      yield* rescheduleTasks(kq, { value: 'early' });
    }
    await vrun(main());
    expect(events).toEqual(['got early', 'slept past old deadline']);
  });

  it('timeout: 0 times out unless already satisfied; null waits forever', async () => {
    function* main() {
      const a = yield* catching(futureWait(new Promise(() => {}), { timeout: 0 }));
      const b = yield* futureWait(Promise.resolve(7), { timeout: null });
      return [(a as Error).name, b];
    }
    expect(await vrun(main())).toEqual(['TaskTimeout', 7]);
  });
});

describe('timeoutAfter / ignoreAfter', () => {
  it('raises TaskTimeout at the blocking point after ms', async () => {
    const events: string[] = [];
    function* work() {
      try {
        yield* sleep(100);
      } finally {
        events.push('work cleanup');
      }
    }
    function* main() {
      const k = yield* getKernel();
      const err = yield* catching(timeoutAfter(20, work()));
      events.push(`${(err as Error).message} at ${k.selector.now()}`);
      return err instanceof TaskTimeout;
    }
    expect(await vrun(main())).toBe(true);
    expect(events).toEqual(['work cleanup', 'timeoutAfter: timed out after 20 ms at 20']);
  });

  it('returns the result when the work finishes in time', async () => {
    function* work() {
      yield* sleep(5);
      return 'done';
    }
    function* main() {
      const a = yield* timeoutAfter(20, work());
      yield* sleep(100); // the expired scope must not fire later
      return a;
    }
    expect(await vrun(main())).toBe('done');
  });

  it('ignoreAfter returns the default on timeout', async () => {
    function* main() {
      const a = yield* ignoreAfter(10, sleep(100));
      const b = yield* ignoreAfter(10, sleep(100), 'default');
      const c = yield* ignoreAfter(
        10,
        (function* () {
          return 'fast';
        })(),
        'default',
      );
      return [a, b, c];
    }
    expect(await vrun(main())).toEqual([undefined, 'default', 'fast']);
  });

  it('nested scopes: the outer deadline, when earlier, belongs to the outer scope', async () => {
    const events: string[] = [];
    function* inner() {
      try {
        yield* timeoutAfter(100, sleep(1000));
      } catch (err) {
        events.push(`inner saw ${(err as Error).name}`);
        throw err;
      }
    }
    function* main() {
      const k = yield* getKernel();
      const r = yield* ignoreAfter(10, inner(), 'outer expired');
      events.push(`${r} at ${k.selector.now()}`);
      // The inner scope, when earlier, is the inner one's.
      const r2 = yield* ignoreAfter(100, ignoreAfter(10, sleep(1000), 'inner'), 'outer');
      events.push(`${r2} at ${k.selector.now()}`);
    }
    await vrun(main());
    expect(events).toEqual(['inner saw TaskTimeout', 'outer expired at 10', 'inner at 20']);
  });

  it('a trap timeout inside a scope is the trap’s, not the scope’s', async () => {
    function* main() {
      const err = yield* catching(
        timeoutAfter(100, futureWait(new Promise(() => {}), { timeout: 5 })),
      );
      return (err as Error).message;
    }
    expect(await vrun(main())).toBe('FUTURE_WAIT timed out');
  });

  it('a body that swallows the timeout gets it again at its next blocking call', async () => {
    const events: string[] = [];
    function* stubborn() {
      try {
        yield* sleep(100);
      } catch {
        events.push('swallowed');
      }
      yield* sleep(0);
      events.push('never');
    }
    function* main() {
      const r = yield* ignoreAfter(10, stubborn(), 'timed out');
      events.push(r ?? 'none');
    }
    await vrun(main());
    expect(events).toEqual(['swallowed', 'timed out']);
  });

  it('bad input: negative or non-number ms, not a coroutine', async () => {
    function* main() {
      return [
        yield* catching(timeoutAfter(-1, sleep(1))),
        yield* catching(timeoutAfter('5' as never, sleep(1))),
        yield* catching(ignoreAfter(5, (() => {}) as never)),
      ].map((e) => `${(e as Error).name}: ${(e as Error).message}`);
    }
    expect(await vrun(main())).toEqual([
      'RangeError: timeoutAfter(ms): ms must be a finite number >= 0, got -1',
      'TypeError: timeoutAfter(ms): ms must be a finite number >= 0, got "5"',
      'TypeError: ignoreAfter(coro): coro must be a coroutine (the generator object returned by calling a function*), got function (anonymous) (a function: pass f(), the coroutine its call returns, not f)',
    ]);
  });

  it('cancellation passes through a timeout scope', async () => {
    const events: string[] = [];
    function* child() {
      try {
        yield* timeoutAfter(1000, sleep(500));
      } catch (err) {
        events.push(`child ${(err as Error).name}`);
        throw err;
      }
    }
    function* main() {
      const t = yield* newTask(child());
      yield* sleep(10);
      yield* t.cancel();
      yield* sleep(2000); // no stray scope timer fires in the dead task
      events.push('main done');
    }
    await vrun(main());
    expect(events).toEqual(['child CancelledError', 'main done']);
  });
});
