import { CancelledError, CurioError, newTask, sleep } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { Queue } from '../src/index.js';
import { outcome, runVirtual } from './helpers.js';

describe('Queue', () => {
  it('runs the manual producer-consumer: join waits for every taskDone', async () => {
    const events: string[] = [];
    const q = new Queue<number>();
    function* producer() {
      for (let n = 0; n < 3; n++) {
        yield* q.put(n);
        events.push(`put ${n}`);
      }
      yield* q.join();
      events.push('producer done');
    }
    function* consumer() {
      for (;;) {
        const item = yield* q.get();
        events.push(`consumer got ${item}`);
        yield* sleep(1);
        yield* q.taskDone();
      }
    }
    await runVirtual(function* () {
      const prod = yield* newTask(producer());
      const cons = yield* newTask(consumer());
      yield* prod.join();
      yield* cons.cancel();
      expect(cons.excInfo).toBeInstanceOf(CancelledError);
    });
    expect(events).toEqual([
      'put 0',
      'put 1',
      'put 2',
      'consumer got 0',
      'consumer got 1',
      'consumer got 2',
      'producer done',
    ]);
  });

  it('put hands the item to the first waiting getter (a switch point); otherwise put and get do not switch', async () => {
    const events: string[] = [];
    const q = new Queue<string>();
    function* getter(name: string) {
      events.push(`${name} got ${yield* q.get()}`);
    }
    function* other() {
      events.push('other 1');
      yield* sleep(0);
      events.push('other 2');
    }
    await runVirtual(function* () {
      const a = yield* newTask(getter('a'));
      const b = yield* newTask(getter('b'));
      expect(a.state).toBe('QUEUE_GET');
      yield* q.put('x');
      events.push('after put x');
      yield* q.put('y');
      events.push('after put y');
      yield* a.join();
      yield* b.join();
      const o = yield* newTask(other());
      yield* q.put('z');
      events.push(`put z, qsize ${q.qsize()}`);
      events.push(`got ${yield* q.get()}`);
      yield* o.join();
    });
    expect(events).toEqual([
      'a got x',
      'after put x',
      'b got y',
      'after put y',
      'other 1',
      'put z, qsize 1',
      'got z',
      'other 2',
    ]);
  });

  it('a bounded queue makes put wait; get admits the first waiting putter', async () => {
    const events: string[] = [];
    const q = new Queue<string>(2);
    function* putter(item: string) {
      yield* q.put(item);
      events.push(`put ${item}`);
    }
    await runVirtual(function* () {
      expect(q.full()).toBe(false);
      yield* q.put('a');
      yield* q.put('b');
      expect(q.full()).toBe(true);
      const c = yield* newTask(putter('c'));
      const d = yield* newTask(putter('d'));
      expect(c.state).toBe('QUEUE_PUT');
      events.push(`get ${yield* q.get()}, qsize ${q.qsize()}`);
      events.push(`get ${yield* q.get()}, qsize ${q.qsize()}`);
      events.push(`get ${yield* q.get()}, qsize ${q.qsize()}`);
      events.push(`get ${yield* q.get()}, qsize ${q.qsize()}`);
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
    const q = new Queue<string>(1);
    function* consumer() {
      for (;;) got.push(yield* q.get());
    }
    await runVirtual(function* () {
      yield* q.put('1');
      const putter = yield* newTask(q.put('2'));
      // Both consumers become ready together: the first admits '2' (a switch point) before
      // taking '1', so the second cannot return '2' ahead of it.
      const a = yield* newTask(consumer());
      const b = yield* newTask(consumer());
      yield* putter.join();
      yield* sleep(1);
      yield* a.cancel();
      yield* b.cancel();
    });
    expect(got).toEqual(['1', '2']);
  });

  it('get raises TaskTimeout after timeout ms and takes no item', async () => {
    const q = new Queue<number>();
    await runVirtual(function* () {
      const g = yield* newTask(outcome(q.get({ timeout: 10 })));
      expect(yield* g.join()).toBe('TaskTimeout');
      yield* q.put(1);
      expect(q.qsize()).toBe(1);
      expect(yield* q.get({ timeout: 10 })).toBe(1);
    });
  });

  it('a cancelled get takes no item; the next getter gets it', async () => {
    const events: string[] = [];
    const q = new Queue<number>();
    await runVirtual(function* () {
      const a = yield* newTask(q.get());
      const b = yield* newTask(
        (function* () {
          events.push(`b got ${yield* q.get()}`);
        })(),
      );
      yield* a.cancel();
      expect(a.excInfo).toBeInstanceOf(CancelledError);
      yield* q.put(7);
      yield* b.join();
      expect(q.qsize()).toBe(0);
    });
    expect(events).toEqual(['b got 7']);
  });

  it('a getter handed an item and cancelled before it runs still returns the item', async () => {
    const events: string[] = [];
    const q = new Queue<number>();
    await runVirtual(function* () {
      const g = yield* newTask(
        (function* () {
          const item = yield* q.get();
          events.push(`got ${item}`);
          yield* q.taskDone();
          yield* sleep(10); // the cancellation arrives here
          events.push('not reached');
        })(),
      );
      const p = yield* newTask(
        (function* () {
          yield* q.put(5); // hands 5 to g; g runs before we go on
          events.push('put 5');
        })(),
      );
      yield* p.join();
      yield* g.cancel();
      yield* q.join();
    });
    expect(events).toEqual(['got 5', 'put 5']);
  });

  it('a put that times out or is cancelled adds nothing; later putters are admitted in order', async () => {
    const events: string[] = [];
    const q = new Queue<string>(1);
    await runVirtual(function* () {
      yield* q.put('a');
      const timedOut = yield* newTask(outcome(q.put('late', { timeout: 5 })));
      const cancelled = yield* newTask(q.put('cancelled'));
      const kept = yield* newTask(q.put('b', { timeout: 100 }));
      expect(yield* timedOut.join()).toBe('TaskTimeout');
      yield* cancelled.cancel();
      events.push(`get ${yield* q.get()}`);
      events.push(`get ${yield* q.get()}`);
      yield* kept.join();
      events.push(`qsize ${q.qsize()}`);
      const alone = yield* newTask(
        (function* () {
          yield* q.put('c');
          return yield* outcome(q.put('d', { timeout: 1 }));
        })(),
      );
      events.push(`alone: ${yield* alone.join()}`);
      events.push(`get ${yield* q.get()}, qsize ${q.qsize()}`);
    });
    expect(events).toEqual(['get a', 'get b', 'qsize 0', 'alone: TaskTimeout', 'get c, qsize 0']);
  });

  it('waiting putters are admitted in the order they came, even after one timed out', async () => {
    const q = new Queue<string>(1);
    const got = await runVirtual(function* () {
      yield* q.put('first');
      const a = yield* newTask(outcome(q.put('a', { timeout: 5 })));
      const c = yield* newTask(q.put('c'));
      expect(yield* a.join()).toBe('TaskTimeout');
      const b = yield* newTask(q.put('b'));
      const out: string[] = [];
      for (let i = 0; i < 3; i++) out.push(yield* q.get());
      yield* b.join();
      yield* c.join();
      return out;
    });
    expect(got).toEqual(['first', 'c', 'b']);
  });

  it('taskDone of the last item wakes every joiner in order, then the caller', async () => {
    const events: string[] = [];
    const q = new Queue<number>();
    function* joiner(name: string) {
      yield* q.join();
      events.push(`${name} joined`);
    }
    await runVirtual(function* () {
      yield* q.join(); // nothing outstanding: returns at once
      yield* q.put(1);
      yield* q.put(2);
      const a = yield* newTask(joiner('a'));
      const b = yield* newTask(joiner('b'));
      expect(a.state).toBe('QUEUE_JOIN');
      yield* q.get();
      yield* q.taskDone();
      events.push('one done');
      yield* q.get();
      yield* q.taskDone();
      events.push('all done');
      yield* a.join();
      yield* b.join();
    });
    expect(events).toEqual(['one done', 'a joined', 'b joined', 'all done']);
  });

  it('join raises TaskTimeout after timeout ms; a cancelled join leaves no joiner behind', async () => {
    const q = new Queue<number>();
    await runVirtual(function* () {
      yield* q.put(1);
      expect(yield* outcome(q.join({ timeout: 5 }))).toBe('TaskTimeout');
      const j = yield* newTask(q.join());
      yield* j.cancel();
      expect(j.excInfo).toBeInstanceOf(CancelledError);
      yield* q.get();
      yield* q.taskDone();
      yield* q.join();
    });
  });

  it('taskDone called too many times raises CurioError', async () => {
    const q = new Queue<number>();
    await runVirtual(function* () {
      yield* q.put(1);
      yield* q.get();
      yield* q.taskDone();
      let err: unknown;
      try {
        yield* q.taskDone();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CurioError);
      expect((err as Error).message).toBe(
        'Queue.taskDone: called more times than there were items put',
      );
      yield* q.join();
    });
  });

  it('an unbounded queue never makes put wait', async () => {
    const q = new Queue<number>();
    await runVirtual(function* () {
      for (let i = 0; i < 1000; i++) yield* q.put(i, { timeout: 0 });
      expect(q.qsize()).toBe(1000);
      expect(q.full()).toBe(false);
      let sum = 0;
      while (!q.empty()) sum += yield* q.get({ timeout: 0 });
      expect(sum).toBe(499500);
    });
  });

  it('get and put do nothing until they are run with yield*', async () => {
    const q = new Queue<number>(1);
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
      const abandoned = q.get();
      expect(abandoned.return(undefined as never)).toEqual({ value: undefined, done: true });
      expect(abandoned.next()).toEqual({ value: undefined, done: true });
    });
  });

  it('rejects a bad maxsize and bad options naming the argument', async () => {
    expect(() => new Queue(-1)).toThrow(
      new RangeError('Queue(maxsize): maxsize must be an integer >= 0 (0: unbounded), got -1'),
    );
    expect(() => new Queue('3' as never)).toThrow(
      new TypeError('Queue(maxsize): maxsize must be an integer >= 0 (0: unbounded), got "3"'),
    );
    expect(() => new Queue(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => new Queue(2.5)).toThrow(RangeError);
    const q = new Queue<number>(1);
    await runVirtual(function* () {
      expect(() => q.get({ timeout: -1 }).next()).toThrow(
        'Queue.get(options): options.timeout must be a number of milliseconds >= 0 or null, got -1',
      );
      expect(() => q.put(1, { timeout: 'x' as never }).next()).toThrow(TypeError);
      expect(() => q.join(3 as never).next()).toThrow(
        'Queue.join(options): options must be an object like { timeout }, got 3',
      );
      expect(q.qsize()).toBe(0);
      yield* sleep(0);
    });
  });
});
