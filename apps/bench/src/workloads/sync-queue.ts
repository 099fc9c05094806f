// @curio/queue and @curio/sync benchmarks: queue hand-off, bounded producer/consumer, and lock
// acquire/release, side by side with Effect 3 and 4 (Queue, Semaphore) and Effection 4
// (createQueue).
// Only the ping-pong has a target; the other lines are there for comparison.
import { type Coro, newTask, run, sleep } from '@curio/kernel';
import { Queue } from '@curio/queue';
import { Lock } from '@curio/sync';
import { Effect, Queue as EffectQueue, Fiber } from 'effect';
import { Effect as Effect4, Queue as Effect4Queue, Fiber as Fiber4 } from 'effect4';
import * as effection from 'effection';
import { now, perSecond, type Workload } from '../harness.js';
import { promisePingPong } from './universal.js';

// Operations per system: enough for ~0.2-2 s a run. Effect's queue and semaphore are 10-100x
// slower here, so it gets fewer (its per-operation rates do not depend on the count).
const PINGPONG_N = { curio: 1_000_000, effect: 20_000, effect4: 200_000, effection: 200_000 }; // round trips
const BOUNDED_N = { curio: 1_000_000, effect: 200_000 };
const BOUNDED_SIZE = 16;
const LOCK_N = { curio: 1_000_000, effect: 200_000 };
const CONTENDED_TASKS = 10;
const CONTENDED_N = { curio: 20_000, effect: 5_000 }; // acquisitions per task

function atLeastTimes(m: Record<string, number>, peer: string, factor: number): string | undefined {
  const r = m.curio / m[peer];
  return r >= factor ? undefined : `${r.toFixed(1)}x ${peer} < ${factor}x`;
}

function misses(...found: (string | undefined)[]): string | undefined {
  const all = found.filter((f) => f !== undefined);
  return all.length > 0 ? all.join('; ') : undefined;
}

// ---- queue ping-pong --------------------------------------------------------------------

function* curioPingPong(n: number): Coro<void> {
  const ping = new Queue<number>();
  const pong = new Queue<number>();
  const echo = yield* newTask(
    (function* () {
      for (let i = 0; i < n; i++) yield* pong.put(yield* ping.get());
    })(),
  );
  for (let i = 0; i < n; i++) {
    yield* ping.put(i);
    yield* pong.get();
  }
  yield* echo.join();
}

const pingPong: Workload = {
  name: 'queue-pingpong',
  title: `queue ping-pong, 2 tasks, ${PINGPONG_N.curio / 1e6}M round trips (effect: ${PINGPONG_N.effect / 1000}k, effection: ${PINGPONG_N.effection / 1000}k)`,
  unit: 'msgs/s',
  // Against plain async functions handing items over through bare promises (the floor, see
  // universal.ts) rather than a fixed rate: the ratio holds on a slower machine, a rate does
  // not. The systems take turns, a fresh worker each round.
  target: '>= 0.5x async, >= 5x effect, >= 5x effection',
  runs: 6,
  rounds: 3,
  check: (m) =>
    misses(
      atLeastTimes(m, 'async', 0.5),
      atLeastTimes(m, 'effect', 5),
      atLeastTimes(m, 'effection', 5),
    ),
  systems: {
    curio: async () => {
      const t0 = now();
      await run(curioPingPong(PINGPONG_N.curio));
      return perSecond(2 * PINGPONG_N.curio, now() - t0);
    },
    effect: async () => {
      const n = PINGPONG_N.effect;
      const t0 = now();
      await Effect.runPromise(
        Effect.gen(function* () {
          const ping = yield* EffectQueue.unbounded<number>();
          const pong = yield* EffectQueue.unbounded<number>();
          const echo = yield* Effect.fork(
            Effect.gen(function* () {
              for (let i = 0; i < n; i++)
                yield* EffectQueue.offer(pong, yield* EffectQueue.take(ping));
            }),
          );
          for (let i = 0; i < n; i++) {
            yield* EffectQueue.offer(ping, i);
            yield* EffectQueue.take(pong);
          }
          yield* Fiber.join(echo);
        }),
      );
      return perSecond(2 * n, now() - t0);
    },
    effect4: async () => {
      const n = PINGPONG_N.effect4;
      const t0 = now();
      await Effect4.runPromise(
        Effect4.gen(function* () {
          const ping = yield* Effect4Queue.unbounded<number>();
          const pong = yield* Effect4Queue.unbounded<number>();
          const echo = yield* Effect4.forkChild(
            Effect4.gen(function* () {
              for (let i = 0; i < n; i++)
                yield* Effect4Queue.offer(pong, yield* Effect4Queue.take(ping));
            }),
          );
          for (let i = 0; i < n; i++) {
            yield* Effect4Queue.offer(ping, i);
            yield* Effect4Queue.take(pong);
          }
          yield* Fiber4.join(echo);
        }),
      );
      return perSecond(2 * n, now() - t0);
    },
    effection: async () => {
      const n = PINGPONG_N.effection;
      const t0 = now();
      await effection.run(function* () {
        const ping = effection.createQueue<number, void>();
        const pong = effection.createQueue<number, void>();
        const echo = yield* effection.spawn(function* () {
          for (let i = 0; i < n; i++) {
            const next = yield* ping.next();
            pong.add(next.done ? -1 : next.value);
          }
        });
        for (let i = 0; i < n; i++) {
          ping.add(i);
          yield* pong.next();
        }
        yield* echo;
      });
      return perSecond(2 * n, now() - t0);
    },
    async: async () => {
      const t0 = now();
      await promisePingPong(PINGPONG_N.curio);
      return perSecond(2 * PINGPONG_N.curio, now() - t0);
    },
  },
};

