import {
  CancelledError,
  type Coro,
  CurioError,
  futureWait,
  Kernel,
  newTask,
  run,
  sleep,
  TaskTimeout,
  timeoutAfter,
} from '@curio/kernel';
import { describe, expect, it, vi } from 'vitest';
import {
  QueueEmpty,
  QueueFull,
  UniversalQueue,
  type UniversalQueueAsyncOptions,
} from '../src/index.js';
import { outcome, runVirtual } from './helpers.js';

// The package is built without DOM or Node types: what the tests use of the host, typed here.
type Signal = NonNullable<UniversalQueueAsyncOptions['signal']>;
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

describe('UniversalQueue in tasks', () => {
  it('put hands the item to the first waiting task (a switch point); to a promise or the queue it does not switch', async () => {
    const events: string[] = [];
    const q = new UniversalQueue<string>();
    function* getter(name: string): Coro<void> {
      events.push(`${name} got ${yield* q.get()}`);
    }
    function* other(): Coro<void> {
      events.push('other 1');
      yield* sleep(0);
      events.push('other 2');
    }
    await runVirtual(function* () {
      const a = yield* newTask(getter('a'));
      const b = yield* newTask(getter('b'));
      expect(a.state).toBe('READ_WAIT');
      yield* q.put('x');
      events.push('after put x');
      yield* q.put('y');
      events.push('after put y');
      yield* a.join();
      yield* b.join();
      const o = yield* newTask(other());
      const plain = q.getAsync();
      yield* q.put('z');
      events.push(`put z, qsize ${q.qsize()}`);
      yield* q.put('w');
      events.push(`put w, qsize ${q.qsize()}`);
      events.push(`got ${yield* q.get()}`);
      yield* o.join();
      events.push(`promise got ${yield* futureWait(plain)}`);
    });
    expect(events).toEqual([
      'a got x',
      'after put x',
      'b got y',
      'after put y',
      'other 1',
      'put z, qsize 0',
      'put w, qsize 1',
      'got w',
      'other 2',
      'promise got z',
    ]);
  });

  it('a bounded queue makes put wait; get admits the first waiting putter, which runs first', async () => {
    const events: string[] = [];
    const q = new UniversalQueue<string>(2);
    function* putter(item: string): Coro<void> {
      yield* q.put(item);
      events.push(`put ${item}`);
    }
    await runVirtual(function* () {
      yield* q.put('a');
      yield* q.put('b');
      expect(q.full()).toBe(true);
      const c = yield* newTask(putter('c'));
      const d = yield* newTask(putter('d'));
      expect(c.state).toBe('WRITE_WAIT');
      for (let i = 0; i < 4; i++) events.push(`get ${yield* q.get()}, qsize ${q.qsize()}`);
      yield* c.join();
      yield* d.join();
      expect(q.empty()).toBe(true);
    });
    expect(events).toEqual([
      'put c',
      'get a, qsize 2',
      'put d',
      'get b, qsize 2',
      'get c, qsize 1',
      'get d, qsize 0',
    ]);
  });

  it('gets return items in queue order even while a get admits a waiting putter', async () => {
    const got: string[] = [];
    const q = new UniversalQueue<string>(1);
    function* consumer(): Coro<void> {
      for (;;) got.push(yield* q.get());
    }
    await runVirtual(function* () {
      yield* q.put('1');
      const putter = yield* newTask(q.put('2'));
      const a = yield* newTask(consumer());
      const b = yield* newTask(consumer());
      yield* putter.join();
      yield* sleep(1);
      yield* a.cancel();
      yield* b.cancel();
    });
    expect(got).toEqual(['1', '2']);
  });

  it('get raises TaskTimeout after timeout ms and takes no item; so does an enclosing timeoutAfter', async () => {
    const q = new UniversalQueue<number>();
    await runVirtual(function* () {
      expect(yield* outcome(q.get({ timeout: 5 }))).toBe('TaskTimeout');
      expect(yield* outcome(timeoutAfter(5, q.get()))).toBe('TaskTimeout');
      q.putNowait(1);
      expect(q.qsize()).toBe(1);
      expect(yield* q.get({ timeout: 5 })).toBe(1);
    });
  });

  it('a cancelled get takes no item; the next getter gets it', async () => {
    const events: string[] = [];
    const q = new UniversalQueue<number>();
    await runVirtual(function* () {
      const a = yield* newTask(q.get());
      const b = yield* newTask(
        (function* () {
          events.push(`b got ${yield* q.get()}`);
        })(),
      );
      yield* a.cancel();
      expect(a.excInfo).toBeInstanceOf(CancelledError);
      q.putNowait(7);
      yield* b.join();
      expect(q.qsize()).toBe(0);
    });
    expect(events).toEqual(['b got 7']);
  });

  it('a task handed an item and cancelled before it runs still returns the item', async () => {
    const events: string[] = [];
    const q = new UniversalQueue<number>();
    await runVirtual(function* () {
      const g = yield* newTask(
        (function* () {
          events.push(`got ${yield* q.get()}`);
          yield* sleep(10); // the cancellation arrives here
          events.push('not reached');
        })(),
      );
      q.putNowait(5); // wakes g; it has not run yet
      yield* g.cancel();
      expect(g.excInfo).toBeInstanceOf(CancelledError);
    });
    expect(events).toEqual(['got 5']);
  });

  it('a put that times out or is cancelled adds nothing; task and promise putters are admitted in arrival order', async () => {
    const q = new UniversalQueue<string>(1);
    q.putNowait('first');
    const controller = new host.AbortController();
    let promised: Promise<unknown> = Promise.resolve();
    let aborted: Promise<unknown> = Promise.resolve();
    const got = await runVirtual(function* () {
      const late = yield* newTask(outcome(q.put('late', { timeout: 5 })));
      promised = q.putAsync('p1');
      const t2 = yield* newTask(q.put('t2'));
      const cancelled = yield* newTask(q.put('cancelled'));
      aborted = rejection(q.putAsync('aborted', { signal: controller.signal }));
      const t3 = yield* newTask(q.put('t3'));
      expect(yield* late.join()).toBe('TaskTimeout');
      yield* cancelled.cancel();
      controller.abort();
      const out: string[] = [];
      for (let i = 0; i < 4; i++) out.push(yield* q.get());
      yield* t2.join();
      yield* t3.join();
      return out;
    });
    expect(got).toEqual(['first', 'p1', 't2', 't3']);
    expect(await promised).toBeUndefined();
    expect((await aborted) as Error).toHaveProperty('name', 'AbortError');
    expect(q.qsize()).toBe(0);
  });

  it('get and put do nothing until run with yield*, and reject bad options there', async () => {
    const q = new UniversalQueue<number>(1);
    await runVirtual(function* () {
      const put = q.put(1);
      expect(q.qsize()).toBe(0);
      yield* put;
      const get = q.get();
      const put2 = q.put(2);
      expect(q.qsize()).toBe(1);
      expect(yield* get).toBe(1);
      yield* put2;
      expect(yield* q.get()).toBe(2);
      expect(() => q.get({ timeout: -1 }).next()).toThrow(
        new RangeError(
          'UniversalQueue.get(options): options.timeout must be a number of milliseconds >= 0 or null, got -1',
        ),
      );
      expect(() => q.put(1, { timeout: 'x' as never }).next()).toThrow(
        new TypeError(
          'UniversalQueue.put(options): options.timeout must be a number of milliseconds >= 0 or null, got "x"',
        ),
      );
      expect(() => q.get(3 as never).next()).toThrow(
        'UniversalQueue.get(options): options must be an object like { timeout }, got 3',
      );
      expect(q.qsize()).toBe(0);
    });
  });
});

