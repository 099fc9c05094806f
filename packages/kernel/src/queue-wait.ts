// The traps of kernel wait queues: park a task on a KernelQueue (waitOnQueue) and wake the
// first n of them (rescheduleTasks); see the trap table's index in traps.ts.

import { msg } from './explain.js';
import { KernelQueue } from './kqueue.js';
import { K44, K45, K46 } from './messages.js';
import type { TimeoutOptions } from './task.js';
import { type Coro, defineTrap, TrapMode } from './trap.js';
import { checkTimeout, describe } from './validate.js';

/** Options of `rescheduleTasks`. */
export interface RescheduleOptions {
  /** How many waiters to wake (default 1). */
  n?: number;
  /** Value each woken task's `waitOnQueue` returns. */
  value?: unknown;
  /** Error each woken task's `waitOnQueue` raises instead. */
  exc?: unknown;
}

function checkKernelQueue(fn: string, kqueue: unknown): void {
  if (
    !(kqueue instanceof KernelQueue) &&
    !(kqueue !== null && typeof kqueue === 'object' && '_head' in kqueue)
  ) {
    throw new TypeError(msg(K44, fn, describe(kqueue)));
  }
}

const queueWaitTrap = /* @__PURE__ */ defineTrap<
  unknown,
  KernelQueue,
  string,
  TimeoutOptions | undefined
>(
  'waitOnQueue',
  TrapMode.BLOCK,
  (kernel, task, { a: kqueue, b: state, c: options }) => {
    kqueue._push(task);
    return kernel._suspend(task, state, kqueue, options?.timeout ?? undefined);
  },
  (kqueue, state, options) => {
    checkKernelQueue('waitOnQueue', kqueue);
    if (typeof state !== 'string') {
      throw new TypeError(msg(K45, describe(state)));
    }
    checkTimeout('waitOnQueue', options?.timeout);
  },
);

/**
 * Park the current task on `kqueue` until `rescheduleTasks` wakes it; returns the value it
 * was woken with. `stateName` is shown as the task's state. A cancellation point.
 * @example
 * ```ts run
 * import { KernelQueue, newTask, rescheduleTasks, run, waitOnQueue } from '@curio/kernel';
 *
 * // The heart of a lock: wait in line until handed the lock.
 * const waiting = new KernelQueue();
 *
 * await run(function* () {
 *   const waiter = yield* newTask(waitOnQueue(waiting, 'LOCK_ACQUIRE', { timeout: 1000 }));
 *   console.log(waiter.state); // LOCK_ACQUIRE
 *   yield* rescheduleTasks(waiting, { n: 1 }); // hand it over
 *   yield* waiter.join();
 * }());
 * ```
 */
export function waitOnQueue<T = unknown>(
  kqueue: KernelQueue,
  stateName: string,
  options?: TimeoutOptions,
): Coro<T> {
  return queueWaitTrap(kqueue, stateName, options) as Coro<T>;
}

const rescheduleTrap = /* @__PURE__ */ defineTrap<
  number,
  KernelQueue,
  RescheduleOptions | undefined
>(
  'rescheduleTasks',
  TrapMode.SWITCH,
  (_kernel, _task, { a: kqueue, b: options }) =>
    wakeQueued(kqueue, options?.n ?? 1, options?.value, options?.exc),
  (kqueue, options) => {
    checkKernelQueue('rescheduleTasks', kqueue);
    const n = options?.n ?? 1;
    if (typeof n !== 'number' || !(n >= 0)) {
      throw new RangeError(msg(K46, describe(n)));
    }
  },
);

/**
 * Move the first `n` tasks waiting on `kqueue` to the back of the ready queue, in order,
 * then the caller behind them. Returns how many were woken. Never a cancellation point; its
 * options are read when the trap is handled, before the caller goes on (so they may be
 * reused). A woken task gets `value` even if a cancel is pending for it: the cancel comes at
 * its next blocking call, so nothing handed over is lost.
 * @example
 * ```ts run
 * import { KernelQueue, newTask, rescheduleTasks, run, waitOnQueue } from '@curio/kernel';
 *
 * const waiting = new KernelQueue();
 *
 * await run(function* () {
 *   const a = yield* newTask(waitOnQueue(waiting, 'EVENT_WAIT'));
 *   const b = yield* newTask(waitOnQueue(waiting, 'EVENT_WAIT'));
 *   console.log(yield* rescheduleTasks(waiting, { n: 2, value: 'go' })); // 2 woken
 *   console.log(yield* a.join(), yield* b.join()); // go go
 * }());
 * ```
 */
export function rescheduleTasks(kqueue: KernelQueue, options?: RescheduleOptions): Coro<number> {
  return rescheduleTrap(kqueue, options, undefined);
}

/**
 * @internal Wake up to `n` tasks waiting on `kqueue`, first in first out, with `value` (or
 * raising `exc`, an error or an error class). Returns how many were woken.
 */
export function wakeQueued(kqueue: KernelQueue, n: number, value?: unknown, exc?: unknown): number {
  let woken = 0;
  while (woken < n) {
    const waiter = kqueue._shift();
    if (waiter === null) break;
    // The queue may be shared with another kernel: the task's own kernel wakes it.
    if (exc === undefined) waiter._kernel._wake(waiter, kqueue, value);
    else {
      const err = typeof exc === 'function' ? new (exc as new () => unknown)() : exc;
      waiter._kernel._wake(waiter, kqueue, err, true);
    }
    woken++;
  }
  return woken;
}
