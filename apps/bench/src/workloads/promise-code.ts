// Meeting Promise code: the round trip of handing a running kernel a coroutine from plain code
// (Kernel.submit) against Effection 4's scope.run, Effect 3's and Effect 4's runPromise and a
// bare await; and TaskLocal.get() against Node's AsyncLocalStorage.getStore().
import { AsyncLocalStorage } from 'node:async_hooks';
import { type Coro, Kernel, newTask, run, TaskLocal } from '@curio/kernel';
import { Effect } from 'effect';
import { Effect as Effect4 } from 'effect4';
import * as effection from 'effection';
import { now, perSecond, type Workload } from '../harness.js';

// 1M round trips a run: V8 takes ~600k submits to tier the whole path up (200k a run measured
// mostly unoptimized code: 3.1M/s against 6.5-7M/s in the steady state).
const SUBMIT_N = 1_000_000;
// Effection's scope.run is ~1000x slower here: 2k round trips keep its run near a second.
const EFFECTION_N = 2_000;
const GET_N = 20_000_000;

function ratio(m: Record<string, number>, peer: string, factor: number): string | undefined {
  const r = m.curio / m[peer];
  return r >= factor ? undefined : `${r.toFixed(2)}x ${peer} < ${factor}x`;
}

function* answer(): Coro<number> {
  return 1;
}

const submitRoundTrip: Workload = {
  name: 'promise-submit-roundtrip',
  title: `submit a coroutine that returns at once and await it, ${SUBMIT_N / 1000}k times (effection ${EFFECTION_N / 1000}k)`,
  unit: 'round trips/s',
  target: '>= 5x effection, >= 2x effect4, >= 0.3x await',
  // The systems take turns, a fresh worker each round: a change in the shared machine's load
  // hits every system alike, so the ratios hold within the run.
  runs: 5,
  rounds: 5,
  check: (m) => {
    const found = [ratio(m, 'effection', 5), ratio(m, 'effect4', 2), ratio(m, 'await', 0.3)];
    const missed = found.filter((f) => f !== undefined);
    return missed.length > 0 ? missed.join('; ') : undefined;
  },
  systems: {
    curio: async () => {
      const kernel = new Kernel();
      const serving = kernel.runForever();
      const t0 = now();
      for (let i = 0; i < SUBMIT_N; i++) await kernel.submit(answer());
      const rate = perSecond(SUBMIT_N, now() - t0);
      await kernel.shutdown();
      await serving;
      return rate;
    },
    effection: async () => {
      const [scope, destroy] = effection.createScope();
      const t0 = now();
      for (let i = 0; i < EFFECTION_N; i++) {
        await scope.run(function* () {
          return 1;
        });
      }
      const rate = perSecond(EFFECTION_N, now() - t0);
      await destroy();
      return rate;
    },
    effect4: async () => {
      const t0 = now();
      for (let i = 0; i < SUBMIT_N; i++) await Effect4.runPromise(Effect4.succeed(1));
      return perSecond(SUBMIT_N, now() - t0);
    },
    effect: async () => {
      const t0 = now();
      for (let i = 0; i < SUBMIT_N; i++) await Effect.runPromise(Effect.succeed(1));
      return perSecond(SUBMIT_N, now() - t0);
    },
    await: async () => {
      const t0 = now();
      for (let i = 0; i < SUBMIT_N; i++) await Promise.resolve(1);
      return perSecond(SUBMIT_N, now() - t0);
    },
  },
};

const localGet: Workload = {
  name: 'promise-tasklocal-get',
  title: `TaskLocal.get() in a task (set by its parent), ${GET_N / 1e6}M times`,
  unit: 'gets/s',
  target: '>= 20M gets/s',
  check: (m) => (m.curio >= 20e6 ? undefined : `${(m.curio / 1e6).toFixed(1)}M < 20M gets/s`),
  systems: {
    curio: async () => {
      const local = new TaskLocal<number>(0);
      function* reader(): Coro<number> {
        let sum = 0;
        const t0 = now();
        for (let i = 0; i < GET_N; i++) sum += local.get();
        const rate = perSecond(GET_N, now() - t0);
        if (sum !== GET_N) throw new Error('wrong value');
        return rate;
      }
      function* main(): Coro<number> {
        local.set(1);
        return yield* (yield* newTask(reader())).join();
      }
      return run(main());
    },
    asyncLocalStorage: async () => {
      const storage = new AsyncLocalStorage<number>();
      return storage.run(1, async () => {
        let sum = 0;
        const t0 = now();
        for (let i = 0; i < GET_N; i++) sum += storage.getStore() ?? 0;
        const rate = perSecond(GET_N, now() - t0);
        if (sum !== GET_N) throw new Error('wrong value');
        return rate;
      });
    },
  },
};

export const workloads: Workload[] = [submitRoundTrip, localGet];
