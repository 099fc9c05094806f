import {
  type Coro,
  KernelQueue,
  rescheduleTasks,
  type TimeoutOptions,
  waitOnQueue,
} from '@curio/kernel';
import { checkOptions } from './validate.js';

/**
 * An event flag: tasks `wait()` until some task calls `set()`, which wakes them all.
 * @example
 * ```ts run
 * import { newTask, run } from '@curio/kernel';
 * import { Event } from '@curio/sync';
 *
 * const ready = new Event();
 *
 * function* waiter() {
 *   yield* ready.wait();
 *   console.log('go');
 * }
 *
 * await run(function* () {
 *   const task = yield* newTask(waiter());
 *   yield* ready.set(); // wakes every waiting task
 *   yield* task.join();
 * }());
 * ```
 */
export class Event {
  private flag = false;
  // Invariant: tasks wait here only while the flag is clear.
  private readonly waiting = new KernelQueue();

  /** True if the event is set. */
  isSet(): boolean {
    return this.flag;
  }

  /** Clear the event: later `wait()` calls block until the next `set()`. */
  clear(): void {
    this.flag = false;
  }

  /**
   * Wait until the event is set; returns at once (without a task switch) if it already is.
   * Raises `TaskTimeout` after `timeout` ms.
   * @example
   * import type { Event } from '@curio/sync';
   *
   * function* awaitReady(event: Event) {
   *   yield* event.wait({ timeout: 1000 }); // TaskTimeout if not set within a second
   * }
   */
  *wait(options?: TimeoutOptions): Coro<void> {
    checkOptions('Event.wait', options);
    if (this.flag) return;
    yield* waitOnQueue(this.waiting, 'EVENT_WAIT', options);
  }

  /**
   * Set the event and wake every waiting task, in the order they started waiting. Always a
   * switch point (the caller goes behind the woken tasks), even when nobody waits.
   * @example
   * import type { Event } from '@curio/sync';
   *
   * function* announce(event: Event) {
   *   yield* event.set(); // every waiter runs before the caller goes on
   * }
   */
  *set(): Coro<void> {
    this.flag = true;
    yield* rescheduleTasks(this.waiting, { n: this.waiting.length });
  }
}
