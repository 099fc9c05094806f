import {
  type AsyncContextManager,
  type Coro,
  CurioError,
  disableCancellation,
  getKernel,
  KernelQueue,
  rescheduleTasks,
  type TimeoutOptions,
  waitOnQueue,
} from '@curio/kernel';
import { Lock } from './lock.js';
import { msg } from './message.js';
import { S4, S5, S6 } from './messages.js';
import { checkCount, checkOptions, describe } from './validate.js';

/** The values of `R` that are truthy: what {@link Condition.waitFor} returns. */
export type Truthy<R> = Exclude<R, false | 0 | 0n | '' | null | undefined>;

/** What a {@link Condition} needs of its lock: a {@link Lock}, or anything shaped like one. */
export interface ConditionLock {
  /** Take the lock, waiting while another task holds it. */
  acquire(options?: TimeoutOptions): Coro<unknown>;
  /** Give the lock back. */
  release(): Coro<void>;
  /** True while some task holds the lock. */
  locked(): boolean;
}

/**
 * A condition variable: tasks holding its lock `wait()` until another task `notify()`s them.
 * `wait()` releases the lock while waiting and always re-acquires it before returning or
 * raising. Woken tasks run in the order they started waiting.
 * @example
 * ```ts run
 * import { asyncWith, newTask, run } from '@curio/kernel';
 * import { Condition } from '@curio/sync';
 *
 * const cond = new Condition();
 * const items: number[] = [];
 *
 * function* consumer() {
 *   yield* asyncWith(cond, function* () {
 *     yield* cond.waitFor(() => items.length > 0);
 *     console.log('took', items.shift()); // took 1
 *   });
 * }
 *
 * function* producer() {
 *   yield* asyncWith(cond, function* () {
 *     items.push(1);
 *     yield* cond.notify();
 *   });
 * }
 *
 * await run(function* () {
 *   const c = yield* newTask(consumer());
 *   yield* producer();
 *   yield* c.join();
 * }());
 * ```
 */
export class Condition implements AsyncContextManager<void> {
  /** The underlying lock. */
  readonly lock: ConditionLock;
  // Invariant: the tasks parked in wait(), in the order they started waiting.
  private readonly waiting = new KernelQueue();

  /**
   * @param lock the lock to use (default: a new {@link Lock}). Throws `TypeError` naming it if
   * it has no `acquire`, `release` and `locked` methods.
   */
  constructor(lock?: ConditionLock) {
    if (lock === undefined) {
      this.lock = new Lock();
      return;
    }
    if (
      lock === null ||
      typeof lock !== 'object' ||
      typeof lock.acquire !== 'function' ||
      typeof lock.release !== 'function' ||
      typeof lock.locked !== 'function'
    ) {
      throw new TypeError(msg(S4, describe(lock)));
    }
    this.lock = lock;
  }

  /** True if the underlying lock is held. */
  locked(): boolean {
    return this.lock.locked();
  }

  /**
   * Acquire the underlying lock. Raises `TaskTimeout` after `timeout` ms.
   * @example
   * import type { Condition } from '@curio/sync';
   *
   * function* locked(cond: Condition) {
   *   yield* cond.acquire(); // acquires the underlying lock
   *   try {
   *     // ...
   *   } finally {
   *     yield* cond.release();
   *   }
   * }
   */
  *acquire(options?: TimeoutOptions): Coro<boolean> {
    checkOptions('Condition.acquire', options);
    yield* this.lock.acquire(options);
    return true;
  }

  /**
   * Release the underlying lock.
   * @example
   * import type { Condition } from '@curio/sync';
   *
   * function* unlock(cond: Condition) {
   *   yield* cond.release(); // releases the underlying lock
   * }
   */
  *release(): Coro<void> {
    yield* this.lock.release();
  }

