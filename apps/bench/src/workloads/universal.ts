// UniversalQueue benchmarks: plain async code and a curio task passing items back and forth,
// against curio's Queue between two tasks (the sync-queue workload's ping-pong) and against
// two plain async functions handing items over through bare promises (the floor for any
// hand-off that goes through a promise).
import { type Coro, newTask, run } from '@curio/kernel';
import { Queue, UniversalQueue } from '@curio/queue';
import { now, perSecond, type Workload } from '../harness.js';

const N = 1_000_000; // round trips per run

// The task echoes every ping back as a pong; the plain async function drives it.
async function universalPingPong(n: number): Promise<void> {
  const ping = new UniversalQueue<number>();
  const pong = new UniversalQueue<number>();
  const echo = run(
    (function* (): Coro<void> {
      for (let i = 0; i < n; i++) yield* pong.put(yield* ping.get());
    })(),
  );
  for (let i = 0; i < n; i++) {
    await ping.putAsync(i);
    if ((await pong.getAsync()) !== i) throw new Error(`round trip ${i}: wrong item`);
  }
  await echo;
}

// The same between two tasks with curio's Queue (as workloads/sync-queue.ts).
function* queuePingPong(n: number): Coro<void> {
  const ping = new Queue<number>();
  const pong = new Queue<number>();
  const echo = yield* newTask(
    (function* () {
      for (let i = 0; i < n; i++) yield* pong.put(yield* ping.get());
    })(),
  );
  for (let i = 0; i < n; i++) {
    yield* ping.put(i);
    if ((yield* pong.get()) !== i) throw new Error(`round trip ${i}: wrong item`);
  }
  yield* echo.join();
}

// The floor: the least a promise hand-off costs, with no kernel and no queue semantics.
class PromiseChannel<T> {
  private readonly items: T[] = [];
  private readonly waiting: ((item: T) => void)[] = [];
  put(item: T): void {
    const resolve = this.waiting.shift();
    if (resolve !== undefined) resolve(item);
    else this.items.push(item);
  }
  get(): Promise<T> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift() as T);
    return new Promise<T>((resolve) => this.waiting.push(resolve));
  }
}

/** Two plain async functions ping-ponging `n` items through bare promises (no kernel). */
export async function promisePingPong(n: number): Promise<void> {
  const ping = new PromiseChannel<number>();
  const pong = new PromiseChannel<number>();
  const echo = (async () => {
    for (let i = 0; i < n; i++) pong.put(await ping.get());
  })();
  for (let i = 0; i < n; i++) {
    ping.put(i);
    if ((await pong.get()) !== i) throw new Error(`round trip ${i}: wrong item`);
  }
  await echo;
}

const universalQueuePingPong: Workload = {
  name: 'universal-queue-pingpong',
  title: `UniversalQueue ping-pong, async fn <-> task, ${N / 1e6}M round trips`,
  unit: 'msgs/s',
  target: '>= 0.5x queue',
  rounds: 3,
  runs: 6,
  check: (m) => {
    const ratio = m.universal / m.queue;
    return ratio >= 0.5 ? undefined : `${ratio.toFixed(2)}x queue < 0.5x`;
  },
  systems: {
    universal: async () => {
      const t0 = now();
      await universalPingPong(N);
      return perSecond(2 * N, now() - t0);
    },
    queue: async () => {
      const t0 = now();
      await run(queuePingPong(N));
      return perSecond(2 * N, now() - t0);
    },
    async: async () => {
      const t0 = now();
      await promisePingPong(N);
      return perSecond(2 * N, now() - t0);
    },
  },
};

export const workloads: Workload[] = [universalQueuePingPong];
