// Property test: random producers and consumers on both sides of a UniversalQueue (tasks of two
// kernels, and plain async code), waiting and non-waiting calls, `for await` loops left with
// `break`, timeouts, cancellations and aborts, over random bounded queues. Every item whose put
// succeeded is got exactly once (during the run, or left in the queue at the end), no other
// item is got, and each consumer gets each producer's items in order.
//
// Time is virtual and shared: one clock drives both kernels (through a Selector of its own) and
// plain code (vitest's fake setTimeout, which the queue's own `timeout` option uses too). Once
// every kernel is idle and plain code has run all it can (a host macrotask later), the clock
// moves on 1 ms, firing the plain timers and then the kernels' deadlines that are due. A run is
// deterministic and takes no real time.
import {
  type Coro,
  futureWait,
  Kernel,
  newTask,
  type Selector,
  sleep,
  type Task,
  TaskTimeout,
} from '@curio/kernel';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { propertyRuns, propertyTimeout } from '../../../test-support/property.js';
import {
  QueueEmpty,
  QueueFull,
  UniversalQueue,
  type UniversalQueueAsyncOptions,
} from '../src/index.js';

// Sized by run count (FAST_CHECK_RUNS for more), with a timeout only a hang can reach.
const RUNS = propertyRuns();

type Signal = NonNullable<UniversalQueueAsyncOptions['signal']>;
interface Controller {
  signal: Signal;
  abort(reason?: unknown): void;
}
const host = globalThis as unknown as {
  AbortController: new () => Controller;
  setTimeout(fn: () => void, ms: number): unknown;
  setImmediate?: (fn: () => void) => unknown;
  MessageChannel?: new () => {
    port1: { onmessage: (() => void) | null };
    port2: { postMessage(v: unknown): void };
  };
};

// A host macrotask: after every pending microtask (Node: setImmediate; browsers: a message).
const macrotask: (fn: () => void) => void = (() => {
  const setImmediate = host.setImmediate;
  if (typeof setImmediate === 'function') return (fn) => void setImmediate(fn);
  const channel = new (host.MessageChannel as NonNullable<typeof host.MessageChannel>)();
  const pending: (() => void)[] = [];
  channel.port1.onmessage = () => pending.shift()?.();
  return (fn) => {
    pending.push(fn);
    channel.port2.postMessage(0);
  };
})();

class SharedClock {
  time = 0;
  private readonly selectors = new Set<ClockSelector>();
  private scheduled = false;
  private closed = false;

  selector(): ClockSelector {
    const selector = new ClockSelector(this);
    this.selectors.add(selector);
    return selector;
  }

  detach(selector: ClockSelector): void {
    this.selectors.delete(selector);
    this.schedule();
  }

  /** The run is over: the clock stops. */
  close(): void {
    this.closed = true;
  }

  schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    macrotask(() => {
      this.scheduled = false;
      if (!this.closed) this.advance();
    });
  }

  // A kernel that is busy calls `wait` (and so `schedule`) when it is idle again.
  private advance(): void {
    let deadline = Number.POSITIVE_INFINITY;
    for (const s of this.selectors) {
      if (!s.idle) return;
      deadline = Math.min(deadline, s.deadline);
    }
    if (deadline === Number.POSITIVE_INFINITY && vi.getTimerCount() === 0) return;
    this.time += 1;
    vi.advanceTimersByTime(1);
    for (const s of this.selectors) if (s.idle && s.deadline <= this.time) s.fire();
    this.schedule();
  }
}

class ClockSelector implements Selector {
  idle = false;
  deadline = Number.POSITIVE_INFINITY;
  private wake: (() => void) | null = null;

  constructor(private readonly clock: SharedClock) {}

  now(): number {
    return this.clock.time;
  }

  wait(deadline: number, _externalWaits: number, wake: () => void): boolean {
    this.idle = true;
    this.deadline = deadline;
    this.wake = wake;
    this.clock.schedule();
    return false;
  }

  cancelWait(): void {
    this.idle = false;
    this.deadline = Number.POSITIVE_INFINITY;
    this.wake = null;
  }

  fire(): void {
    const wake = this.wake;
    this.cancelWait();
    wake?.();
  }
}

