// Long runs leak nothing: a million spawn+join and a million timeoutAfter(sleep(0)) leave the
// heap and RSS where they started (after a forced GC). Minutes long, so it runs only when
// CURIO_STRESS is set (scripts/stress-tests.sh sets it).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { type Coro, Kernel, newTask, sleep, timeoutAfter } from '../src/index.js';

// V8's collector, exposed when first needed: only the stress run asks for it (Bun, which runs
// this suite too, has no V8 flags to set).
let gc: (() => void) | undefined;

const N = 1_000_000;
const BATCH = 1000;

function* returns(i: number): Coro<number> {
  return i;
}

function* spawnJoin(rounds: number): Coro<number> {
  let sum = 0;
  const tasks = new Array(BATCH);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < BATCH; i++) tasks[i] = yield* newTask(returns(i));
    for (let i = 0; i < BATCH; i++) sum += yield* tasks[i].join();
  }
  tasks.fill(undefined);
  return sum;
}

function* timeouts(n: number): Coro<number> {
  for (let i = 0; i < n; i++) yield* timeoutAfter(1000, sleep(0));
  return n;
}

function memory(): { heap: number; rss: number } {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  for (let i = 0; i < 3; i++) gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heap: heapUsed, rss };
}

function within10Percent(
  before: { heap: number; rss: number },
  after: { heap: number; rss: number },
) {
  return {
    heap: after.heap <= before.heap * 1.1 ? 'ok' : `grew ${before.heap} -> ${after.heap}`,
    rss: after.rss <= before.rss * 1.1 ? 'ok' : `grew ${before.rss} -> ${after.rss}`,
  };
}

describe.skipIf(!process.env.CURIO_STRESS)('long runs (CURIO_STRESS)', () => {
  it('1M spawn+join, then 1M timeoutAfter(sleep(0)), on one kernel: no growth', async () => {
    const kernel = new Kernel();
    // Warm up with one full-size round of each: RSS grows to V8's working size during the
    // first million (young generation, code, malloc arenas) and stays there; a leak keeps
    // growing after it.
    await kernel.run(spawnJoin(N / BATCH));
    await kernel.run(timeouts(N));
    const start = memory();
    expect(await kernel.run(spawnJoin(N / BATCH))).toBe((N / BATCH) * ((BATCH * (BATCH - 1)) / 2));
    const afterSpawn = memory();
    expect(await kernel.run(timeouts(N))).toBe(N);
    const afterTimeouts = memory();
    await kernel.shutdown();
    expect({
      spawn: within10Percent(start, afterSpawn),
      timeouts: within10Percent(start, afterTimeouts),
    }).toEqual({ spawn: { heap: 'ok', rss: 'ok' }, timeouts: { heap: 'ok', rss: 'ok' } });
  }, 600_000);
});
