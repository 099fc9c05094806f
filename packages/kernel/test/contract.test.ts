import { describe, expect, it } from 'vitest';
import {
  type Coro,
  disableCancellation,
  futureWait,
  getKernel,
  KernelQueue,
  newTask,
  type RescheduleOptions,
  rescheduleTasks,
  sleep,
  waitOnQueue,
} from '../src/index.js';
import { catching, vrun } from './helpers.js';

// The contract between the kernel and the packages built on its public traps (@curio/sync,
// @curio/queue), and the rule every wait follows: it ends exactly once.

describe('the kernel contract for packages built on it', () => {
  it('rescheduleTasks is never a cancellation point: a pending cancel waits for a blocking call', async () => {
    const events: string[] = [];
    const kq = new KernelQueue();
    function* waiter(name: string): Coro<void> {
      events.push(`${name} woke with ${yield* waitOnQueue(kq, 'W')}`);
    }
    function* handOff(): Coro<void> {
      // Held back while the cancel arrives, then hands over through a SWITCH trap.
      yield* disableCancellation(sleep(10));
      events.push(`handed ${yield* rescheduleTasks(kq, { n: 2, value: 'item' })}`);
      try {
        yield* sleep(0);
      } catch (err) {
        events.push(`handOff ${(err as Error).name} at its next blocking call`);
        throw err;
      }
    }
    function* main() {
      yield* newTask(waiter('a'));
      yield* newTask(waiter('b'));
      const t = yield* newTask(handOff());
      yield* t.cancel();
      events.push('cancel done');
    }
    await vrun(main());
    expect(events).toEqual([
      'a woke with item',
      'b woke with item',
      'handed 2',
      'handOff CancelledError at its next blocking call',
      'cancel done',
    ]);
  });

  it('rescheduleTasks reads its options when handled, so one options object can be reused', async () => {
    const got: unknown[] = [];
    const kq = new KernelQueue();
    const options: RescheduleOptions = { n: 1, value: undefined };
    function* waiter(): Coro<void> {
      got.push(yield* waitOnQueue(kq, 'W'));
    }
    function* main() {
      for (let i = 0; i < 3; i++) yield* newTask(waiter());
      for (const value of ['x', 'y', 'z']) {
        options.value = value;
        yield* rescheduleTasks(kq, options);
        options.value = 'changed after the call';
      }
      yield* sleep(0);
    }
    await vrun(main());
    expect(got).toEqual(['x', 'y', 'z']);
  });
});

describe('exactly one wake per wait', () => {
  it('a second wake of a wait that ended is a kernel bug, reported in tests (test/setup.ts)', async () => {
    const kq = new KernelQueue();
    function* main() {
      const t = yield* newTask(waitOnQueue(kq, 'W'), { name: 'waiter' });
      const kernel = yield* getKernel();
      const first = kernel._wake(t, kq, 1);
      let second = 'no error';
      try {
        kernel._wake(t, kq, 2);
      } catch (err) {
        second = (err as Error).message;
      }
      return [first, second, yield* t.join()];
    }
    expect(await vrun(main())).toEqual([
      true,
      'curio internal error: waiter woken by a wait it is not in (READY)',
      1,
    ]);
  });

  it('a promise that settles after its wait timed out is ignored: no second wake', async () => {
    const events: string[] = [];
    let resolveLate!: (v: string) => void;
    const late = new Promise<string>((r) => (resolveLate = r));
    function* main() {
      const err = yield* catching(futureWait(late, { timeout: 5 }));
      events.push((err as Error).name);
      resolveLate('too late');
      // The task waits on something else now; the late settle must not resume it.
      events.push(
        `then got ${yield* futureWait(new Promise((r) => setTimeout(() => r('on time'), 5)))}`,
      );
    }
    await vrun(main());
    expect(events).toEqual(['TaskTimeout', 'then got on time']);
  });
});