  /**
   * Release the lock, wait for a `notify()`, and re-acquire the lock. The lock is held again
   * whenever this returns or raises: after a timeout (`TaskTimeout`) or a cancellation too, the
   * re-acquire waits for the lock inside `disableCancellation` before the error is raised.
   * Raises `CurioError` if the lock is not held.
   * @example
   * import { asyncWith } from '@curio/kernel';
   * import type { Condition } from '@curio/sync';
   *
   * function* nextChange(cond: Condition) {
   *   yield* asyncWith(cond, function* () {
   *     yield* cond.wait({ timeout: 1000 }); // releases the lock while waiting
   *   });
   * }
   */
  *wait(options?: TimeoutOptions): Coro<void> {
    checkOptions('Condition.wait', options);
    if (!this.lock.locked()) {
      throw new CurioError(msg(S5, 'Condition.wait'));
    }
    yield* this.lock.release();
    try {
      yield* waitOnQueue(this.waiting, 'COND_WAIT', options);
    } finally {
      // Take the lock back whatever happens: a cancellation or an expired timeoutAfter is held
      // back until the lock is ours again, so wait() raises (or returns) holding it.
      yield* disableCancellation(this.lock.acquire());
    }
  }

  /**
   * Wait until `predicate()` returns a truthy value, and return that value. Checks it first
   * with the lock held, then after every wake-up. `timeout` bounds the whole wait
   * (`TaskTimeout`, with the lock held again).
   * @example
   * import { asyncWith } from '@curio/kernel';
   * import type { Condition } from '@curio/sync';
   *
   * function* take(cond: Condition, items: string[]) {
   *   return yield* asyncWith(cond, function* () {
   *     return yield* cond.waitFor(() => items.shift()); // the first truthy value
   *   });
   * }
   */
  *waitFor<R>(predicate: () => R, options?: TimeoutOptions): Coro<Truthy<R>> {
    if (typeof predicate !== 'function') {
      throw new TypeError(msg(S6, describe(predicate)));
    }
    checkOptions('Condition.waitFor', options);
    const timeout = options?.timeout ?? undefined;
    const clock = timeout === undefined ? undefined : (yield* getKernel()).selector;
    const deadline = clock === undefined ? 0 : clock.now() + (timeout as number);
    for (;;) {
      const result = predicate();
      if (result) return result as Truthy<R>;
      if (clock === undefined) yield* this.wait();
      else yield* this.wait({ timeout: Math.max(0, deadline - clock.now()) });
    }
  }

  /**
   * Wake up to `n` tasks waiting in `wait()` (default 1), first waiter first. Always a switch
   * point. Raises `CurioError` if the lock is not held.
   * @example
   * import { asyncWith } from '@curio/kernel';
   * import type { Condition } from '@curio/sync';
   *
   * function* addTwo(cond: Condition, items: string[]) {
   *   yield* asyncWith(cond, function* () {
   *     items.push('a', 'b');
   *     yield* cond.notify(2); // wake two waiters
   *   });
   * }
   */
  *notify(n = 1): Coro<void> {
    checkCount('Condition.notify', 'n', n);
    if (!this.lock.locked()) {
      throw new CurioError(msg(S5, 'Condition.notify'));
    }
    yield* rescheduleTasks(this.waiting, { n });
  }

  /**
   * Wake every task waiting in `wait()`, first waiter first.
   * @example
   * import { asyncWith } from '@curio/kernel';
   * import type { Condition } from '@curio/sync';
   *
   * function* broadcast(cond: Condition) {
   *   yield* asyncWith(cond, function* () {
   *     yield* cond.notifyAll();
   *   });
   * }
   */
  *notifyAll(): Coro<void> {
    yield* this.notify(this.waiting.length);
  }

  /** `asyncWith` entry: acquires the lock. */
  *enter(): Coro<void> {
    yield* this.lock.acquire();
  }

  /** `asyncWith` exit: releases the lock (errors from the body propagate). */
  *exit(_error?: unknown): Coro<void> {
    yield* this.lock.release();
  }
}
