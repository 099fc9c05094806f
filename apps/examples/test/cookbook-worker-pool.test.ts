import {
  CancelledError,
  type Coro,
  getKernel,
  newTask,
  run,
  sleep,
  VirtualTimeSelector,
} from '@curio/kernel';
import { expect, test } from 'vitest';
import { mapLimited } from '../src/cookbook/worker-pool.js';
import { runRecipe } from './cookbook-support.js';

async function timeline(main: (note: (text: string) => Coro<void>) => Coro<unknown>) {
  const events: string[] = [];
  function* note(text: string): Coro<void> {
    events.push(`${(yield* getKernel()).selector.now()} ${text}`);
  }
  await run(main(note), { selector: new VirtualTimeSelector(), logErrors: false });
  return events;
}

test('at most `limit` at a time, in order of the items; results in the items order', async () => {
  let results: string[] = [];
  const events = await timeline(function* (note) {
    function* work(ms: number): Coro<string> {
      yield* note(`start ${ms}`);
      yield* sleep(ms);
      yield* note(`end ${ms}`);
      return `r${ms}`;
    }
    results = yield* mapLimited([30, 10, 20, 15], 2, work);
  });
  expect(results).toEqual(['r30', 'r10', 'r20', 'r15']);
  expect(events).toEqual([
    '0 start 30',
    '0 start 10',
    '10 end 10',
    '10 start 20',
    '30 end 30', // its permit goes to 15, which runs after 20 (both were due at 30)
    '30 end 20',
    '30 start 15',
    '45 end 15',
  ]);
});

test('a failure cancels the others, running or waiting for a permit, and is raised', async () => {
  const events = await timeline(function* (note) {
    function* work(ms: number): Coro<number> {
      yield* note(`start ${ms}`);
      try {
        yield* sleep(ms);
      } catch (err) {
        if (err instanceof CancelledError) yield* note(`cancelled ${ms}`);
        throw err;
      }
      if (ms === 10) throw new Error('broken');
      return ms;
    }
    try {
      yield* mapLimited([50, 10, 20, 30], 2, work);
    } catch (err) {
      yield* note(`raised ${err}`);
    }
  });
  expect(events).toEqual([
    '0 start 50',
    '0 start 10',
    '10 start 20',
    '10 cancelled 50',
    // 50's permit was handed to 30 as 50 ended: 30 runs up to its next wait, then is cancelled.
    '10 start 30',
    '10 cancelled 20',
    '10 cancelled 30',
    '10 raised Error: broken',
  ]);
});

test('cancelling the caller cancels every worker', async () => {
  const events = await timeline(function* (note) {
    function* work(ms: number): Coro<number> {
      try {
        yield* sleep(ms);
        return ms;
      } finally {
        yield* note(`worker ${ms} ended`);
      }
    }
    const caller = yield* newTask(mapLimited([100, 200, 300], 2, work));
    yield* sleep(150);
    yield* caller.cancel();
    yield* note('caller cancelled');
  });
  expect(events).toEqual([
    '100 worker 100 ended',
    '150 worker 200 ended',
    '150 worker 300 ended',
    '150 caller cancelled',
  ]);
});

test('the worker-pool program: eight downloads, three at a time', () => {
  expect(runRecipe('worker-pool.js')).toEqual([
    '[  0 ms] start 300 ms download',
    '[  0 ms] start 100 ms download',
    '[  0 ms] start 200 ms download',
    '[100 ms] start 100 ms download',
    '[200 ms] start 400 ms download',
    '[200 ms] start 100 ms download',
    '[300 ms] start 200 ms download',
    '[300 ms] start 100 ms download',
    '[600 ms] done: 300 ms file, 100 ms file, 200 ms file, 100 ms file, 400 ms file, 100 ms file, 200 ms file, 100 ms file',
  ]);
});
