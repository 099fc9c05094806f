// Cookbook: first to complete. `race(coros)` runs them all at once and returns the result of
// the first to end; the others are cancelled, and have ended (their `finally` blocks run),
// before it returns. With `{ timeout }` it gives up when none ends in time.
//   node apps/examples/dist/cookbook/first-completed.js
import {
  type Coro,
  getKernel,
  race,
  run,
  sleep,
  TaskTimeout,
  VirtualTimeSelector,
} from '@curio/kernel';

function* main(): Coro<void> {
  const clock = (yield* getKernel()).selector;
  const log = (text: string) => console.log(`[${String(clock.now()).padStart(4)} ms] ${text}`);

  // Fetching the same file from a mirror that takes `ms` to answer.
  function* download(mirror: string, ms: number): Coro<string> {
    try {
      yield* sleep(ms);
    } catch (err) {
      log(`${mirror}: cancelled`); // a CancelledError, raised where it waited
      throw err;
    }
    log(`${mirror}: answered`);
    return `file from ${mirror}`;
  }

  // Ask three mirrors at once; the fastest wins.
  const file = yield* race([download('eu', 120), download('us', 80), download('asia', 200)]);
  log(`got the ${file}`);

  // None answers within a second: race raises TaskTimeout, and every download is cancelled.
  try {
    yield* race([download('eu', 3000), download('us', 5000)], { timeout: 1000 });
  } catch (err) {
    if (!(err instanceof TaskTimeout)) throw err;
    log('no mirror answered within 1 s');
  }
}

await run(main(), { selector: new VirtualTimeSelector() });
