// futureWait: waiting on a Promise. Kept apart from the scheduler so a program that never
// waits on a promise does not bundle it.
import { CurioError } from './errors.js';
import { host } from './host.js';
import type { ExternalWait, Kernel } from './kernel.js';
import type { Task, TimeoutOptions } from './task.js';
import { type Coro, callWith, refused, type Trap, TrapKind } from './trap.js';
import { checkTimeout, describe } from './validate.js';

// One promise wait; withdrawing (cancel or timeout) aborts the factory's signal.
class FutureWait implements ExternalWait {
  constructor(readonly controller: AbortController | null) {}
  withdraw(): void {
    this.controller?.abort();
  }
}

function futureWaitHandler(kernel: Kernel, task: Task, trap: Trap): void {
  const future = trap.a;
  let promise: PromiseLike<unknown>;
  let controller: AbortController | null = null;
  if (typeof future === 'function') {
    const Controller = host.AbortController;
    if (Controller === undefined) {
      throw new CurioError(
        'futureWait(factory): this runtime has no AbortController; pass a Promise instead',
      );
    }
    controller = new Controller();
    promise = (future as (signal: AbortSignal) => PromiseLike<unknown>)(controller.signal);
    if (promise === null || typeof promise !== 'object' || typeof promise.then !== 'function') {
      throw new TypeError(
        `futureWait(factory): the factory must return a Promise, got ${describe(promise)}`,
      );
    }
  } else {
    promise = future as PromiseLike<unknown>;
  }
  const wait = new FutureWait(controller);
  kernel._blockExternal(task, 'FUTURE_WAIT', wait, trap.b as number | undefined);
  const settle = (failed: boolean, value: unknown) => {
    if (task._waitObj === wait) kernel._wakeExternal(task, value, failed);
  };
  try {
    promise.then(
      (value) => settle(false, value),
      (err) => settle(true, err),
    );
  } catch (err) {
    settle(true, err);
  }
}

/**
 * Sleep until a Promise settles; returns its value or raises its error. Given a function,
 * calls it with an `AbortSignal` that is aborted if the wait is cancelled or times out.
 * @example
 * const text = yield* futureWait((signal) => fetch(url, { signal }).then((r) => r.text()));
 */
export function futureWait<T>(
  future: PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T>),
  options?: TimeoutOptions,
): Coro<T> {
  try {
    const ok =
      typeof future === 'function' ||
      (future !== null &&
        typeof future === 'object' &&
        typeof (future as PromiseLike<T>).then === 'function');
    if (!ok) {
      throw new TypeError(
        `futureWait(future): future must be a Promise or a function (signal) => Promise, got ${describe(future)}`,
      );
    }
    const timeout = checkTimeout('futureWait', options?.timeout);
    return callWith(futureWaitHandler, TrapKind.FUTURE_WAIT, future, timeout);
  } catch (err) {
    return refused(err);
  }
}
