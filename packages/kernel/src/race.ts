// race and gather: the two everyday shapes of a TaskGroup, each one call. Both collect their
// tasks with nextDone (so the group never logs a failure they raise) and cancel what is left
// with cancelRemaining on every way out.
import { TaskTimeout } from './errors.js';
import { msg } from './explain.js';
import { TaskGroup } from './group.js';
import { K47, K48, K49, K50 } from './messages.js';
import type { Task, TimeoutOptions } from './task.js';
import { ignoreAfter } from './timeout.js';
import type { Coro } from './trap.js';
import { checkOptions, checkTimeout, describe, isCoroutine } from './validate.js';

const TIMED_OUT: unique symbol = Symbol('timed out');

function checkCoros(fn: string, coros: unknown, options: unknown): number | undefined {
  if (!Array.isArray(coros)) {
    throw new TypeError(msg(K47, fn, describe(coros)));
  }
  coros.forEach((coro, i) => {
    if (!isCoroutine(coro)) {
      const got = describe(coro);
      throw new TypeError(
        typeof coro === 'function' ? msg(K49, fn, i, got, coro.name || 'f') : msg(K48, fn, i, got),
      );
    }
  });
  checkOptions(fn, options);
  return checkTimeout(fn, (options as TimeoutOptions | undefined)?.timeout);
}

// Run `body(group)` with a fresh group whose tasks are cancelled and waited for on the way
// out, within `timeout` ms (TaskTimeout naming `fn`).
function* withGroup<R>(
  fn: string,
  timeout: number | undefined,
  body: (group: TaskGroup) => Coro<R>,
): Coro<R> {
  const group = new TaskGroup();
  function* guarded(): Coro<R> {
    try {
      return yield* body(group);
    } finally {
      yield* group.cancelRemaining();
    }
  }
  if (timeout === undefined) return yield* guarded();
  const result = yield* ignoreAfter<R, typeof TIMED_OUT>(timeout, guarded(), TIMED_OUT);
  if (result === TIMED_OUT) throw new TaskTimeout(`${fn}: timed out after ${timeout} ms`);
  return result;
}

// The value of a task that ended, or its error raised as it is.
function outcomeOf(task: Task): unknown {
  if (task.excInfo !== undefined) throw task.excInfo;
  return task._outcome;
}

/**
 * Run `coros` as tasks at once; the first to end wins: `race` returns its result, or raises
 * its error as it is. The others are cancelled and waited for (their `finally` blocks have
 * run) before `race` returns. Once one has ended, those not started yet are never started.
 * With `{ timeout }`, raises `TaskTimeout` when none ends in time (all are cancelled). The
 * curio 1.x spelling is `TaskGroup(wait=any)` and its `result`.
 * @example
 * import { race, run, sleep } from '@curio/kernel';
 *
 * function* after(ms: number, value: string) {
 *   yield* sleep(ms);
 *   return value;
 * }
 *
 * const winner = await run(race([after(20, 'slow'), after(10, 'fast')]));
 * console.log(winner); // 'fast'
 */
export function* race<const C extends readonly Coro<unknown>[]>(
  coros: C,
  options?: TimeoutOptions,
): Coro<C[number] extends Coro<infer T> ? T : never> {
  const timeout = checkCoros('race', coros, options);
  if (coros.length === 0) {
    throw new TypeError(msg(K50));
  }
  return (yield* withGroup('race', timeout, function* (group) {
    for (const coro of coros) {
      if (group._hasFinished) break;
      yield* group.spawn(coro);
    }
    return outcomeOf((yield* group.nextDone())!);
  })) as C[number] extends Coro<infer T> ? T : never;
}

/**
 * Run `coros` as tasks at once and return all their results, in the order given (asyncio's
 * `gather`, `Promise.all`). The first failure cancels the others, waits for them, and is
 * raised as it is; tasks not started yet are never started. With `{ timeout }`, raises
 * `TaskTimeout` when they have not all ended in time (the rest are cancelled).
 * `gather([])` returns `[]`.
 * @example
 * import { gather, run, sleep } from '@curio/kernel';
 *
 * function* square(n: number) {
 *   yield* sleep(10 * (3 - n));
 *   return n * n;
 * }
 *
 * console.log(await run(gather([square(1), square(2)]))); // [1, 4]
 */
export function* gather<const C extends readonly Coro<unknown>[]>(
  coros: C,
  options?: TimeoutOptions,
): Coro<{ -readonly [K in keyof C]: C[K] extends Coro<infer T> ? T : never }> {
  const timeout = checkCoros('gather', coros, options);
  return (yield* withGroup('gather', timeout, function* (group) {
    const tasks: Task[] = [];
    let pending = 0;
    for (const coro of coros) {
      for (; group._hasFinished; pending--) outcomeOf((yield* group.nextDone())!);
      tasks.push(yield* group.spawn(coro));
      pending++;
    }
    for (; pending > 0; pending--) outcomeOf((yield* group.nextDone())!);
    return tasks.map((task) => task._outcome);
  })) as { -readonly [K in keyof C]: C[K] extends Coro<infer T> ? T : never };
}
