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
import { S8 } from './messages.js';
import { checkCount, checkOptions } from './validate.js';

/**
 * A counting semaphore: `acquire()` takes one of `value` permits, waiting while none is left;
 * `release()` gives one back. Waiters get permits in the order they asked: `release()` hands
 * the permit straight to the first waiter.
 *
 * Use it with `asyncWith`. There is no `[Symbol.dispose]`: handing a permit to a waiter is a
 * kernel trap, which a synchronous dispose cannot issue.
 * @example
 * ```ts run
 * import { asyncWith, newTask, run, sleep } from '@curio/kernel';
 * import { Semaphore } from '@curio/sync';
 *
 * const slots = new Semaphore(2); // at most two tasks at a time
 * let inside = 0;
 * let most = 0;
 *
 * function* job() {
 *   yield* asyncWith(slots, function* () {
 *     most = Math.max(most, ++inside);
 *     yield* sleep(10);
 *     inside--;
 *   });
 * }
 *
 * await run(function* () {
 *   const tasks = [];
 *   for (let i = 0; i < 5; i++) tasks.push(yield* newTask(job()));
 *   for (const t of tasks) yield* t.join();
 * }());
 * console.log(most); // 2
 * ```
 */
export class Semaphore implements AsyncContextManager<void> {
  /** @internal free permits */ protected _value: number;
  // Invariant: tasks wait here only while _value is 0.
  private readonly waiting = new KernelQueue();

  /**
   * @param value the number of permits, an integer >= 0 (default 1). Throws `TypeError` /
   * `RangeError` naming it otherwise.
   */
  constructor(value = 1) {
    checkCount(new.target.name, 'value', value);
    this._value = value;
  }

  /** The number of free permits. */
  get value(): number {
    return this._value;
  }

  /**
   * Take a permit, waiting (first come, first served) while none is free. Returns true.
   * Raises `TaskTimeout` after `timeout` ms; a waiter that times out or is cancelled takes
   * no permit, and no released permit is lost.
   * @example
   * import type { Semaphore } from '@curio/sync';
   *
   * function* limited(sema: Semaphore, work: () => void) {
   *   yield* sema.acquire({ timeout: 500 }); // TaskTimeout if no slot frees up within 500 ms
   *   try {
   *     work();
   *   } finally {
   *     yield* sema.release();
   *   }
   * }
   */
  *acquire(options?: TimeoutOptions): Coro<boolean> {
    if (options !== undefined) checkOptions(`${this.constructor.name}.acquire`, options);
    if (this._value > 0) {
      this._value--;
      return true;
    }
    // release() hands its permit straight to us.
    yield* waitOnQueue(this.waiting, 'SEMA_ACQUIRE', options);
    return true;
  }

  /**
   * Give a permit back. With waiters it goes straight to the first one (a switch point,
   * through `rescheduleTasks`); otherwise the count goes up without a task switch.
   * @example
   * import type { Semaphore } from '@curio/sync';
   *
   * function* giveBack(sema: Semaphore) {
   *   yield* sema.release(); // wakes the first waiter, if any
   * }
   */
  *release(): Coro<void> {
    if (this.waiting.length > 0) yield* rescheduleTasks(this.waiting);
    else this._value++;
  }

  /** True if no permit is free (an `acquire()` would wait). */
  locked(): boolean {
    return this._value === 0;
  }

  /** `asyncWith` entry: takes a permit. */
  *enter(): Coro<void> {
    yield* this.acquire();
  }

  /** `asyncWith` exit: gives the permit back (errors from the body propagate). */
  *exit(_error?: unknown): Coro<void> {
    yield* this.release();
  }
}

/**
 * A {@link Semaphore} whose count may never exceed its initial value: releasing more often
 * than acquired raises `CurioError`.
 * @example
 * ```ts run
 * import { asyncWith, run } from '@curio/kernel';
 * import { BoundedSemaphore } from '@curio/sync';
 *
 * const pool = new BoundedSemaphore(3);
 * await run(function* () {
 *   yield* asyncWith(pool, function* () {
 *     console.log(pool.value); // 2
 *   });
 *   try {
 *     yield* pool.release(); // one release too many
 *   } catch (err) {
 *     console.log(String(err)); // CurioError: BoundedSemaphore.release: released too many times ...
 *   }
 * }());
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  /** The initial (and largest) number of permits. */
  readonly bound: number;

  /** @param value the number of permits, an integer >= 0 (default 1). */
  constructor(value = 1) {
    super(value);
    this.bound = value;
  }

  /**
   * Give a permit back. Raises `CurioError` if that would take the count past its initial
   * value.
   * @example
   * import type { BoundedSemaphore } from '@curio/sync';
   *
   * function* giveBack(pool: BoundedSemaphore) {
   *   yield* pool.release(); // CurioError if it would exceed the initial value
   * }
   */
  override *release(): Coro<void> {
    if (this._value >= this.bound) {
      throw new CurioError(msg(S8, this.bound));
    }
    yield* super.release();
  }
}
