import { type Coro, getKernel, newTask, run, sleep, VirtualTimeSelector } from '@curio/kernel';
import { expect, test } from 'vitest';
import { RateLimiter } from '../src/cookbook/rate-limit.js';
import { runRecipe } from './cookbook-support.js';

async function timeline(main: (note: (text: string) => Coro<void>) => Coro<unknown>) {
  const events: string[] = [];
  function* note(text: string): Coro<void> {
    events.push(`${(yield* getKernel()).selector.now()} ${text}`);
  }
  await run(main(note), { selector: new VirtualTimeSelector() });
  return events;
}

test('a steady rate: one call per interval, the first at once', async () => {
  const events = await timeline(function* (note) {
    const limiter = new RateLimiter(10);
    for (let n = 1; n <= 4; n++) {
      yield* limiter.acquire();
      yield* note(`call ${n}`);
    }
  });
  expect(events).toEqual(['0 call 1', '100 call 2', '200 call 3', '300 call 4']);
});

test('a burst after a quiet spell, then the steady rate; a slow caller is never held back', async () => {
  const events = await timeline(function* (note) {
    const limiter = new RateLimiter(10, 3);
    for (let n = 1; n <= 5; n++) {
      yield* limiter.acquire();
      yield* note(`call ${n}`);
    }
    yield* sleep(1000);
    yield* limiter.acquire();
    yield* note('after a second');
    yield* sleep(500);
    yield* limiter.acquire();
    yield* note('after half a second');
  });
  expect(events).toEqual([
    '0 call 1',
    '0 call 2',
    '0 call 3',
    '100 call 4',
    '200 call 5',
    '1200 after a second',
    '1700 after half a second',
  ]);
});

test('a cancelled wait ends at once; its slot is spent', async () => {
  const events = await timeline(function* (note) {
    const limiter = new RateLimiter(10);
    yield* limiter.acquire();
    const waiter = yield* newTask(limiter.acquire());
    yield* sleep(50);
    yield* waiter.cancel();
    yield* note('cancelled');
    yield* limiter.acquire();
    yield* note('next call');
  });
  expect(events).toEqual(['50 cancelled', '200 next call']);
});

test('bad arguments are refused', () => {
  expect(() => new RateLimiter(0)).toThrow(RangeError);
  expect(() => new RateLimiter(5, 0)).toThrow(
    'RateLimiter: need perSecond > 0 and burst >= 1, got 5, 0',
  );
  expect(() => new RateLimiter(Number.NaN)).toThrow(RangeError);
});

test('the rate-limit program: two tasks share 5 calls a second, bursts of 2', () => {
  expect(runRecipe('rate-limit.js')).toEqual([
    '[   0 ms] a call 1',
    '[   0 ms] a call 2',
    '[ 200 ms] a call 3',
    '[ 400 ms] b call 1',
    '[ 600 ms] a call 4',
    '[ 800 ms] b call 2',
    '[2800 ms] c call 1',
    '[2800 ms] c call 2',
    '[3000 ms] c call 3',
  ]);
});
