import {
  CancelledError,
  type Coro,
  getKernel,
  newTask,
  run,
  sleep,
  type TaskError,
  TaskTimeout,
  timeoutAfter,
  VirtualTimeSelector,
} from '@curio/kernel';
import { expect, test } from 'vitest';
import { retry } from '../src/cookbook/retry.js';
import { runRecipe } from './cookbook-support.js';

const half = () => 0.5; // waits of 50, 100, 200, ... ms

/** Run `main` in virtual time, with a `note` that stamps each event with the clock. */
async function timeline(main: (note: (text: string) => Coro<void>) => Coro<unknown>) {
  const events: string[] = [];
  function* note(text: string): Coro<void> {
    events.push(`${(yield* getKernel()).selector.now()} ${text}`);
  }
  await run(main(note), { selector: new VirtualTimeSelector(), logErrors: false });
  return events;
}

/** An attempt that fails until try `okAt`. */
function flaky(note: (text: string) => Coro<void>, okAt: number) {
  return function* (n: number): Coro<string> {
    yield* note(`try ${n}`);
    if (n < okAt) throw new Error(`fail ${n}`);
    return `ok at ${n}`;
  };
}

test('retries with doubling waits until a try succeeds', async () => {
  const events = await timeline(function* (note) {
    yield* note(yield* retry(flaky(note, 4), { random: half }));
  });
  expect(events).toEqual(['0 try 1', '50 try 2', '150 try 3', '350 try 4', '350 ok at 4']);
});

test('gives up after `attempts` tries and raises the last failure', async () => {
  const events = await timeline(function* (note) {
    try {
      yield* retry(flaky(note, 99), { attempts: 3, random: half });
    } catch (err) {
      yield* note(`raised ${(err as Error).message}`);
    }
  });
  expect(events).toEqual(['0 try 1', '50 try 2', '150 try 3', '150 raised fail 3']);
});

test('the waits are random below a cap that doubles up to maxMs', async () => {
  const events = await timeline(function* (note) {
    const options = { attempts: 5, baseMs: 1000, maxMs: 1500, random: () => 0.999 };
    yield* retry(flaky(note, 5), options);
  });
  expect(events).toEqual(['0 try 1', '999 try 2', '2497 try 3', '3995 try 4', '5493 try 5']);
});

test('attemptMs bounds each try: one that hangs fails with TaskTimeout and is retried', async () => {
  const events = await timeline(function* (note) {
    function* hangsOnce(n: number): Coro<string> {
      yield* note(`try ${n}`);
      if (n === 1) yield* sleep(60_000);
      return 'answer';
    }
    yield* note(yield* retry(hangsOnce, { attemptMs: 1000, random: half }));
  });
  expect(events).toEqual(['0 try 1', '1050 try 2', '1050 answer']);
});

test('a cancellation is never retried: cancelled while waiting or while trying, it ends', async () => {
  const events = await timeline(function* (note) {
    for (const at of [20, 60]) {
      // At 20 it waits between tries 1 and 2; at 60 it is inside try 2.
      function* slowFail(n: number): Coro<never> {
        yield* note(`try ${n}`);
        yield* sleep(n === 2 ? 100 : 0);
        throw new Error('fail');
      }
      const task = yield* newTask(retry(slowFail, { random: half }));
      yield* sleep(at);
      yield* task.cancel();
      try {
        yield* task.join();
      } catch (err) {
        yield* note(`ended: ${(err as TaskError).cause instanceof CancelledError}`);
      }
    }
  });
  expect(events).toEqual(['0 try 1', '20 ended: true', '20 try 1', '70 try 2', '80 ended: true']);
});

test('an enclosing timeoutAfter ends it: the swallowed TaskTimeout comes back at the next wait', async () => {
  const events = await timeline(function* (note) {
    function* slow(n: number): Coro<string> {
      yield* note(`try ${n}`);
      yield* sleep(100);
      throw new Error('fail');
    }
    try {
      yield* timeoutAfter(30, retry(slow, { random: half }));
    } catch (err) {
      yield* note(`raised ${err instanceof TaskTimeout ? 'TaskTimeout' : err}`);
    }
  });
  expect(events).toEqual(['0 try 1', '30 raised TaskTimeout']);
});

test('the retry program: four tries, the third ended by its 1 s limit', () => {
  const lines = runRecipe('retry.js');
  expect(lines).toEqual([
    '[   0 ms] try 1',
    expect.stringMatching(/^\[ *\d+ ms\] try 2$/),
    expect.stringMatching(/^\[ *\d+ ms\] try 3$/),
    expect.stringMatching(/^\[ *\d+ ms\] try 4$/),
    expect.stringMatching(/^\[ *\d+ ms\] got the quote$/),
  ]);
  const at = lines.map((line) => Number(/\d+/.exec(line)?.[0]));
  expect(at[1]).toBeLessThan(100); // the first wait is below 100 ms, the second below 200
  expect(at[2] - at[1]).toBeLessThan(200);
  expect(at[3] - at[2]).toBeGreaterThanOrEqual(1000); // try 3 hung for its whole second
  expect(at[3] - at[2]).toBeLessThan(1400);
  expect(at[4]).toBe(at[3]);
});
