// Cookbook: retry with exponential backoff and jitter. `retry(attempt)` calls `attempt(n)` until
// it succeeds, waiting a random time between tries ("full jitter": up to 100 ms, then 200,
// 400, ... at most `maxMs`), so that many clients failing at once do not retry in lockstep.
//   node apps/examples/dist/cookbook/retry.js
import { pathToFileURL } from 'node:url';
import {
  CancelledError,
  type Coro,
  getKernel,
  run,
  sleep,
  timeoutAfter,
  VirtualTimeSelector,
} from '@curio/kernel';

export interface RetryOptions {
  /** Tries in all (default 5); the last failure is raised. */
  attempts?: number;
  /** The largest wait before the second try, in ms (default 100); it doubles at each try. */
  baseMs?: number;
  /** The largest wait ever, in ms (default 10 000). */
  maxMs?: number;
  /** A time limit for each try, in ms (default none); a try over it fails with TaskTimeout. */
  attemptMs?: number;
  /** A number in [0, 1); tests pass their own. */
  random?: () => number;
}

export function* retry<T>(attempt: (n: number) => Coro<T>, options: RetryOptions = {}): Coro<T> {
  const { attempts = 5, baseMs = 100, maxMs = 10_000, attemptMs, random = Math.random } = options;
  for (let n = 1; ; n++) {
    try {
      return yield* attemptMs === undefined ? attempt(n) : timeoutAfter(attemptMs, attempt(n));
    } catch (err) {
      // Never retry a cancellation: the task is being stopped.
      if (err instanceof CancelledError || n >= attempts) throw err;
      yield* sleep(Math.floor(random() * Math.min(maxMs, baseMs * 2 ** (n - 1))));
    }
  }
}

// The demo: a service that fails twice, then hangs once, then answers. In virtual time, so it
// runs at once; the waits between tries differ from run to run.
function* main(): Coro<void> {
  const clock = (yield* getKernel()).selector;
  const log = (text: string) => console.log(`[${String(clock.now()).padStart(4)} ms] ${text}`);
  function* fetchQuote(n: number): Coro<string> {
    log(`try ${n}`);
    if (n <= 2) throw new Error('connection reset');
    if (n === 3) yield* sleep(60_000); // hangs: the 1 s limit on each try ends it
    return 'the quote';
  }
  log(`got ${yield* retry(fetchQuote, { attemptMs: 1000 })}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run(main(), { selector: new VirtualTimeSelector() });
}
