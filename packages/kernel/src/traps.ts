// The coroutines that issue traps: the only bridge from tasks to the kernel.

import type { Kernel } from './kernel.js';
import type { KernelQueue } from './kqueue.js';
import type { CancelOptions, Task, TimeoutOptions } from './task.js';
import { answerTask, type Coro, call, callWith, refused, type Trap, TrapKind } from './trap.js';
import { checkCoroutine, checkDuration, checkOptions, checkTimeout, describe } from './validate.js';

/** Options of `newTask` and `Kernel.addTask`. */
export interface SpawnOptions {
  /** A daemon task has no parent and does not keep the kernel running. */
  daemon?: boolean;
  /** The task's name (shown by `Task.name` and the monitor). */
  name?: string;
}

/** Options of `rescheduleTasks`. */
export interface RescheduleOptions {
  /** How many waiters to wake (default 1). */
  n?: number;
  /** Value each woken task's `waitOnQueue` returns. */
  value?: unknown;
  /** Error each woken task's `waitOnQueue` raises instead. */
  exc?: unknown;
}

/**
 * Sleep for `ms` milliseconds. `sleep(0)` only switches to the next ready task.
 * @example
 * yield* sleep(100);
 */
export function sleep(ms: number): Coro<void> {
  if (ms === 0) return call(TrapKind.SLEEP, 0);
  try {
    checkDuration('sleep', 'ms', ms);
    return call(TrapKind.SLEEP, ms);
  } catch (err) {
    return refused(err);
  }
}

/**
 * Start `coro` as a new task. Returns after the new task has been scheduled and has run
 * for at least one cycle. A daemon task has no parent and does not keep the kernel alive.
 * @example
 * const task = yield* newTask(worker(1), { name: 'worker-1' });
 */
export function newTask<T>(coro: Coro<T>, options?: SpawnOptions): Coro<Task<T>> {
  try {
    checkCoroutine('newTask', 'coro', coro);
    checkSpawnOptions('newTask', options);
    return callWith(spawn, TrapKind.SPAWN, coro, options?.daemon === true, options?.name);
  } catch (err) {
    return refused(err);
  }
}

function spawn(kernel: Kernel, task: Task, trap: Trap): void {
  const daemon = trap.b as boolean;
  const child = kernel._spawn(
    trap.a as Coro,
    daemon,
    trap.c as string | undefined,
    daemon ? null : task,
  );
  kernel._resume(task, child);
}

/** @internal */
export function checkSpawnOptions(fn: string, options: SpawnOptions | undefined): void {
  checkOptions(fn, options);
  if (options?.name !== undefined && typeof options.name !== 'string') {
    throw new TypeError(`${fn}: options.name must be a string, got ${describe(options.name)}`);
  }
}

/** The task running this coroutine. @example const me = yield* currentTask(); */
export function currentTask(): Coro<Task> {
  return callWith(answerTask, TrapKind.CURRENT);
}

function checkTask(fn: string, task: unknown): void {
  if (task === null || typeof task !== 'object' || !('_kernel' in task) || !('coro' in task)) {
    throw new TypeError(`${fn}(task): task must be a Task, got ${describe(task)}`);
  }
}

/**
 * Wait for `task` to end: its result, or `TaskError` (with `cause`) if it failed.
 * @example
 * const value = yield* joinTask(task, { timeout: 500 });
 */
export function joinTask<T>(task: Task<T>, options?: TimeoutOptions): Coro<T> {
  try {
    checkTask('joinTask', task);
    return call(TrapKind.JOIN, task, checkTimeout('joinTask', options?.timeout));
  } catch (err) {
    return refused(err);
  }
}

/**
 * Cancel `task` (raise `exc` at its blocking point) and wait until it has ended.
 * @example
 * yield* cancelTask(task, { timeout: 1000 });
 */
export function cancelTask(task: Task, options?: CancelOptions): Coro<void> {
  try {
    checkTask('cancelTask', task);
    const timeout = checkTimeout('cancelTask', options?.timeout);
    const exc = options?.exc;
    if (exc !== undefined && typeof exc !== 'function' && !(exc instanceof Error)) {
      throw new TypeError(
        `cancelTask: exc must be an error class or an Error, got ${describe(exc)}`,
      );
    }
    return call(TrapKind.CANCEL, task, timeout, exc);
  } catch (err) {
    return refused(err);
  }
}

function queueWait(kernel: Kernel, task: Task, trap: Trap): void {
  kernel._blockQueue(task, trap.c as string, trap.a as KernelQueue, trap.b as number | undefined);
}

/**
 * Park the current task on `kqueue` until `rescheduleTasks` wakes it; returns the value it
 * was woken with. `stateName` is shown as the task's state.
 * @example
 * yield* waitOnQueue(this.waiting, 'LOCK_ACQUIRE', { timeout });
 */
export function waitOnQueue<T = unknown>(
  kqueue: KernelQueue,
  stateName: string,
  options?: TimeoutOptions,
): Coro<T> {
  try {
    if (kqueue === null || typeof kqueue !== 'object' || !('_head' in kqueue)) {
      throw new TypeError(
        `waitOnQueue(kqueue): kqueue must be a KernelQueue, got ${describe(kqueue)}`,
      );
    }
    if (typeof stateName !== 'string') {
      throw new TypeError(
        `waitOnQueue(stateName): stateName must be a string, got ${describe(stateName)}`,
      );
    }
    return callWith(
      queueWait,
      TrapKind.QUEUE_WAIT,
      kqueue,
      checkTimeout('waitOnQueue', options?.timeout),
      stateName,
    );
  } catch (err) {
    return refused(err);
  }
}

/**
 * Move the first `n` tasks waiting on `kqueue` to the back of the ready queue, in order,
 * then the caller behind them. Returns how many were woken.
 * @example
 * yield* rescheduleTasks(this.waiting, { n: 1 });
 */
export function rescheduleTasks(kqueue: KernelQueue, options?: RescheduleOptions): Coro<number> {
  try {
    if (kqueue === null || typeof kqueue !== 'object' || !('_head' in kqueue)) {
      throw new TypeError(
        `rescheduleTasks(kqueue): kqueue must be a KernelQueue, got ${describe(kqueue)}`,
      );
    }
    const n = options?.n ?? 1;
    if (typeof n !== 'number' || !(n >= 0)) {
      throw new RangeError(`rescheduleTasks: n must be a number >= 0, got ${describe(n)}`);
    }
    return callWith(reschedule, TrapKind.RESCHEDULE, kqueue, n, options);
  } catch (err) {
    return refused(err);
  }
}

function reschedule(kernel: Kernel, task: Task, trap: Trap): void {
  const kqueue = trap.a as KernelQueue;
  const options = trap.c as RescheduleOptions | undefined;
  kernel._resume(task, wakeQueued(kqueue, trap.b as number, options?.value, options?.exc));
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
    waiter._kernel._wakeQueued(waiter, value, exc);
    woken++;
  }
  return woken;
}
