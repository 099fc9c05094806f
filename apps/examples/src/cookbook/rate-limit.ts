// Cookbook: rate limiting. A RateLimiter lets `perSecond` calls through each second, and up to
// `burst` at once after a quiet spell; `yield* limiter.acquire()` waits for the next slot.
// Slots go out in the order they were asked for, whichever task asks.
//   node apps/examples/dist/cookbook/rate-limit.js
import { pathToFileURL } from 'node:url';
import { type Coro, getKernel, newTask, run, sleep, VirtualTimeSelector } from '@curio/kernel';

export class RateLimiter {
  private readonly interval: number;
  private steady = -Infinity; // when the next call would go at the steady rate

  constructor(
    perSecond: number,
    private readonly burst = 1,
  ) {
    if (!(perSecond > 0) || !Number.isInteger(burst) || burst < 1) {
      throw new RangeError(
        `RateLimiter: need perSecond > 0 and burst >= 1, got ${perSecond}, ${burst}`,
      );
    }
    this.interval = 1000 / perSecond;
  }

  /** Wait until a call may go. */
  *acquire(): Coro<void> {
    const now = (yield* getKernel()).selector.now();
    const slot = Math.max(this.steady, now);
    this.steady = slot + this.interval;
    // A burst may run up to `burst - 1` intervals ahead of the steady rate.
    const wait = slot - (this.burst - 1) * this.interval - now;
    if (wait > 0) yield* sleep(wait);
  }
}

// The demo: two tasks share a limit of 5 calls a second with bursts of 2, in virtual time.
function* main(): Coro<void> {
  const clock = (yield* getKernel()).selector;
  const limiter = new RateLimiter(5, 2);
  function* caller(name: string, calls: number): Coro<void> {
    for (let n = 1; n <= calls; n++) {
      yield* limiter.acquire();
      console.log(`[${String(clock.now()).padStart(4)} ms] ${name} call ${n}`);
    }
  }
  const a = yield* newTask(caller('a', 4));
  const b = yield* newTask(caller('b', 2));
  yield* a.join();
  yield* b.join();
  yield* sleep(2000); // quiet: the burst allowance comes back
  yield* caller('c', 3);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run(main(), { selector: new VirtualTimeSelector() });
}
