import { describe, expect, it, vi } from 'vitest';
import { type Coro, gather, newTask, race, run, sleep, VirtualTimeSelector } from '../src/index.js';
import { catching, now, type Script, scripted, vrun } from './helpers.js';

/** A contestant: a scripted task (see helpers.ts) that records its start first. */
function contestant<T>(
  events: string[],
  name: string,
  ms: number,
  value: T,
  script: Script = {},
): Coro<T> {
  return scripted(events, name, ms, value, { ...script, announce: true });
}

/** Ends in its first step (never blocks). */
function* instant<T>(events: string[], name: string, value: T): Coro<T> {
  events.push(`${name} returns at once`);
  return value;
}

function* describeError(coro: Coro<unknown>): Coro<string> {
  const err = (yield* catching(coro)) as Error;
  return `${err.name}: ${err.message}`;
}

describe('race', () => {
  it('the first to finish wins; the others are cancelled and their finally blocks run before race returns', async () => {
    const events: string[] = [];
    function* main() {
      const winner: string = yield* race([
        contestant(events, 'slow', 30, 'slow', { cleanupMs: 5 }),
        contestant(events, 'fast', 10, 'fast'),
        contestant(events, 'mid', 20, 'mid', { cleanupMs: 5 }),
      ]);
      events.push(`race returned ${winner} at ${yield* now()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'slow starts',
      'fast starts',
      'mid starts',
      'fast done at 10',
      'slow CancelledError at 10',
      'slow finally at 15',
      'mid CancelledError at 15',
      'mid finally at 20',
      'race returned fast at 20',
    ]);
  });

  it('the first to finish fails: race raises its error as it is, after cancelling the others', async () => {
    const events: string[] = [];
    const refused = new Error('connection refused');
    function* main() {
      const err = yield* catching(
        race([
          contestant(events, 'a', 10, 'a', { fail: refused }),
          contestant(events, 'b', 20, 'b', { cleanupMs: 5 }),
        ]),
      );
      events.push(`race raised the error itself: ${err === refused} at ${yield* now()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a starts',
      'b starts',
      'a raises at 10',
      'b CancelledError at 10',
      'b finally at 15',
      'race raised the error itself: true at 15',
    ]);
  });

  it('one that ends in its first step wins; those after it are never started', async () => {
    const events: string[] = [];
    function* main() {
      const winner = yield* race([
        contestant(events, 'a', 10, 'a', { cleanupMs: 5 }),
        instant(events, 'b', 'b'),
        contestant(events, 'c', 10, 'c'),
      ]);
      events.push(`winner ${winner} at ${yield* now()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a starts',
      'b returns at once',
      'a CancelledError at 0',
      'a finally at 5',
      'winner b at 5',
    ]);
  });

  it('{ timeout }: TaskTimeout naming race when none finishes in time; all are cancelled first', async () => {
    const events: string[] = [];
    function* main() {
      const err = yield* describeError(
        race(
          [
            contestant(events, 'a', 100, 'a', { cleanupMs: 5 }),
            contestant(events, 'b', 100, 'b', { cleanupMs: 5 }),
          ],
          { timeout: 20 },
        ),
      );
      events.push(`${err} at ${yield* now()}`);
      events.push(`then ${yield* race([contestant(events, 'c', 5, 'c')], { timeout: 20 })}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a starts',
      'b starts',
      'a CancelledError at 20',
      'a finally at 25',
      'b CancelledError at 25',
      'b finally at 30',
      'TaskTimeout: race: timed out after 20 ms at 30',
      'c starts',
      'c done at 35',
      'then c',
    ]);
  });

  it('the racing task is cancelled: the contestants are cancelled and waited for, then the cancel propagates', async () => {
    const events: string[] = [];
    function* racer() {
      try {
        yield* race([contestant(events, 'a', 100, 'a', { cleanupMs: 5 })]);
      } catch (err) {
        events.push(`racer ${(err as Error).name} at ${yield* now()}`);
        throw err;
      }
    }
    function* main() {
      const t = yield* newTask(racer());
      yield* sleep(10);
      yield* t.cancel();
      events.push(`cancel returned at ${yield* now()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a starts',
      'a CancelledError at 10',
      'a finally at 15',
      'racer CancelledError at 15',
      'cancel returned at 15',
    ]);
  });

  it('bad input is a clear error where race is called; no coroutine is started', async () => {
    const events: string[] = [];
    function* main() {
      const c = () => contestant(events, 'x', 1, 1);
      return [
        yield* describeError(race([])),
        yield* describeError(race('ab' as never)),
        yield* describeError(race([c(), 5] as never)),
        yield* describeError(race([c, c()] as never)),
        yield* describeError(race([c()], { timeout: 'soon' as never })),
        yield* describeError(race([c()], { timeout: -1 })),
        yield* describeError(race([c()], 10 as never)),
      ];
    }
    expect(await vrun(main())).toEqual([
      'TypeError: race(coros): coros must hold at least one coroutine, got []',
      'TypeError: race(coros): coros must be an array of coroutines, got "ab"',
      'TypeError: race(coros): coros[1] must be a coroutine (the generator object returned by calling a function*), got 5',
      'TypeError: race(coros): coros[0] must be a coroutine (the generator object returned by calling a function*), got function c (a function: pass c(), the coroutine its call returns, not c)',
      'TypeError: race: timeout must be a number of milliseconds >= 0 or null, got "soon"',
      'RangeError: race: timeout must be a number of milliseconds >= 0 or null, got -1',
      'TypeError: race: options must be an object, got 10',
    ]);
    expect(events).toEqual([]);
  });
});

describe('gather', () => {
  it('returns every result in the order given, not the order they finished', async () => {
    const events: string[] = [];
    function* main() {
      const [a, b, c]: [number, string, boolean] = yield* gather([
        contestant(events, 'a', 30, 1),
        contestant(events, 'b', 10, 'two'),
        contestant(events, 'c', 20, true),
      ]);
      events.push(`gathered ${a} ${b} ${c} at ${yield* now()}`);
      events.push(`empty: ${JSON.stringify(yield* gather([]))}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a starts',
      'b starts',
      'c starts',
      'b done at 10',
      'c done at 20',
      'a done at 30',
      'gathered 1 two true at 30',
      'empty: []',
    ]);
  });

  it('the first failure cancels the others, waits for them, and is raised as it is (not logged)', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const events: string[] = [];
      const boom = new Error('boom');
      function* main() {
        const err = yield* catching(
          gather([
            contestant(events, 'a', 10, 'a'),
            contestant(events, 'b', 20, 'b', { fail: boom }),
            contestant(events, 'c', 30, 'c', { cleanupMs: 5 }),
            contestant(events, 'd', 40, 'd', { fail: new Error('later') }),
          ]),
        );
        events.push(`gather raised boom itself: ${err === boom} at ${yield* now()}`);
      }
      await run(main(), { selector: new VirtualTimeSelector() });
      expect(events).toEqual([
        'a starts',
        'b starts',
        'c starts',
        'd starts',
        'a done at 10',
        'b raises at 20',
        'c CancelledError at 20',
        'c finally at 25',
        'd CancelledError at 25',
        'gather raised boom itself: true at 25',
      ]);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('a failure while the rest are being started: those not started yet never start; not logged', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const events: string[] = [];
      const boom = new Error('boom');
      function* failsAtOnce(): Coro<never> {
        events.push('b raises at once');
        throw boom;
      }
      function* main() {
        const err = yield* catching(
          gather([
            contestant(events, 'a', 10, 'a'),
            failsAtOnce(),
            contestant(events, 'c', 10, 'c'),
          ]),
        );
        events.push(`raised boom: ${err === boom} at ${yield* now()}`);
      }
      await run(main(), { selector: new VirtualTimeSelector() });
      expect(events).toEqual([
        'a starts',
        'b raises at once',
        'a CancelledError at 0',
        'raised boom: true at 0',
      ]);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('{ timeout }: TaskTimeout naming gather; the unfinished are cancelled and waited for', async () => {
    const events: string[] = [];
    function* main() {
      const err = yield* describeError(
        gather(
          [contestant(events, 'a', 10, 'a'), contestant(events, 'b', 100, 'b', { cleanupMs: 5 })],
          {
            timeout: 50,
          },
        ),
      );
      events.push(`${err} at ${yield* now()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a starts',
      'b starts',
      'a done at 10',
      'b CancelledError at 50',
      'b finally at 55',
      'TaskTimeout: gather: timed out after 50 ms at 55',
    ]);
  });

  it('the gathering task is cancelled: every unfinished coroutine is cancelled and waited for', async () => {
    const events: string[] = [];
    function* gatherer() {
      try {
        yield* gather([
          contestant(events, 'a', 100, 'a', { cleanupMs: 5 }),
          contestant(events, 'b', 100, 'b', { cleanupMs: 5 }),
        ]);
      } catch (err) {
        events.push(`gatherer ${(err as Error).name} at ${yield* now()}`);
        throw err;
      }
    }
    function* main() {
      const t = yield* newTask(gatherer());
      yield* sleep(10);
      yield* t.cancel();
      events.push(`cancel returned at ${yield* now()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'a starts',
      'b starts',
      'a CancelledError at 10',
      'a finally at 15',
      'b CancelledError at 15',
      'b finally at 20',
      'gatherer CancelledError at 20',
      'cancel returned at 20',
    ]);
  });

  it('bad input is a clear error where gather is called; no coroutine is started', async () => {
    const events: string[] = [];
    function* main() {
      const c = () => contestant(events, 'x', 1, 1);
      return [
        yield* describeError(gather(new Set([c()]) as never)),
        yield* describeError(gather([c(), Promise.resolve(1)] as never)),
        yield* describeError(gather([c()], { timeout: Number.NaN })),
      ];
    }
    expect(await vrun(main())).toEqual([
      'TypeError: gather(coros): coros must be an array of coroutines, got a Set',
      'TypeError: gather(coros): coros[1] must be a coroutine (the generator object returned by calling a function*), got a Promise',
      'RangeError: gather: timeout must be a number of milliseconds >= 0 or null, got NaN',
    ]);
    expect(events).toEqual([]);
  });
});
