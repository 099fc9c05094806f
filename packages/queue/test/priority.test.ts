import { CancelledError, newTask, sleep } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { LifoQueue, PriorityQueue } from '../src/index.js';
import { outcome, runVirtual } from './helpers.js';

describe('PriorityQueue', () => {
  it('returns the smallest item first; equal priorities in the order put', async () => {
    const q = new PriorityQueue<[number, string]>();
    const got = await runVirtual(function* () {
      for (const item of [
        [3, 'c'],
        [1, 'a1'],
        [2, 'b'],
        [1, 'a2'],
        [5, 'e'],
        [1, 'a3'],
      ] as [number, string][]) {
        yield* q.put(item);
      }
      const out: string[] = [];
      while (!q.empty()) out.push((yield* q.get())[1]);
      return out;
    });
    expect(got).toEqual(['a1', 'a2', 'a3', 'b', 'c', 'e']);
  });

  it('is stable for equal priorities under a compare option', async () => {
    interface Job {
      priority: number;
      name: string;
    }
    const q = new PriorityQueue<Job>(0, { compare: (a, b) => a.priority - b.priority });
    const names = await runVirtual(function* () {
      const jobs: Job[] = [];
      for (let i = 0; i < 40; i++) jobs.push({ priority: (i * 7) % 3, name: `j${i}` });
      for (const j of jobs) yield* q.put(j);
      const out: string[] = [];
      while (!q.empty()) out.push((yield* q.get()).name);
      return out;
    });
    const expected = [0, 1, 2].flatMap((p) =>
      Array.from({ length: 40 }, (_, i) => i)
        .filter((i) => (i * 7) % 3 === p)
        .map((i) => `j${i}`),
    );
    expect(names).toEqual(expected);
  });

  it('orders numbers, strings and nested arrays naturally', async () => {
    await runVirtual(function* () {
      const nums = new PriorityQueue<number>();
      for (const n of [5, -1, 3, 10, 0, 3]) yield* nums.put(n);
      const outNums: number[] = [];
      while (!nums.empty()) outNums.push(yield* nums.get());
      expect(outNums).toEqual([-1, 0, 3, 3, 5, 10]);
      const tuples = new PriorityQueue<(number | string)[]>();
      for (const t of [[1, 'b'], [1], [0, 'z'], [1, 'a']]) yield* tuples.put(t);
      const outTuples: (number | string)[][] = [];
      while (!tuples.empty()) outTuples.push(yield* tuples.get());
      expect(outTuples).toEqual([[0, 'z'], [1], [1, 'a'], [1, 'b']]);
    });
  });

  it('a get admits the item of a waiting putter before choosing the smallest; a get wait times out or is cancelled cleanly', async () => {
    const events: string[] = [];
    const q = new PriorityQueue<number>(2);
    await runVirtual(function* () {
      yield* q.put(5);
      yield* q.put(3);
      const p = yield* newTask(
        (function* () {
          yield* q.put(1);
          events.push('put 1');
        })(),
      );
      expect(yield* outcome(q.put(0, { timeout: 2 }))).toBe('TaskTimeout');
      events.push(`get ${yield* q.get()}`);
      events.push(`get ${yield* q.get()}`);
      events.push(`get ${yield* q.get()}`);
      yield* p.join();
      expect(yield* outcome(q.get({ timeout: 2 }))).toBe('TaskTimeout');
      const g = yield* newTask(q.get());
      yield* g.cancel();
      expect(g.excInfo).toBeInstanceOf(CancelledError);
      yield* q.put(9);
      expect(q.qsize()).toBe(1);
    });
    expect(events).toEqual(['put 1', 'get 1', 'get 3', 'get 5']);
  });

  it('rejects items it cannot order and a bad compare option', async () => {
    expect(() => new PriorityQueue(0, { compare: 'x' as never })).toThrow(
      new TypeError(
        'PriorityQueue(maxsize, options): options.compare must be a function (a, b) => number, got "x"',
      ),
    );
    expect(() => new PriorityQueue(0, 5 as never)).toThrow(TypeError);
    expect(() => new PriorityQueue(-2)).toThrow(
      'PriorityQueue(maxsize): maxsize must be an integer >= 0 (0: unbounded), got -2',
    );
    const q = new PriorityQueue<unknown>();
    await runVirtual(function* () {
      expect(() => q.put({ a: 1 }).next()).toThrow(
        'PriorityQueue.put(item): without a compare option, items must be numbers, strings, bigints or arrays of them, got an object',
      );
      expect(() => q.put([1, null]).next()).toThrow(TypeError);
      expect(() => q.put(Number.NaN).next()).toThrow(TypeError);
      expect(q.qsize()).toBe(0);
      yield* sleep(0);
    });
  });

  it('a compare that throws leaves the queue intact', async () => {
    let explode = false;
    const q = new PriorityQueue<number>(0, {
      compare: (a, b) => {
        if (explode) throw new Error('compare failed');
        return a - b;
      },
    });
    await runVirtual(function* () {
      for (const n of [4, 2, 6, 1, 3]) yield* q.put(n);
      explode = true;
      expect(yield* outcome(q.put(0))).toBe('Error');
      expect(yield* outcome(q.get())).toBe('Error');
      explode = false;
      expect(q.qsize()).toBe(5);
      const out: number[] = [];
      while (!q.empty()) out.push(yield* q.get());
      expect(out).toEqual([1, 2, 3, 4, 6]);
    });
  });
});

describe('LifoQueue', () => {
  it('returns the most recent item first, and bounds like Queue', async () => {
    const events: string[] = [];
    const q = new LifoQueue<string>(2);
    await runVirtual(function* () {
      yield* q.put('a');
      yield* q.put('b');
      const p = yield* newTask(
        (function* () {
          yield* q.put('c');
          events.push('put c');
        })(),
      );
      expect(yield* outcome(q.put('x', { timeout: 1 }))).toBe('TaskTimeout');
      while (!q.empty()) events.push(`get ${yield* q.get()}`);
      yield* p.join();
      const g = yield* newTask(
        (function* () {
          events.push(`waiter got ${yield* q.get()}`);
        })(),
      );
      yield* q.put('d');
      yield* g.join();
    });
    expect(events).toEqual(['put c', 'get c', 'get b', 'get a', 'waiter got d']);
    expect(() => new LifoQueue(0.5)).toThrow(
      'LifoQueue(maxsize): maxsize must be an integer >= 0 (0: unbounded), got 0.5',
    );
  });
});
