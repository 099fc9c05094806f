import { closeScope, openScope, type TimeoutScope } from './deadlines.js';
import { TaskTimeout } from './errors.js';
import { type Coro, defineTrap, TrapMode } from './trap.js';
import { checkCoroutine, checkDuration } from './validate.js';

const openTrap = /* @__PURE__ */ defineTrap<void, number, TimeoutScope>(
  'timeoutAfter',
  TrapMode.IMMEDIATE,
  (kernel, task, { a: ms, b: scope }) => openScope(task, kernel.selector.now() + ms, scope),
);

const closeTrap = /* @__PURE__ */ defineTrap<void, TimeoutScope>(
  'timeoutAfter (close)',
  TrapMode.IMMEDIATE,
  (_k, task, trap) => closeScope(task, trap.a),
);

function* scoped<T>(fn: string, ms: number, coro: Coro<T>, onTimeout: () => T): Coro<T> {
  checkDuration(fn, 'ms', ms);
  checkCoroutine(fn, 'coro', coro);
  const scope: TimeoutScope = { prevDeadline: Infinity, prevToken: undefined };
  yield* openTrap(ms, scope, undefined);
  try {
    return yield* coro;
  } catch (err) {
    if (err instanceof TaskTimeout && err.scope === scope) return onTimeout();
    throw err;
  } finally {
    yield* closeTrap(scope, undefined, undefined);
  }
}

/**
 * Run `coro` in the current task, raising `TaskTimeout` at its blocking point if it has not
 * finished after `ms` milliseconds. Nested timeouts compose: the earliest deadline wins.
 * @example
 * ```ts run
 * import { run, sleep, TaskTimeout, timeoutAfter } from '@curio/kernel';
 *
 * function* slow() {
 *   yield* sleep(1000);
 *   return 'answer';
 * }
 *
 * await run(function* () {
 *   try {
 *     yield* timeoutAfter(50, slow()); // Python: timeout_after
 *   } catch (err) {
 *     if (err instanceof TaskTimeout) console.log(err.message); // timeoutAfter: timed out after 50 ms
 *   }
 * }());
 * ```
 */
export function timeoutAfter<T>(ms: number, coro: Coro<T>): Coro<T> {
  return scoped('timeoutAfter', ms, coro, () => {
    throw new TaskTimeout(`timeoutAfter: timed out after ${ms} ms`);
  });
}

/**
 * Like {@link timeoutAfter}, but on timeout returns `defaultValue` instead of raising.
 * @example
 * ```ts run
 * import { ignoreAfter, run } from '@curio/kernel';
 * import { Queue } from '@curio/queue';
 *
 * const queue = new Queue<string>();
 * console.log(await run(ignoreAfter(100, queue.get(), null))); // null after 100 ms
 * ```
 */
export function ignoreAfter<T, D = undefined>(
  ms: number,
  coro: Coro<T>,
  defaultValue?: D,
): Coro<T | D> {
  return scoped<T | D>('ignoreAfter', ms, coro, () => defaultValue as D);
}
