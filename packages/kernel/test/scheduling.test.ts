import { describe, expect, it } from 'vitest';
import {
  currentTask,
  getKernel,
  KernelQueue,
  newTask,
  rescheduleTasks,
  sleep,
  type Task,
  waitOnQueue,
} from '../src/index.js';
import { catching, vrun } from './helpers.js';

describe('scheduling rules', () => {
  it('newTask returns after the child ran one cycle', async () => {
    const events: string[] = [];
    function* child() {
      events.push('child start');
      yield* sleep(10);
      events.push('child end');
    }
    function* parent() {
      const t = yield* newTask(child());
      events.push('parent after spawn');
      yield* t.join();
      events.push('parent joined');
    }
    await vrun(parent());
    expect(events).toEqual(['child start', 'parent after spawn', 'child end', 'parent joined']);
  });

  it('runs ready tasks first in, first out; sleep(0) goes to the back', async () => {
    const events: string[] = [];
    function* worker(name: string) {
      for (let i = 0; i < 3; i++) {
        events.push(`${name}${i}`);
        yield* sleep(0);
      }
    }
    function* main() {
      const a = yield* newTask(worker('a'));
      const b = yield* newTask(worker('b'));
      const c = yield* newTask(worker('c'));
      yield* a.join();
      yield* b.join();
      yield* c.join();
    }
    await vrun(main());
    expect(events).toEqual(['a0', 'a1', 'b0', 'a2', 'b1', 'c0', 'b2', 'c1', 'c2']);
  });

  it('rescheduleTasks wakes n waiters in order, then the caller behind them', async () => {
    const events: string[] = [];
    const kq = new KernelQueue();
    function* waiter(name: string) {
      const v = yield* waitOnQueue<string>(kq, 'TEST_WAIT');
      events.push(`${name} got ${v}`);
    }
    function* main() {
      for (const n of ['w1', 'w2', 'w3']) yield* newTask(waiter(n));
      expect(kq.length).toBe(3);
      expect([...kq].map((t) => t.state)).toEqual(['TEST_WAIT', 'TEST_WAIT', 'TEST_WAIT']);
      const woken = yield* rescheduleTasks(kq, { n: 2, value: 'x' });
      events.push(`main woke ${woken}`);
      yield* rescheduleTasks(kq, { n: 5, value: 'y' });
      events.push('main done');
    }
    await vrun(main());
    expect(events).toEqual(['w1 got x', 'w2 got x', 'main woke 2', 'w3 got y', 'main done']);
  });

  it('rescheduleTasks can wake with an error', async () => {
    const kq = new KernelQueue();
    const events: string[] = [];
    function* waiter() {
      try {
        yield* waitOnQueue(kq, 'W');
      } catch (err) {
        events.push(`raised ${(err as Error).message}`);
      }
    }
    function* main() {
      yield* newTask(waiter());
      yield* rescheduleTasks(kq, { exc: new Error('boom') });
      yield* sleep(0);
      events.push('main');
    }
    await vrun(main());
    expect(events).toEqual(['raised boom', 'main']);
  });

  it('tasks whose deadlines passed together are all made ready, earliest first', async () => {
    const events: string[] = [];
    function* sleeper(name: string, ms: number) {
      yield* sleep(ms);
      events.push(name);
      yield* sleep(0);
      events.push(`${name} again`);
    }
    function* main() {
      yield* newTask(sleeper('c', 30));
      yield* newTask(sleeper('a', 10));
      yield* newTask(sleeper('b', 20));
      // Busy past every deadline without blocking on time.
      const kernel = yield* getKernel();
      const start = kernel.selector.now();
      while (kernel.selector.now() - start < 50) yield* sleep(1);
    }
    await vrun(main());
    expect(events).toEqual(['a', 'a again', 'b', 'b again', 'c', 'c again']);
  });

  it('equal deadlines wake in the order the sleeps began', async () => {
    const events: string[] = [];
    function* sleeper(name: string) {
      yield* sleep(10);
      events.push(name);
    }
    function* main() {
      for (const n of ['x', 'y', 'z']) yield* newTask(sleeper(n));
    }
    await vrun(main());
    expect(events).toEqual(['x', 'y', 'z']);
  });

  it('joining a task that has ended answers at once: no switch, no cancellation point (as curio)', async () => {
    const events: string[] = [];
    function* quick(v: number) {
      events.push(`quick ${v}`);
      if (v < 0) throw new Error('negative');
      return v;
    }
    function* other() {
      events.push('other 0');
      yield* sleep(0);
      events.push('other 1');
      yield* sleep(0);
      events.push('other 2');
    }
    function* canceller(target: Task) {
      yield* target.cancel();
      events.push('canceller done');
    }
    function* main() {
      const ok = yield* newTask(quick(1));
      const bad = yield* newTask(quick(-1), { name: 'bad' });
      yield* newTask(other());
      events.push(`joined ${yield* ok.join()}`);
      const err = (yield* catching(bad.join())) as Error;
      events.push(`joined ${err.name}: ${err.message}`);
      yield* newTask(canceller(yield* currentTask()));
      events.push(`joined ${yield* ok.join({ timeout: 0 })} with a cancel pending`);
      try {
        yield* sleep(0);
      } catch (err) {
        events.push(`sleep: ${(err as Error).name}`);
      }
    }
    await vrun(main(), { logErrors: false });
    expect(events).toEqual([
      'quick 1',
      'quick -1',
      'other 0',
      'joined 1',
      'joined TaskError: bad failed: Error: negative',
      'other 1',
      'joined 1 with a cancel pending',
      'other 2',
      'sleep: CancelledError',
      'canceller done',
    ]);
  });

  it('currentTask and getKernel answer without a task switch', async () => {
    const events: string[] = [];
    function* other() {
      events.push('other');
    }
    function* main() {
      const me = yield* currentTask();
      yield* newTask(other());
      const again = yield* currentTask();
      events.push(`same ${me === again}`);
      events.push(`kernel ${(yield* getKernel()).tasks.has(me.id)}`);
    }
    await vrun(main());
    expect(events).toEqual(['other', 'same true', 'kernel true']);
  });

  it('virtual time jumps straight to the next deadline', async () => {
    function* main() {
      const kernel = yield* getKernel();
      yield* sleep(60_000);
      const a = kernel.selector.now();
      yield* sleep(1);
      return [a, kernel.selector.now()];
    }
    expect(await vrun(main())).toEqual([60_000, 60_001]);
  });
});
