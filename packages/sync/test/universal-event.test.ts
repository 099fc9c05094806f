import {
  CancelledError,
  type Coro,
  futureWait,
  Kernel,
  newTask,
  run,
  sleep,
  TaskTimeout,
  timeoutAfter,
} from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { UniversalEvent, type UniversalEventAsyncOptions } from '../src/index.js';
import { outcome, runVirtual } from './helpers.js';

// The package is built without DOM or Node types: what the tests use of the host, typed here.
type Signal = NonNullable<UniversalEventAsyncOptions['signal']>;
const host = globalThis as unknown as {
  AbortController: new () => { signal: Signal; abort(reason?: unknown): void };
  setTimeout(fn: () => void, ms: number): unknown;
};

/** Settles with the error `promise` rejects with, or 'resolved'. */
function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (err: unknown) => err,
  );
}

describe('UniversalEvent in tasks', () => {
  it('set wakes every waiter, tasks and promises, in the order they waited; it is not a switch point', async () => {
    const events: string[] = [];
    const ev = new UniversalEvent();
    function* waiter(name: string): Coro<void> {
      events.push(`${name} waits`);
      yield* ev.wait();
      events.push(`${name} runs`);
    }
    await runVirtual(function* () {
      const a = yield* newTask(waiter('a'));
      const promise = ev.waitAsync().then(() => events.push('promise runs'));
      const b = yield* newTask(waiter('b'));
      expect(a.state).toBe('READ_WAIT');
      expect(ev.isSet()).toBe(false);
      events.push('set');
      ev.set();
      events.push('after set');
      yield* a.join();
      yield* b.join();
      yield* futureWait(promise);
    });
    expect(ev.isSet()).toBe(true);
    expect(events).toEqual([
      'a waits',
      'b waits',
      'set',
      'after set',
      'a runs',
      'b runs',
      'promise runs',
    ]);
  });

  it('wait on a set event returns at once without a switch; clear makes it block again', async () => {
    const events: string[] = [];
    const ev = new UniversalEvent();
    await runVirtual(function* () {
      ev.set();
      const other = yield* newTask(
        (function* () {
          events.push('other 1');
          yield* sleep(0);
          events.push('other 2');
        })(),
      );
      yield* ev.wait();
      events.push('waited');
      ev.clear();
      expect(ev.isSet()).toBe(false);
      yield* other.join();
      const late = yield* newTask(ev.wait());
      yield* sleep(1);
      events.push(`late ${late.state}`);
      ev.set();
      yield* late.join();
      events.push('late done');
    });
    expect(events).toEqual(['other 1', 'waited', 'other 2', 'late READ_WAIT', 'late done']);
  });

  it('wait raises TaskTimeout after timeout ms, and inside timeoutAfter; no waiter is left behind', async () => {
    const ev = new UniversalEvent();
    await runVirtual(function* () {
      expect(yield* outcome(ev.wait({ timeout: 5 }))).toBe('TaskTimeout');
      expect(yield* outcome(timeoutAfter(5, ev.wait()))).toBe('TaskTimeout');
      const cancelled = yield* newTask(ev.wait());
      yield* cancelled.cancel();
      expect((ev as unknown as { head: unknown }).head).toBeNull(); // the line is empty
      const kept = yield* newTask(ev.wait({ timeout: 1000 }));
      ev.set();
      yield* kept.join();
    });
  });

  it('a cancelled waiter raises CancelledError; the others still wake', async () => {
    const events: string[] = [];
    const ev = new UniversalEvent();
    function* waiter(name: string): Coro<void> {
      try {
        yield* ev.wait();
        events.push(`${name} woke`);
      } catch (err) {
        events.push(`${name} ${(err as Error).name}`);
        throw err;
      }
    }
    await runVirtual(function* () {
      const a = yield* newTask(waiter('a'));
      const b = yield* newTask(waiter('b'));
      yield* a.cancel();
      ev.set();
      yield* b.join();
      expect(a.excInfo).toBeInstanceOf(CancelledError);
    });
    expect(events).toEqual(['a CancelledError', 'b woke']);
  });

  it('a waiter woken by set and cancelled before it runs returns from wait; the cancel comes next', async () => {
    const events: string[] = [];
    const ev = new UniversalEvent();
    await runVirtual(function* () {
      const t = yield* newTask(
        (function* () {
          yield* ev.wait();
          events.push('woke');
          yield* sleep(10); // the cancellation arrives here
          events.push('not reached');
        })(),
      );
      ev.set();
      yield* t.cancel();
      expect(t.excInfo).toBeInstanceOf(CancelledError);
    });
    expect(events).toEqual(['woke']);
  });

  it('rejects bad options of wait where it is run', async () => {
    const ev = new UniversalEvent();
    await runVirtual(function* () {
      expect(() => ev.wait({ timeout: -1 }).next()).toThrow(
        new RangeError(
          'UniversalEvent.wait(options): options.timeout must be a number of milliseconds >= 0 or null, got -1',
        ),
      );
      expect(() => ev.wait({ timeout: 'x' as never }).next()).toThrow(TypeError);
      expect(() => ev.wait(5 as never).next()).toThrow(
        'UniversalEvent.wait(options): options must be an object like { timeout }, got 5',
      );
      yield* sleep(0);
    });
  });
});