function plainSleep(ms: number): Promise<void> {
  return ms > 0
    ? new Promise((resolve) => host.setTimeout(resolve, ms))
    : Promise.resolve(undefined);
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

// ---- scenarios ------------------------------------------------------------------------------

type Side = 0 | 1 | 'plain'; // kernel 0, kernel 1, or plain async code

interface Producer {
  side: Side;
  nowait: boolean; // putNowait (dropping the item on QueueFull) instead of put / putAsync
  delays: number[]; // ms before each put; one item per delay
  timeout: number | undefined;
  stopAt: number | undefined; // task: cancelled then; plain: its signal aborts then
}
interface Consumer {
  side: Side;
  style: 'wait' | 'nowait' | 'iterate'; // get / getAsync, polling getNowait, for await (plain)
  work: number[]; // ms of work after each item, used in turn
  timeout: number | undefined;
  stopAt: number | undefined; // ignored for consumer 0, which stays to the end
  breakEvery: number; // `for await` loops break after this many items, then start again
}
interface Scenario {
  maxsize: number;
  producers: Producer[];
  consumers: Consumer[];
}

const side: fc.Arbitrary<Side> = fc.constantFrom<Side>(0, 1, 'plain');
const scenario: fc.Arbitrary<Scenario> = fc.record({
  maxsize: fc.integer({ min: 0, max: 3 }),
  producers: fc.array(
    fc.record({
      side,
      nowait: fc.boolean(),
      delays: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 6 }),
      timeout: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
      stopAt: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  consumers: fc.array(
    fc.record({
      side,
      style: fc.constantFrom<Consumer['style']>('wait', 'wait', 'nowait', 'iterate'),
      work: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
      // At least 1 ms: a task looping on get({ timeout: 0 }) would time out again and again at
      // the same virtual instant, and the clock would never move on.
      timeout: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      stopAt: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
      breakEvery: fc.integer({ min: 1, max: 3 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

interface Outcome {
  put: number[]; // items whose put succeeded
  got: number[][]; // per consumer, in the order got
  left: number[]; // items still in the queue at the end
}

async function simulate(s: Scenario): Promise<Outcome> {
  const clock = new SharedClock();
  const queue = new UniversalQueue<number>(s.maxsize);
  const put: number[] = [];
  const got: number[][] = s.consumers.map(() => []);
  const producersDone = s.producers.map(() => deferred());
  const end = deferred();
  const stopPlain: (() => void)[] = [];

  // ---- tasks ----

  function* taskProducer(p: number, spec: Producer): Coro<void> {
    try {
      for (let i = 0; i < spec.delays.length; i++) {
        yield* sleep(spec.delays[i]);
        const item = p * 100 + i;
        if (spec.nowait) {
          try {
            queue.putNowait(item);
          } catch (err) {
            if (err instanceof QueueFull) continue;
            throw err;
          }
        } else {
          try {
            yield* queue.put(item, { timeout: spec.timeout });
          } catch (err) {
            if (err instanceof TaskTimeout) continue;
            throw err;
          }
        }
        put.push(item);
      }
    } finally {
      producersDone[p].resolve();
    }
  }

  function* taskConsumer(c: number, spec: Consumer): Coro<void> {
    for (let k = 0; ; k++) {
      let item: number;
      if (spec.style === 'nowait') {
        try {
          item = queue.getNowait();
        } catch (err) {
          if (!(err instanceof QueueEmpty)) throw err;
          yield* sleep(1);
          continue;
        }
      } else {
        try {
          item = yield* queue.get({ timeout: spec.timeout });
        } catch (err) {
          if (err instanceof TaskTimeout) continue;
          throw err;
        }
      }
      got[c].push(item);
      yield* sleep(spec.work[k % spec.work.length]);
    }
  }

  function* cancelAt(ms: number, task: Task): Coro<void> {
    yield* sleep(ms);
    yield* task.cancel();
  }

  function* kernelMain(k: 0 | 1): Coro<void> {
    const helpers: Task[] = [];
    for (const [p, spec] of s.producers.entries()) {
      if (spec.side !== k) continue;
      const task = yield* newTask(taskProducer(p, spec));
      if (spec.stopAt !== undefined) helpers.push(yield* newTask(cancelAt(spec.stopAt, task)));
    }
    const consumers: Task[] = [];
    for (const [c, spec] of s.consumers.entries()) {
      if (spec.side !== k) continue;
      const task = yield* newTask(taskConsumer(c, spec));
      consumers.push(task);
      if (c > 0 && spec.stopAt !== undefined) {
        helpers.push(yield* newTask(cancelAt(spec.stopAt, task)));
      }
    }
    yield* futureWait(end.promise);
    for (const task of [...helpers, ...consumers]) yield* task.cancel();
  }

  // ---- plain code ----

  async function plainProducer(p: number, spec: Producer): Promise<void> {
    const stop = new host.AbortController();
    if (spec.stopAt !== undefined) host.setTimeout(() => stop.abort('stopped'), spec.stopAt);
    try {
      for (let i = 0; i < spec.delays.length; i++) {
        await plainSleep(spec.delays[i]);
        if (stop.signal.aborted) return;
        const item = p * 100 + i;
        if (spec.nowait) {
          try {
            queue.putNowait(item);
          } catch (err) {
            if (err instanceof QueueFull) continue;
            throw err;
          }
        } else {
          try {
            await queue.putAsync(item, { timeout: spec.timeout, signal: stop.signal });
          } catch (err) {
            if (stop.signal.aborted) return;
            if (err instanceof TaskTimeout) continue;
            throw err;
          }
        }
        put.push(item);
      }
    } finally {
      producersDone[p].resolve();
    }
  }

  async function plainConsumer(c: number, spec: Consumer): Promise<void> {
    const stop = new host.AbortController();
    let iterator: AsyncIterator<number> | null = null;
    const halt = () => {
      stop.abort('stopped');
      void iterator?.return?.();
    };
    stopPlain.push(halt);
    if (c > 0 && spec.stopAt !== undefined) host.setTimeout(halt, spec.stopAt);
    for (let k = 0; !stop.signal.aborted; k++) {
      const work = spec.work[k % spec.work.length];
      if (spec.style === 'iterate') {
        const current = queue[Symbol.asyncIterator]();
        iterator = current;
        let n = 0;
        for await (const item of { [Symbol.asyncIterator]: () => current }) {
          got[c].push(item);
          if (++n >= spec.breakEvery) break;
          await plainSleep(work);
        }
        continue;
      }
      if (spec.style === 'nowait') {
        try {
          got[c].push(queue.getNowait());
        } catch (err) {
          if (!(err instanceof QueueEmpty)) throw err;
          await plainSleep(1);
          continue;
        }
      } else {
        try {
          got[c].push(await queue.getAsync({ timeout: spec.timeout, signal: stop.signal }));
        } catch (err) {
          if (stop.signal.aborted) return;
          if (err instanceof TaskTimeout) continue;
          throw err;
        }
      }
      await plainSleep(work);
    }
  }

  // ---- the run ----

  const plain: Promise<void>[] = [];
  for (const [p, spec] of s.producers.entries()) {
    if (spec.side === 'plain') plain.push(plainProducer(p, spec));
  }
  for (const [c, spec] of s.consumers.entries()) {
    if (spec.side === 'plain') plain.push(plainConsumer(c, spec));
  }
  const kernels = ([0, 1] as const).map(async (k) => {
    const selector = clock.selector();
    const kernel = new Kernel({ selector });
    try {
      await kernel.run(kernelMain(k), { logErrors: false });
      await kernel.shutdown();
    } finally {
      clock.detach(selector);
    }
  });
  await Promise.all(producersDone.map((d) => d.promise));
  end.resolve();
  for (const halt of stopPlain) halt();
  await Promise.all([...kernels, ...plain]);
  clock.close();
  const left: number[] = [];
  while (!queue.empty()) left.push(queue.getNowait());
  return { put, got, left };
}

function check(o: Outcome): void {
  const all = [...o.got.flat(), ...o.left];
  expect(new Set(all).size).toBe(all.length); // none twice
  expect([...all].sort((a, b) => a - b)).toEqual([...o.put].sort((a, b) => a - b)); // all, once
  for (const items of o.got) {
    for (let p = 0; p < 4; p++) {
      const mine = items.filter((item) => Math.floor(item / 100) === p);
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
  }
}

describe('UniversalQueue properties', { timeout: propertyTimeout(RUNS) }, () => {
  it('tasks of two kernels and plain code: every item put is got exactly once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          vi.clearAllTimers();
          check(await simulate(s));
        }),
        { numRuns: RUNS },
      );
    } finally {
      vi.useRealTimers();
    }
  });
});
