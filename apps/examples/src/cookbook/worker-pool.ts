// Cookbook: a worker pool with a Semaphore. `mapLimited(items, limit, work)` runs `work` on
// every item, at most `limit` at a time, and returns the results in the items' order. If one
// fails, the others are cancelled and its error is raised as it is.
//   node apps/examples/dist/cookbook/worker-pool.js
import { pathToFileURL } from 'node:url';
import {
  asyncWith,
  type Coro,
  gather,
  getKernel,
  run,
  sleep,
  VirtualTimeSelector,
} from '@curio/kernel';
import { Semaphore } from '@curio/sync';

export function* mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Coro<R>,
): Coro<R[]> {
  const permits = new Semaphore(limit);
  // Every item gets a task at once; each waits for a permit before it works, and gives it back
  // however it ends. gather returns the results in order, or cancels the rest at a failure.
  return yield* gather(items.map((item) => asyncWith(permits, () => work(item))));
}

// The demo: eight downloads of different lengths, three at a time, in virtual time.
function* main(): Coro<void> {
  const clock = (yield* getKernel()).selector;
  const log = (text: string) => console.log(`[${String(clock.now()).padStart(3)} ms] ${text}`);
  function* download(ms: number): Coro<string> {
    log(`start ${ms} ms download`);
    yield* sleep(ms);
    return `${ms} ms file`;
  }
  const files = yield* mapLimited([300, 100, 200, 100, 400, 100, 200, 100], 3, download);
  log(`done: ${files.join(', ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run(main(), { selector: new VirtualTimeSelector() });
}
