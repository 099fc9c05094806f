// futureWait: waiting on a Promise. Kept apart from the scheduler so a program that never
// waits on a promise does not bundle it.
import { CurioError } from './errors.js';
import { msg } from './explain.js';
import { host } from './host.js';
import type { Kernel } from './kernel.js';
import { K37, K38, K39 } from './messages.js';
import type { Task, TimeoutOptions, Waiter } from './task.js';
import { type Coro, defineTrap, type Trap, TrapMode } from './trap.js';
import { checkTimeout, describe } from './validate.js';

type Future<T> = PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T>);

// One promise wait; withdrawing (cancel or timeout) aborts the factory's signal. The promise
// may still settle after that: the kernel ignores that late wake.
class FutureWait implements Waiter {
  readonly external = true;
  readonly lateWakes = true;
  constructor(readonly controller: AbortController | null) {}
  withdraw(): void {
    this.controller?.abort();
  }
}

function futureWaitHandler(
  kernel: Kernel,
  task: Task,
  { a: future, b: options }: Trap<Future<unknown>, TimeoutOptions | undefined>,
): unknown {
  let promise: PromiseLike<unknown>;
  let controller: AbortController | null = null;
  if (typeof future === 'function') {
    const Controller = host.AbortController;
    if (Controller === undefined) {
      throw new CurioError(msg(K37));
    }
    controller = new Controller();
    promise = future(controller.signal);
    if (promise === null || typeof promise !== 'object' || typeof promise.then !== 'function') {
      throw new TypeError(msg(K38, describe(promise)));
    }
  } else {
    promise = future;
  }
  const wait = new FutureWait(controller);
  const suspended = kernel._suspend(task, 'FUTURE_WAIT', wait, options?.timeout ?? undefined);
  try {
    promise.then(
      (value) => kernel._wake(task, wait, value),
      (err) => kernel._wake(task, wait, err, true),
    );
  } catch (err) {
    kernel._wake(task, wait, err, true);
  }
  return suspended;
}

const futureTrap = /* @__PURE__ */ defineTrap<unknown, Future<unknown>, TimeoutOptions | undefined>(
  'futureWait',
  TrapMode.BLOCK,
  futureWaitHandler,
  (future, options) => {
    const ok =
      typeof future === 'function' ||
      (future !== null && typeof future === 'object' && typeof future.then === 'function');
    if (!ok) {
      throw new TypeError(msg(K39, describe(future)));
    }
    checkTimeout('futureWait', options?.timeout);
  },
);

/**
 * Sleep until a Promise settles; returns its value or raises its error. Given a function,
 * calls it with an `AbortSignal` that is aborted if the wait is cancelled or times out.
 * @example
 * ```ts run
 * import { futureWait, ignoreAfter, run } from '@curio/kernel';
 *
 * // Any promise: a Node API, fetch, an async function.
 * const later = (ms: number) => new Promise<number>((resolve) => setTimeout(() => resolve(ms), ms));
 *
 * // A factory gets an AbortSignal, aborted if the task is cancelled or times out, as in
 * // yield* futureWait((signal) => fetch(url, { signal })).
 * const untilAborted = (signal: AbortSignal) =>
 *   new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('aborted')));
 *
 * await run(function* () {
 *   console.log(yield* futureWait(later(10))); // 10
 *   console.log(yield* ignoreAfter(20, futureWait(untilAborted), 'timed out')); // timed out
 * }());
 * ```
 */
export function futureWait<T>(
  future: PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T>),
  options?: TimeoutOptions,
): Coro<T> {
  return futureTrap(future, options, undefined) as Coro<T>;
}
