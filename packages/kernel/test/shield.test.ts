import { describe, expect, it } from 'vitest';
import {
  disableCancellation,
  getKernel,
  ignoreAfter,
  KernelQueue,
  newTask,
  rescheduleTasks,
  sleep,
  waitOnQueue,
} from '../src/index.js';
import { catching, vrun } from './helpers.js';

describe('disableCancellation', () => {
  it('holds a cancel back until the block ends, then delivers it at the next blocking call', async () => {
    const events: string[] = [];
    function* child() {
      yield* disableCancellation(
        (function* () {
          yield* sleep(50);
          events.push('shielded sleep finished');
          yield* sleep(0);
          events.push('still shielded');
        })(),
      );
      events.push('after block');
      try {
        yield* sleep(10);
      } catch (err) {
        events.push(`then ${(err as Error).name}`);
        throw err;
      }
    }
    function* main() {
      const k = yield* getKernel();
      const t = yield* newTask(child());
      yield* sleep(10);
      yield* t.cancel();
      events.push(`cancel returned at ${k.selector.now()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'shielded sleep finished',
      'still shielded',
      'after block',
      'then CancelledError',
      'cancel returned at 50',
    ]);
  });

  it('holds back an expired timeoutAfter deadline; the scope raises after the block', async () => {
    const events: string[] = [];
    function* body() {
      try {
        yield* sleep(100);
      } finally {
        // Cleanup that must block, inside an expired scope.
        yield* disableCancellation(sleep(30));
        events.push('cleanup done');
      }
    }
    function* main() {
      const k = yield* getKernel();
      const r = yield* ignoreAfter(10, body(), 'timed out');
      events.push(`${r} at ${k.selector.now()}`);
    }
    await vrun(main());
    expect(events).toEqual(['cleanup done', 'timed out at 40']);
  });

  it('a call’s own timeout still applies inside', async () => {
    const kq = new KernelQueue();
    function* main() {
      const err = yield* catching(disableCancellation(waitOnQueue(kq, 'Q', { timeout: 5 })));
      return (err as Error).name;
    }
    expect(await vrun(main())).toBe('TaskTimeout');
  });

  it('a shielded waiter woken normally keeps its value; nesting works', async () => {
    const kq = new KernelQueue();
    const events: string[] = [];
    function* waiter() {
      const v = yield* disableCancellation(disableCancellation(waitOnQueue(kq, 'Q')));
      events.push(`got ${v}`);
      yield* sleep(0);
      events.push('not reached');
    }
    function* main() {
      const t = yield* newTask(waiter());
      const canceller = yield* newTask(t.cancel());
      yield* sleep(5);
      events.push(`waiter ${t.state}`);
      yield* rescheduleTasks(kq, { value: 'v' });
      yield* canceller.join();
      events.push(`waiter ended ${(t.excInfo as Error).name}`);
    }
    await vrun(main());
    expect(events).toEqual(['waiter Q', 'got v', 'waiter ended CancelledError']);
  });

  it('timeoutAfter inside a shield still times its own body out', async () => {
    function* main() {
      return yield* disableCancellation(ignoreAfter(5, sleep(100), 'inner timeout'));
    }
    expect(await vrun(main())).toBe('inner timeout');
  });

  it('bad input: not a coroutine', async () => {
    function* main() {
      return (yield* catching(disableCancellation(5 as never))) as Error;
    }
    expect((await vrun(main())).message).toMatch(
      /^disableCancellation\(coro\): coro must be a coroutine/,
    );
  });

  it('shutdown still ends a shielded task that would wait forever', async () => {
    const kq = new KernelQueue();
    const events: string[] = [];
    function* stuck() {
      try {
        yield* disableCancellation(waitOnQueue(kq, 'FOREVER'));
      } catch (err) {
        events.push(`stuck ${(err as Error).name}`);
      }
    }
    function* main() {
      yield* newTask(stuck(), { daemon: true });
      yield* sleep(1);
    }
    await vrun(main());
    expect(events).toEqual(['stuck CancelledError']);
  });
});
