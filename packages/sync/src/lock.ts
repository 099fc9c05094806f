import {
  type AsyncContextManager,
  type Coro,
  CurioError,
  KernelQueue,
  rescheduleTasks,
  type TimeoutOptions,
  waitOnQueue,
} from '@curio/kernel';
import { msg } from './message.js';
import { S7 } from './messages.js';
import { checkOptions } from './validate.js';

/**
 * A mutual-exclusion lock. Waiters get the lock in the order they asked for it: `release()`
 * hands it straight to the first waiter, so no task can barge in between.
 *
 * Use it with `asyncWith`, which releases it however the body ends. There is no
 * `[Symbol.dispose]` (TypeScript `using`): handing the lock to a waiter is a kernel trap,
 * which a synchronous dispose cannot issue.
 * @example
 * ```ts run
 * import { asyncWith, newTask, run, sleep } from '@curio/kernel';
 * import { Lock } from '@curio/sync';
 *
 * const lock = new Lock();
 * const events: string[] = [];
 *
 * function* worker(name: string) {
 *   yield* asyncWith(lock, function* () {
 *     events.push(`${name} in`);
 *     yield* sleep(10); // only one task at a time runs here
 *     events.push(`${name} out`);
 *   });
 * }
 *
 * await run(function* () {
 *   const a = yield* newTask(worker('a'));
 *   const b = yield* newTask(worker('b'));
 *   yield* a.join();
 *   yield* b.join();
 * }());
 * console.log(events); // [ 'a in', 'a out', 'b in', 'b out' ]
 * ```
 */
export class Lock implements AsyncContextManager<void> {
  private held = false;
  // Invariant: tasks wait here only while the lock is held.
  private readonly waiting = new KernelQueue();

  /**
   * Acquire the lock, waiting (first come, first served) while another task holds it.
   * Returns true. Raises `TaskTimeout` after `timeout` ms; a waiter that times out or is
   * cancelled never ends up holding the lock.
   * @example
   * import type { Lock } from '@curio/sync';
   *
   * function* update(lock: Lock, apply: () => void) {
   *   yield* lock.acquire({ timeout: 500 }); // TaskTimeout if not acquired within 500 ms
   *   try {
   *     apply();
   *   } finally {
   *     yield* lock.release();
   *   }
   * }
   */
  *acquire(options?: TimeoutOptions): Coro<boolean> {
    checkOptions('Lock.acquire', options);
    if (!this.held) {
      this.held = true;
      return true;
    }
    // release() hands the lock over: it stays held, now by this task.
    yield* waitOnQueue(this.waiting, 'LOCK_ACQUIRE', options);
    return true;
  }

  /**
   * Release the lock. With waiters it goes straight to the first one (a switch point, through
   * `rescheduleTasks`); otherwise it is marked free without a task switch. Raises
   * `CurioError` if the lock is not held.
   * @example
   * import type { Lock } from '@curio/sync';
   *
   * function* critical(lock: Lock) {
   *   yield* lock.acquire();
   *   try {
   *     // ...
   *   } finally {
   *     yield* lock.release(); // hands the lock to the first waiter, if any
   *   }
   * }
   */
  *release(): Coro<void> {
    if (!this.held) throw new CurioError(msg(S7));
    if (this.waiting.length > 0) yield* rescheduleTasks(this.waiting);
    else this.held = false;
  }

  /** True if some task holds the lock. */
  locked(): boolean {
    return this.held;
  }

  /** `asyncWith` entry: acquires the lock. */
  *enter(): Coro<void> {
    yield* this.acquire();
  }

  /** `asyncWith` exit: releases the lock (errors from the body propagate). */
  *exit(_error?: unknown): Coro<void> {
    yield* this.release();
  }
}