describe('UniversalEvent between tasks and plain code', () => {
  it('set() from plain code wakes the tasks of a running kernel at its next turn', async () => {
    const events: string[] = [];
    const ev = new UniversalEvent();
    const started = new UniversalEvent();
    const done = run(
      (function* () {
        const tasks = [];
        for (const name of ['a', 'b']) {
          tasks.push(
            yield* newTask(
              (function* () {
                yield* ev.wait();
                events.push(`${name} woke`);
              })(),
            ),
          );
        }
        started.set();
        for (const t of tasks) yield* t.join();
      })(),
    );
    await started.waitAsync();
    ev.set();
    events.push('plain set');
    await done;
    expect(events).toEqual(['plain set', 'a woke', 'b woke']);
  });

  it('one set wakes tasks of two kernels and plain waiters', async () => {
    const ev = new UniversalEvent();
    const woke: string[] = [];
    function* waiter(name: string): Coro<void> {
      yield* ev.wait();
      woke.push(name);
    }
    const a = new Kernel();
    const b = new Kernel();
    const runs = [a.run(waiter('kernel a')), b.run(waiter('kernel b'))];
    const plain = ev.waitAsync().then(() => woke.push('plain'));
    host.setTimeout(() => ev.set(), 5);
    await Promise.all([...runs, plain]);
    await a.shutdown();
    await b.shutdown();
    expect([...woke].sort()).toEqual(['kernel a', 'kernel b', 'plain']);
  });

  it('a kernel whose only task waits on the event is not deadlocked: plain code may set it', async () => {
    const ev = new UniversalEvent();
    host.setTimeout(() => ev.set(), 5);
    await run(ev.wait());
    expect(ev.isSet()).toBe(true);
  });
});

describe('UniversalEvent from plain code', () => {
  it('waitAsync resolves once the event is set, at once if it is; set from a task too', async () => {
    const ev = new UniversalEvent();
    const events: string[] = [];
    const first = ev.waitAsync().then(() => events.push('first'));
    const second = ev.waitAsync().then(() => events.push('second'));
    await run(
      (function* () {
        ev.set();
        events.push('task set');
      })(),
    );
    await Promise.all([first, second]);
    await ev.waitAsync();
    events.push('third at once');
    expect(events).toEqual(['task set', 'first', 'second', 'third at once']);
  });

  it('an aborted waitAsync rejects with the signal reason; an aborted signal rejects at once', async () => {
    const ev = new UniversalEvent();
    const first = new host.AbortController();
    const a = rejection(ev.waitAsync({ signal: first.signal }));
    const b = ev.waitAsync();
    first.abort(new Error('gave up'));
    expect(((await a) as Error).message).toBe('gave up');
    ev.set();
    await b;

    const second = new host.AbortController();
    second.abort();
    const err = (await rejection(ev.waitAsync({ signal: second.signal }))) as Error;
    expect(err.name).toBe('AbortError'); // even though the event is set
  });

  it('a signal without a reason (older hosts) rejects with CancelledError', async () => {
    const ev = new UniversalEvent();
    let listener: { handleEvent(): void } | undefined;
    const signal: Signal = {
      aborted: false,
      addEventListener: (_type, l) => {
        listener = l;
      },
      removeEventListener: () => {
        listener = undefined;
      },
    };
    const pending = rejection(ev.waitAsync({ signal }));
    listener?.handleEvent();
    const err = (await pending) as Error;
    expect(err).toBeInstanceOf(CancelledError);
    expect(err.message).toBe('UniversalEvent.waitAsync: aborted by its signal');
    expect(listener).toBeUndefined();
  });

  it('waitAsync rejects with TaskTimeout after timeout ms; a set before it wins', async () => {
    const ev = new UniversalEvent();
    const err = (await rejection(ev.waitAsync({ timeout: 5 }))) as Error;
    expect(err).toBeInstanceOf(TaskTimeout);
    expect(err.message).toBe('UniversalEvent.waitAsync: timed out after 5 ms');
    const controller = new host.AbortController();
    const served = ev.waitAsync({ timeout: 5, signal: controller.signal });
    ev.set();
    controller.abort();
    await served;
    const aborted = new host.AbortController();
    ev.clear();
    const gone = rejection(ev.waitAsync({ signal: aborted.signal, timeout: 1000 }));
    aborted.abort('no');
    expect(await gone).toBe('no');
    expect((ev as unknown as { head: unknown }).head).toBeNull();
    await new Promise<void>((resolve) => host.setTimeout(resolve, 10)); // the timer was dropped
  });

  it('rejects bad options with errors naming the argument, at the call', () => {
    const ev = new UniversalEvent();
    expect(() => ev.waitAsync({ signal: {} as never })).toThrow(
      new TypeError(
        'UniversalEvent.waitAsync(options): options.signal must be an AbortSignal, got an object',
      ),
    );
    expect(() => ev.waitAsync({ signal: 42 as never })).toThrow(TypeError);
    expect(() => ev.waitAsync({ timeout: -1 })).toThrow(
      new RangeError(
        'UniversalEvent.waitAsync(options): options.timeout must be a number of milliseconds >= 0 or null, got -1',
      ),
    );
    expect(() => ev.waitAsync({ timeout: '1' as never })).toThrow(TypeError);
    expect(() => ev.waitAsync('soon' as never)).toThrow(
      new TypeError(
        'UniversalEvent.waitAsync(options): options must be an object like { signal, timeout }, got "soon"',
      ),
    );
  });
});
