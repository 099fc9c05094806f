import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  CurioError,
  currentTask,
  futureWait,
  getKernel,
  Kernel,
  KernelQueue,
  newTask,
  readWait,
  rescheduleTasks,
  sleep,
  type Task,
  TaskError,
  TaskTimeout,
  VirtualTimeSelector,
  waitOnQueue,
} from '../src/index.js';
import { catching, sleepRecording, vrun } from './helpers.js';

describe('cancellation', () => {
  it('a sleeping task gets CancelledError at its sleep; cancel waits for it to end', async () => {
    const events: string[] = [];
    function* child() {
      events.push('child sleeping');
      try {
        yield* sleep(1000);
      } catch (err) {
        events.push(`child caught ${(err as Error).name}`);
        yield* sleep(5); // cleanup may block
        events.push('child cleaned up');
        throw err;
      }
    }
    function* main() {
      const t = yield* newTask(child());
      events.push('cancelling');
      yield* t.cancel();
      events.push(`cancelled, state ${t.state}`);
      const err = yield* catching(t.join());
      events.push(
        `join: ${(err as TaskError).name} cause ${((err as TaskError).cause as Error).name}`,
      );
    }
    await vrun(main());
    expect(events).toEqual([
      'child sleeping',
      'cancelling',
      'child caught CancelledError',
      'child cleaned up',
      'cancelled, state TERMINATED',
      'join: TaskError cause CancelledError',
    ]);
  });

  it('a task woken but not yet resumed gets the cancel at its next blocking call', async () => {
    const events: string[] = [];
    const kq = new KernelQueue();
    function* child() {
      const v = yield* waitOnQueue(kq, 'W');
      events.push(`child woke with ${v}`);
      try {
        yield* sleep(10);
      } catch (err) {
        events.push(`child ${(err as Error).name} at next block`);
        throw err;
      }
    }
    function* waker() {
      yield* rescheduleTasks(kq, { value: 'item' });
    }
    function* main() {
      const t = yield* newTask(child());
      // The waker wakes the child (ready with a value); main runs before the child resumes.
      yield* newTask(waker());
      events.push(`child state ${t.state}`);
      yield* t.cancel();
      events.push('cancel done');
    }
    await vrun(main());
    expect(events).toEqual([
      'child state READY',
      'child woke with item',
      'child CancelledError at next block',
      'cancel done',
    ]);
  });

  it('a task added but never run starts, then is cancelled at its first blocking call', async () => {
    const events: string[] = [];
    function* child() {
      events.push('child runs its first step');
      yield* sleep(10);
      events.push('never');
    }
    const kernel = new Kernel({ selector: new VirtualTimeSelector() });
    const tasks: Task[] = [];
    function* main() {
      events.push(`child state ${tasks[0]!.state}`);
      yield* tasks[0]!.cancel();
      events.push(`child ${(tasks[0]!.excInfo as Error).name}`);
    }
    kernel.addTask(main());
    tasks.push(kernel.addTask(child()));
    await kernel.run(undefined, { logErrors: false });
    await kernel.shutdown();
    expect(events).toEqual([
      'child state READY',
      'child runs its first step',
      'child CancelledError',
    ]);
  });

  it('cancels a task that is joining another', async () => {
    const events: string[] = [];
    function* slow() {
      yield* sleep(100);
      events.push('slow done');
      return 1;
    }
    function* joiner(t: Task) {
      try {
        yield* t.join();
      } catch (err) {
        events.push(`joiner ${(err as Error).name} while ${'TASK_JOIN'}`);
        throw err;
      }
    }
    function* main() {
      const s = yield* newTask(slow());
      const j = yield* newTask(joiner(s));
      events.push(`joiner state ${j.state}`);
      yield* j.cancel();
      events.push(`slow still ${s.state}`);
      events.push(`slow result ${yield* s.join()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'joiner state TASK_JOIN',
      'joiner CancelledError while TASK_JOIN',
      'slow still SLEEP',
      'slow done',
      'slow result 1',
    ]);
  });

  it('cancels a task waiting on a kernel queue and removes it from the queue', async () => {
    const events: string[] = [];
    const kq = new KernelQueue();
    function* waiter() {
      try {
        yield* waitOnQueue(kq, 'QUEUE_GET');
      } catch (err) {
        events.push(`waiter ${(err as Error).name}`);
      }
    }
    function* main() {
      const t = yield* newTask(waiter());
      events.push(`queued ${kq.length} ${t.state}`);
      yield* t.cancel();
      events.push(`queued ${kq.length}`);
    }
    await vrun(main());
    expect(events).toEqual(['queued 1 QUEUE_GET', 'waiter CancelledError', 'queued 0']);
  });

  it('cancels a task waiting on I/O and withdraws the wait', async () => {
    const events: string[] = [];
    let withdrawn = 0;
    const source = {
      onReadable(_wake: () => void) {
        events.push('registered');
        return () => {
          withdrawn++;
        };
      },
    };
    function* reader() {
      try {
        yield* readWait(source);
      } catch (err) {
        events.push(`reader ${(err as Error).name}`);
      }
    }
    function* main() {
      const t = yield* newTask(reader());
      events.push(`state ${t.state}`);
      yield* t.cancel();
      events.push(`withdrawn ${withdrawn}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'registered',
      'state READ_WAIT',
      'reader CancelledError',
      'withdrawn 1',
    ]);
  });

  it('cancels a task waiting on a promise and aborts its signal', async () => {
    const events: string[] = [];
    function* waiter() {
      try {
        yield* futureWait(
          (signal) =>
            new Promise((_resolve, reject) => {
              signal.addEventListener('abort', () => {
                events.push('aborted');
                reject(new Error('late'));
              });
            }),
        );
      } catch (err) {
        events.push(`waiter ${(err as Error).name}`);
      }
    }
    function* main() {
      const t = yield* newTask(waiter());
      events.push(`state ${t.state}`);
      yield* t.cancel();
      events.push('done');
    }
    await vrun(main());
    expect(events).toEqual(['state FUTURE_WAIT', 'aborted', 'waiter CancelledError', 'done']);
  });

  it('a task that catches CancelledError and blocks again keeps the canceller waiting', async () => {
    const events: string[] = [];
    function* stubborn() {
      try {
        yield* sleep(1000);
      } catch {
        events.push('caught, sleeping 50 more');
      }
      yield* sleep(50);
      events.push('stubborn ends');
      return 'ok';
    }
    function* main() {
      const kernel = yield* getKernel();
      const t = yield* newTask(stubborn());
      yield* t.cancel();
      events.push(`cancel returned at ${kernel.selector.now()}, ${t.state}`);
      events.push(`result ${yield* t.join()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'caught, sleeping 50 more',
      'stubborn ends',
      'cancel returned at 50, TERMINATED',
      'result ok',
    ]);
  });

  it('cancel with a timeout raises TaskTimeout and leaves the request in place', async () => {
    const events: string[] = [];
    function* stubborn() {
      try {
        yield* sleep(1000);
      } catch {
        events.push('caught');
      }
      yield* sleep(50);
      events.push('stubborn ends');
    }
    function* main() {
      const t = yield* newTask(stubborn());
      const err = yield* catching(t.cancel({ timeout: 10 }));
      events.push(`cancel gave up: ${(err as Error).name}, task ${t.state}`);
      yield* t.join();
      events.push('joined');
    }
    await vrun(main());
    expect(events).toEqual([
      'caught',
      'cancel gave up: TaskTimeout, task SLEEP',
      'stubborn ends',
      'joined',
    ]);
  });

  it('cancel with a custom exc class or instance', async () => {
    class Stop extends Error {}
    const events: string[] = [];
    function* child(name: string) {
      try {
        yield* sleep(100);
      } catch (err) {
        events.push(
          `${name} ${err instanceof Stop ? 'Stop' : String(err)} ${(err as Error).message}`,
        );
      }
    }
    function* main() {
      const a = yield* newTask(child('a'), { name: 'alpha' });
      const b = yield* newTask(child('b'));
      yield* a.cancel({ exc: Stop });
      yield* b.cancel({ exc: new Stop('by instance') });
    }
    await vrun(main());
    expect(events).toEqual(['a Stop alpha cancelled', 'b Stop by instance']);
  });

  it('cancelling an ended task returns at once', async () => {
    function* main() {
      const t = yield* newTask((function* () {})());
      yield* sleep(0);
      yield* t.cancel();
      return t.state;
    }
    expect(await vrun(main())).toBe('TERMINATED');
  });

  it('cancelChildren cancels every immediate child, not grandchildren of others', async () => {
    const events: string[] = [];
    function* parent() {
      yield* newTask(sleepRecording(events, 'c1', 1_000_000));
      yield* newTask(sleepRecording(events, 'c2', 1_000_000));
      yield* sleep(1_000_000);
    }
    function* main() {
      const p = yield* newTask(parent());
      yield* sleep(1);
      events.push(`children ${p.children.size}`);
      yield* p.cancelChildren();
      events.push(`children ${p.children.size}, parent ${p.state}`);
      yield* p.cancel();
    }
    await vrun(main());
    expect(events).toEqual([
      'children 2',
      'c1 CancelledError',
      'c2 CancelledError',
      'children 0, parent SLEEP',
    ]);
  });

  it('cancelChildren with a timeout gives up with TaskTimeout', async () => {
    function* stubborn() {
      try {
        yield* sleep(1000);
      } catch {}
      yield* sleep(100);
    }
    function* parent() {
      yield* newTask(stubborn());
      yield* sleep(1_000_000);
    }
    function* main() {
      const p = yield* newTask(parent());
      const err = yield* catching(p.cancelChildren({ timeout: 10 }));
      return (err as Error).name;
    }
    const kernelRun = vrun(main());
    await expect(kernelRun).resolves.toBe('TaskTimeout');
  });

  it('bad input: a task cannot cancel or join itself; exc must be an error', async () => {
    function* main() {
      const me = yield* currentTask();
      const a = yield* catching(me.cancel());
      const b = yield* catching(me.join());
      const c = yield* catching(me.cancel({ exc: 42 as never }));
      const d = yield* catching(me.cancel({ timeout: -1 }));
      return [a, b, c, d].map((e) => `${(e as Error).name}: ${(e as Error).message}`);
    }
    const out = await vrun(main());
    expect(out[0]).toMatch(/^CurioError: cancelTask: task-\d+ cannot cancel itself$/);
    expect(out[1]).toMatch(/^CurioError: joinTask: task-\d+ cannot join itself$/);
    expect(out[2]).toBe('TypeError: cancelTask: exc must be an error class or an Error, got 42');
    expect(out[3]).toBe(
      'RangeError: cancelTask: timeout must be a number of milliseconds >= 0 or null, got -1',
    );
  });

  it('CancelledError and TaskTimeout are CurioErrors', () => {
    expect(new CancelledError('x')).toBeInstanceOf(CurioError);
    expect(new TaskTimeout('x')).toBeInstanceOf(CurioError);
    expect(new TaskError('x', { cause: 1 }).cause).toBe(1);
    expect(new TaskError('x').name).toBe('TaskError');
  });
});
