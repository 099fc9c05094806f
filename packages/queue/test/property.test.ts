// Property tests: random producers and consumers over random bounded queues, with timeouts
// and cancellations, run in virtual time. Every item put is got exactly once, a FIFO queue
// keeps each producer's order, and join returns exactly when the last item is done.
import {
  type Coro,
  getKernel,
  newTask,
  run,
  sleep,
  type Task,
  TaskError,
  TaskTimeout,
  VirtualTimeSelector,
} from '@curio/kernel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyRuns, propertyTimeout } from '../../../test-support/property.js';
import { LifoQueue, PriorityQueue, Queue } from '../src/index.js';

// Sized by run count (FAST_CHECK_RUNS for more), with a timeout only a hang can reach.
const RUNS = propertyRuns();

interface Producer {
  delays: number[]; // sleep before each put; one item per delay
  putTimeout: number | undefined;
  cancelAt: number | undefined;
}
interface Consumer {
  work: number[]; // processing times, used in turn
  getTimeout: number | undefined;
  cancelAt: number | undefined; // ignored for consumer 0, which always stays
}
interface Scenario {
  maxsize: number;
  producers: Producer[];
  consumers: Consumer[];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  maxsize: fc.integer({ min: 0, max: 4 }),
  producers: fc.array(
    fc.record({
      delays: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 8 }),
      putTimeout: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
      cancelAt: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  consumers: fc.array(
    fc.record({
      work: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
      getTimeout: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      cancelAt: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

interface Outcome {
  put: number[]; // items whose put returned, in that order
  got: number[]; // items got, in the order get returned them
  doneAtJoin: number;
  joinCalledAt: number;
  joinedAt: number;
  lastDoneAt: number;
}

function simulate(queue: Queue<number>, s: Scenario): Promise<Outcome> {
  const put: number[] = [];
  const got: number[] = [];
  let done = 0;
  let lastDoneAt = -1;

  function* producer(p: number, spec: Producer): Coro<void> {
    for (let i = 0; i < spec.delays.length; i++) {
      yield* sleep(spec.delays[i]);
      const item = p * 100 + i;
      try {
        yield* queue.put(item, { timeout: spec.putTimeout });
      } catch (err) {
        if (err instanceof TaskTimeout) continue;
        throw err;
      }
      put.push(item);
    }
  }

  function* consumer(spec: Consumer): Coro<void> {
    const clock = (yield* getKernel()).selector;
    for (let k = 0; ; k++) {
      let item: number;
      try {
        item = yield* queue.get({ timeout: spec.getTimeout });
      } catch (err) {
        if (err instanceof TaskTimeout) continue;
        throw err;
      }
      got.push(item);
      try {
        yield* sleep(spec.work[k % spec.work.length]);
      } finally {
        done++;
        lastDoneAt = clock.now();
        yield* queue.taskDone();
      }
    }
  }

  function* cancelLater(ms: number, task: Task): Coro<void> {
    yield* sleep(ms);
    yield* task.cancel();
  }

  function* main(): Coro<Outcome> {
    const clock = (yield* getKernel()).selector;
    const consumers: Task[] = [];
    const helpers: Task[] = [];
    for (const [c, spec] of s.consumers.entries()) {
      const task = yield* newTask(consumer(spec));
      consumers.push(task);
      if (c > 0 && spec.cancelAt !== undefined) {
        helpers.push(yield* newTask(cancelLater(spec.cancelAt, task)));
      }
    }
    const producers: Task[] = [];
    for (const [p, spec] of s.producers.entries()) {
      const task = yield* newTask(producer(p, spec));
      producers.push(task);
      if (spec.cancelAt !== undefined)
        helpers.push(yield* newTask(cancelLater(spec.cancelAt, task)));
    }
    for (const task of producers) {
      try {
        yield* task.join();
      } catch (err) {
        if (!(err instanceof TaskError)) throw err; // a producer we cancelled
      }
    }
    const joinCalledAt = clock.now();
    yield* queue.join();
    const outcome = { put, got, doneAtJoin: done, joinCalledAt, joinedAt: clock.now(), lastDoneAt };
    for (const task of [...helpers, ...consumers]) yield* task.cancel();
    return outcome;
  }

  return run(main(), { selector: new VirtualTimeSelector(), logErrors: false });
}

function checkExactlyOnce(queue: Queue<number>, o: Outcome): void {
  expect(new Set(o.got).size).toBe(o.got.length);
  expect([...o.got].sort((a, b) => a - b)).toEqual([...o.put].sort((a, b) => a - b));
  expect(o.doneAtJoin).toBe(o.put.length);
  expect(o.joinedAt).toBe(Math.max(o.joinCalledAt, o.lastDoneAt));
  expect(queue.qsize()).toBe(0);
}

describe('Queue properties', { timeout: propertyTimeout(RUNS) }, () => {
  it('FIFO: every item is got exactly once, in order per producer; join is exact', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const queue = new Queue<number>(s.maxsize);
        const o = await simulate(queue, s);
        checkExactlyOnce(queue, o);
        for (let p = 0; p < s.producers.length; p++) {
          const mine = o.got.filter((item) => Math.floor(item / 100) === p);
          expect(mine).toEqual([...mine].sort((a, b) => a - b));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('PriorityQueue: every item is got exactly once; join is exact', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const queue = new PriorityQueue<number>(s.maxsize);
        checkExactlyOnce(queue, await simulate(queue, s));
      }),
      { numRuns: RUNS },
    );
  });

  it('LifoQueue: every item is got exactly once; join is exact', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const queue = new LifoQueue<number>(s.maxsize);
        checkExactlyOnce(queue, await simulate(queue, s));
      }),
      { numRuns: RUNS },
    );
  });
});