// ---- bounded producer/consumer ------------------------------------------------------------

function* curioBounded(n: number, size: number): Coro<void> {
  const queue = new Queue<number>(size);
  const consumer = yield* newTask(
    (function* () {
      for (let i = 0; i < n; i++) {
        yield* queue.get();
        yield* queue.taskDone();
      }
    })(),
  );
  for (let i = 0; i < n; i++) yield* queue.put(i);
  yield* queue.join();
  yield* consumer.join();
}

const bounded: Workload = {
  name: 'queue-bounded',
  title: `bounded queue (${BOUNDED_SIZE}), 1 producer, 1 consumer, ${BOUNDED_N.curio / 1e6}M items (effect: ${BOUNDED_N.effect / 1000}k)`,
  unit: 'msgs/s',
  systems: {
    curio: async () => {
      const t0 = now();
      await run(curioBounded(BOUNDED_N.curio, BOUNDED_SIZE));
      return perSecond(BOUNDED_N.curio, now() - t0);
    },
    effect: async () => {
      const n = BOUNDED_N.effect;
      const t0 = now();
      await Effect.runPromise(
        Effect.gen(function* () {
          const queue = yield* EffectQueue.bounded<number>(BOUNDED_SIZE);
          const consumer = yield* Effect.fork(
            Effect.gen(function* () {
              for (let i = 0; i < n; i++) yield* EffectQueue.take(queue);
            }),
          );
          for (let i = 0; i < n; i++) yield* EffectQueue.offer(queue, i);
          yield* Fiber.join(consumer);
        }),
      );
      return perSecond(n, now() - t0);
    },
  },
};

// ---- lock acquire/release ---------------------------------------------------------------

function* curioUncontended(n: number): Coro<void> {
  const lock = new Lock();
  for (let i = 0; i < n; i++) {
    yield* lock.acquire();
    yield* lock.release();
  }
}

const lockUncontended: Workload = {
  name: 'lock-uncontended',
  title: `Lock acquire+release, uncontended, ${LOCK_N.curio / 1e6}M (effect: ${LOCK_N.effect / 1000}k)`,
  unit: 'ops/s',
  systems: {
    curio: async () => {
      const t0 = now();
      await run(curioUncontended(LOCK_N.curio));
      return perSecond(LOCK_N.curio, now() - t0);
    },
    effect: async () => {
      const n = LOCK_N.effect;
      const t0 = now();
      await Effect.runPromise(
        Effect.gen(function* () {
          const sem = yield* Effect.makeSemaphore(1);
          const critical = sem.withPermits(1)(Effect.void);
          for (let i = 0; i < n; i++) yield* critical;
        }),
      );
      return perSecond(n, now() - t0);
    },
  },
};

// Each task takes the lock, yields once while holding it (so the others queue up), releases.
function* curioContended(tasks: number, n: number): Coro<void> {
  const lock = new Lock();
  function* worker(): Coro<void> {
    for (let i = 0; i < n; i++) {
      yield* lock.acquire();
      yield* sleep(0);
      yield* lock.release();
    }
  }
  const workers = [];
  for (let t = 0; t < tasks; t++) workers.push(yield* newTask(worker()));
  for (const w of workers) yield* w.join();
}

const lockContended: Workload = {
  name: 'lock-contended',
  title: `Lock acquire+yield+release, ${CONTENDED_TASKS} tasks contending`,
  unit: 'ops/s',
  systems: {
    curio: async () => {
      const t0 = now();
      await run(curioContended(CONTENDED_TASKS, CONTENDED_N.curio));
      return perSecond(CONTENDED_TASKS * CONTENDED_N.curio, now() - t0);
    },
    effect: async () => {
      const n = CONTENDED_N.effect;
      const t0 = now();
      await Effect.runPromise(
        Effect.gen(function* () {
          const sem = yield* Effect.makeSemaphore(1);
          const critical = sem.withPermits(1)(Effect.yieldNow());
          const worker = Effect.gen(function* () {
            for (let i = 0; i < n; i++) yield* critical;
          });
          const fibers = [];
          for (let t = 0; t < CONTENDED_TASKS; t++) fibers.push(yield* Effect.fork(worker));
          for (const f of fibers) yield* Fiber.join(f);
        }),
      );
      return perSecond(CONTENDED_TASKS * n, now() - t0);
    },
  },
};

export const workloads: Workload[] = [pingPong, bounded, lockUncontended, lockContended];