describe('UniversalQueue between tasks and plain code', () => {
  it('putNowait from plain code wakes a task of a running kernel at its next turn', async () => {
    const events: string[] = [];
    const q = new UniversalQueue<number>();
    const ready = new UniversalQueue<string>();
    const done = run(
      (function* () {
        yield* ready.put('waiting'); // to a promise: no switch
        const item = yield* q.get();
        events.push(`task got ${item}`);
        return item;
      })(),
    );
    expect(await ready.getAsync()).toBe('waiting');
    q.putNowait(1);
    events.push(`put 1, qsize ${q.qsize()}`);
    expect(await done).toBe(1);
    expect(events).toEqual(['put 1, qsize 0', 'task got 1']);
  });

  it('a task put resolves a waiting getAsync without a switch; the promise settles after the slice', async () => {
    const events: string[] = [];
    const q = new UniversalQueue<number>();
    const plain = q.getAsync().then((item) => events.push(`plain got ${item}`));
    await run(
      (function* () {
        yield* q.put(1);
        events.push('task put 1');
        yield* sleep(0);
        events.push('task after sleep(0)');
      })(),
    );
    await plain;
    expect(events).toEqual(['task put 1', 'task after sleep(0)', 'plain got 1']);
  });

  it('getters of both sides are served first come, first served', async () => {
    const q = new UniversalQueue<number>();
    const got: string[] = [];
    await runVirtual(function* () {
      const a = yield* newTask(
        (function* () {
          got.push(`task a ${yield* q.get()}`);
        })(),
      );
      const p = q.getAsync().then((item) => got.push(`promise ${item}`));
      const b = yield* newTask(
        (function* () {
          got.push(`task b ${yield* q.get()}`);
        })(),
      );
      for (const item of [1, 2, 3]) q.putNowait(item);
      yield* a.join();
      yield* b.join();
      yield* futureWait(p);
    });
    expect(got).toEqual(['task a 1', 'task b 3', 'promise 2']);
  });

  it('putAsync waits on a full queue; gets of either side admit putters in order', async () => {
    const events: string[] = [];
    const q = new UniversalQueue<string>(1);
    q.putNowait('a');
    const b = q.putAsync('b').then(() => events.push('b in'));
    const c = q.putAsync('c').then(() => events.push('c in'));
    expect(q.full()).toBe(true);
    await runVirtual(function* () {
      events.push(`task got ${yield* q.get()}`); // admits b: a promise, no switch
      events.push(`task got ${yield* q.get()}`); // admits c
    });
    await Promise.all([b, c]);
    events.push(`plain got ${q.getNowait()}`);
    expect(events).toEqual(['task got a', 'task got b', 'b in', 'c in', 'plain got c']);
  });

  it('getNowait and getAsync admit a task waiting in put, which then runs', async () => {
    const events: string[] = [];
    const q = new UniversalQueue<string>(1);
    const ready = new UniversalQueue<string>();
    const done = run(
      (function* () {
        yield* q.put('a');
        yield* ready.put('full');
        yield* q.put('b');
        events.push('task put b');
        yield* q.put('c');
        events.push('task put c');
      })(),
    );
    await ready.getAsync();
    events.push(`plain got ${q.getNowait()}, qsize ${q.qsize()}`);
    events.push(`plain got ${await q.getAsync()}`);
    await done;
    events.push(`left ${q.getNowait()}`);
    expect(events).toEqual([
      'plain got a, qsize 1', // b moved in; the task runs at its kernel's next turn
      'task put b', // getAsync took b at once; the promise settles after the kernel's slice
      'task put c',
      'plain got b',
      'left c',
    ]);
  });

  it('tasks of several kernels and plain code share one queue', async () => {
    const q = new UniversalQueue<number>(2);
    const got: number[] = [];
    function* producer(from: number): Coro<void> {
      for (let i = from; i < from + 50; i++) yield* q.put(i);
    }
    function* consumer(n: number): Coro<void> {
      for (let i = 0; i < n; i++) got.push(yield* q.get());
    }
    const a = new Kernel();
    const b = new Kernel();
    const plainConsumer = (async () => {
      for (let i = 0; i < 50; i++) got.push(await q.getAsync());
    })();
    const plainProducer = (async () => {
      for (let i = 300; i < 350; i++) await q.putAsync(i);
    })();
    await Promise.all([
      a.run(
        (function* () {
          const t = yield* newTask(producer(0));
          yield* consumer(60);
          yield* t.join();
        })(),
      ),
      b.run(
        (function* () {
          const t = yield* newTask(producer(100));
          yield* consumer(40);
          yield* t.join();
        })(),
      ),
      plainConsumer,
      plainProducer,
    ]);
    await a.shutdown();
    await b.shutdown();
    const expected = [0, 100, 300].flatMap((from) =>
      Array.from({ length: 50 }, (_, i) => from + i),
    );
    expect([...got].sort((x, y) => x - y)).toEqual(expected);
    expect(q.qsize()).toBe(0);
  });

  it('a kernel whose only task waits on the queue is not deadlocked: plain code may still put', async () => {
    const q = new UniversalQueue<string>();
    host.setTimeout(() => q.putNowait('late'), 5);
    expect(await run(q.get())).toBe('late');
  });

  it('works from plain code with no kernel at all', async () => {
    const q = new UniversalQueue<number>(1);
    const putter = (async () => {
      for (let i = 0; i < 5; i++) await q.putAsync(i);
    })();
    const got: number[] = [];
    for (let i = 0; i < 5; i++) got.push(await q.getAsync());
    await putter;
    expect(got).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('UniversalQueue from plain code', () => {
  it('getNowait and putNowait raise QueueEmpty and QueueFull', () => {
    const q = new UniversalQueue<number>(1);
    expect(() => q.getNowait()).toThrow(
      new QueueEmpty('UniversalQueue.getNowait: the queue is empty'),
    );
    q.putNowait(1);
    let err: unknown;
    try {
      q.putNowait(2);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QueueFull);
    expect(err).toBeInstanceOf(CurioError);
    expect((err as Error).message).toBe('UniversalQueue.putNowait: the queue is full (maxsize 1)');
    expect((err as Error).name).toBe('QueueFull');
    expect(q.getNowait()).toBe(1);
    expect(q.empty()).toBe(true);
  });

  it('an aborted getAsync rejects with the signal reason and takes no item', async () => {
    const q = new UniversalQueue<number>();
    const first = new host.AbortController();
    const a = rejection(q.getAsync({ signal: first.signal }));
    const b = q.getAsync();
    first.abort(new Error('not needed'));
    expect(((await a) as Error).message).toBe('not needed');
    q.putNowait(1);
    expect(await b).toBe(1);

    const second = new host.AbortController();
    const c = rejection(q.getAsync({ signal: second.signal }));
    second.abort();
    const reason = (await c) as Error;
    expect(reason.name).toBe('AbortError');
    expect(reason).toBe((second.signal as { reason?: unknown }).reason);
  });

  it('an already aborted signal rejects at once, even with an item there, and takes none', async () => {
    const q = new UniversalQueue<number>();
    q.putNowait(1);
    const controller = new host.AbortController();
    controller.abort('stop');
    expect(await rejection(q.getAsync({ signal: controller.signal }))).toBe('stop');
    expect(await rejection(q.putAsync(2, { signal: controller.signal }))).toBe('stop');
    expect(q.qsize()).toBe(1);
  });

  it('a signal without a reason (older hosts) rejects with CancelledError', async () => {
    const q = new UniversalQueue<number>();
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
    const pending = rejection(q.getAsync({ signal }));
    listener?.handleEvent();
    const err = (await pending) as Error;
    expect(err).toBeInstanceOf(CancelledError);
    expect(err.message).toBe('UniversalQueue.getAsync: aborted by its signal');
    expect(listener).toBeUndefined();
  });

  it('getAsync and putAsync reject with TaskTimeout after timeout ms and are withdrawn', async () => {
    const q = new UniversalQueue<string>(1);
    const err = (await rejection(q.getAsync({ timeout: 5 }))) as Error;
    expect(err).toBeInstanceOf(TaskTimeout);
    expect(err.message).toBe('UniversalQueue.getAsync: timed out after 5 ms');
    q.putNowait('kept');
    const put = (await rejection(q.putAsync('dropped', { timeout: 5 }))) as Error;
    expect(put).toBeInstanceOf(TaskTimeout);
    expect(put.message).toBe('UniversalQueue.putAsync: timed out after 5 ms');
    expect(q.getNowait()).toBe('kept');
    expect(q.empty()).toBe(true);
    // A zero timeout still takes an item that is there.
    q.putNowait('now');
    expect(await q.getAsync({ timeout: 0 })).toBe('now');
  });

  it('a timeout past the host timer range (2^31-1 ms) still fires on time; Infinity waits forever', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const q = new UniversalQueue<number>();
      const long = rejection(q.getAsync({ timeout: 2 ** 31 + 5 }));
      const forever = q.getAsync({ timeout: Number.POSITIVE_INFINITY });
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(2 ** 31 - 1);
      vi.advanceTimersByTime(5);
      expect(vi.getTimerCount()).toBe(1); // re-armed for the rest
      vi.advanceTimersByTime(1);
      const err = (await long) as Error;
      expect(err).toBeInstanceOf(TaskTimeout);
      expect(err.message).toBe('UniversalQueue.getAsync: timed out after 2147483653 ms');
      q.putNowait(1);
      expect(await forever).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a get served before its timeout or abort keeps its item', async () => {
    const q = new UniversalQueue<number>();
    const controller = new host.AbortController();
    const p = q.getAsync({ signal: controller.signal, timeout: 5 });
    q.putNowait(1);
    controller.abort();
    expect(await p).toBe(1);
    await new Promise<void>((resolve) => host.setTimeout(resolve, 10));
    expect(q.qsize()).toBe(0);
  });

  it('for await gets items in order; leaving the loop loses none', async () => {
    const q = new UniversalQueue<number>();
    for (const item of [1, 2, 3, 4, 5]) q.putNowait(item);
    const seen: number[] = [];
    for await (const item of q) {
      seen.push(item);
      if (item === 3) break;
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(q.getNowait()).toBe(4);

    const fed = run(
      (function* () {
        for (const item of [6, 7, 8]) {
          yield* sleep(1);
          yield* q.put(item);
        }
      })(),
    );
    for await (const item of q) {
      seen.push(item);
      if (item === 7) break;
    }
    await fed;
    expect(seen).toEqual([1, 2, 3, 5, 6, 7]);
    expect(q.getNowait()).toBe(8);
  });

  it("the iterator's return() withdraws a pending next(); the item goes to the next getter", async () => {
    const q = new UniversalQueue<string>();
    const iterator = q[Symbol.asyncIterator]();
    const pending = iterator.next();
    expect(await iterator.return?.()).toEqual({ value: undefined, done: true });
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    q.putNowait('kept');
    expect(q.getNowait()).toBe('kept');
  });

  it('rejects a bad maxsize and bad options with errors naming the argument, at the call', () => {
    expect(() => new UniversalQueue(-1)).toThrow(
      new RangeError(
        'UniversalQueue(maxsize): maxsize must be an integer >= 0 (0: unbounded), got -1',
      ),
    );
    expect(() => new UniversalQueue(2.5)).toThrow(RangeError);
    expect(() => new UniversalQueue('3' as never)).toThrow(
      new TypeError(
        'UniversalQueue(maxsize): maxsize must be an integer >= 0 (0: unbounded), got "3"',
      ),
    );
    const q = new UniversalQueue<number>();
    expect(() => q.getAsync({ signal: {} as never })).toThrow(
      new TypeError(
        'UniversalQueue.getAsync(options): options.signal must be an AbortSignal, got an object',
      ),
    );
    expect(() => q.putAsync(1, { signal: 'stop' as never })).toThrow(
      new TypeError(
        'UniversalQueue.putAsync(options): options.signal must be an AbortSignal, got "stop"',
      ),
    );
    expect(() => q.getAsync({ timeout: -5 })).toThrow(
      new RangeError(
        'UniversalQueue.getAsync(options): options.timeout must be a number of milliseconds >= 0 or null, got -5',
      ),
    );
    expect(() => q.getAsync({ timeout: Number.NaN })).toThrow(RangeError);
    expect(() => q.putAsync(1, { timeout: '5' as never })).toThrow(TypeError);
    expect(() => q.getAsync(5 as never)).toThrow(
      new TypeError(
        'UniversalQueue.getAsync(options): options must be an object like { signal, timeout }, got 5',
      ),
    );
    expect(q.qsize()).toBe(0);
  });
});
