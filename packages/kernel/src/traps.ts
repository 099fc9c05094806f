// The trap table: every request a task can make of its kernel. Each trap is one
// `defineTrap(name, mode, handler, check)` (trap.ts): its handler answers it (or suspends the
// task) and `check` validates its operands where it is issued. Modes: INLINE (answered by the
// trap itself where it is yield*ed; the kernel never sees it), IMMEDIATE (answered, no switch),
// SWITCH (answered, the task goes to the back of the ready queue; never a cancellation point),
// BLOCK (a cancellation point: a pending cancel or expired deadline is raised first). Cancel
// path: what a blocked task's wait is withdrawn with on cancel or timeout.
//
// trap (name)           mode       defined in     blocks on (cancel path)
// --------------------  ---------  -------------  --------------------------------------------
// joinTask (ended:      INLINE     traps.ts       - (answered where it is yield*ed)
//   Task.join)
// sleep                 BLOCK      traps.ts       SLEEPING (nothing to withdraw; sleep(0) answers)
// newTask               SWITCH     traps.ts       -
// TaskGroup.spawn       SWITCH     group-members.ts -
// currentTask           IMMEDIATE  traps.ts       -
// getKernel             IMMEDIATE  traps.ts       -
// joinTask              BLOCK      traps.ts       the target's joiners, a KernelQueue (leaves the line)
// cancelTask            BLOCK      traps.ts       the target's joiners, a KernelQueue (leaves the line)
// waitOnQueue           BLOCK      queue-wait.ts  the KernelQueue given (leaves the line)
// rescheduleTasks       SWITCH     queue-wait.ts  -
// timeoutAfter (open,   IMMEDIATE  timeout.ts     -
//   close)
// disableCancellation   IMMEDIATE  shield.ts      -
// checkCancellation     IMMEDIATE  shield.ts      - (raises a pending cancel or expired deadline)
// readWait, writeWait   BLOCK      io-wait.ts     a stream side (drops its task) or the source's
//                                                 canceller (what onReadable / onWritable return)
// futureWait            BLOCK      future.ts      a FutureWait (aborts the factory's AbortSignal)
// sigwatch, sigunwatch  SWITCH     signals.ts     -
// sigwait               BLOCK      signals.ts     the signal set's state (stops listening if unwatched)
//
// Contract with packages built on the kernel (@curio/sync, @curio/queue): `rescheduleTasks`
// is a SWITCH trap, never a cancellation point, and reads its `value` / `exc` when the trap is
// handled (so one options object may be reused for every call); a task woken by it is resumed
// with that value even if a cancel is pending (the cancel comes at its next blocking trap).

import { SLEEPING } from './deadlines.js';
import { CancelledError, CurioError, kernelError } from './errors.js';
import { msg } from './explain.js';
import type { Kernel } from './kernel.js';
import { KernelQueue } from './kqueue.js';
import { K9, K24, K25, K26, K27 } from './messages.js';
import { joinFailure } from './reports.js';
import type { CancelOptions, Task, TimeoutOptions } from './task.js';
import { type Coro, defineTrap, type TrapHandler, TrapMode } from './trap.js';
import { checkCoroutine, checkDuration, checkOptions, checkTimeout, describe } from './validate.js';

/** Options of `newTask` and `Kernel.addTask`. */
export interface SpawnOptions {
  /** A daemon task has no parent and does not keep the kernel running. */
  daemon?: boolean;
  /** The task's name (shown by `Task.name` and the monitor). */
  name?: string;
}

const sleepTrap = /* @__PURE__ */ defineTrap<void, number>(
  'sleep',
  TrapMode.BLOCK,
  (kernel, task, { a: ms }) => {
    if (ms === 0) return undefined;
    // Checked here rather than where it is issued: sleep(0), the hot case, pays nothing.
    checkDuration('sleep', 'ms', ms);
    return kernel._suspend(task, 'SLEEP', SLEEPING, ms);
  },
);

/**
 * Sleep for `ms` milliseconds. `sleep(0)` only switches to the next ready task.
 * @example
 * ```ts run
 * import { run, sleep } from '@curio/kernel';
 *
 * await run(function* () {
 *   const started = Date.now();
 *   yield* sleep(100); // milliseconds; Python: await curio.sleep(0.1)
 *   console.log(Date.now() - started >= 99); // true
 * }());
 * ```
 */
export function sleep(ms: number): Coro<void> {
  return sleepTrap(ms, undefined, undefined);
}

const spawnTrap = /* @__PURE__ */ defineTrap<Task, Coro, SpawnOptions | undefined>(
  'newTask',
  TrapMode.SWITCH,
  (kernel, task, trap) => {
    const { a: coro, b: options } = trap;
    // The new task is kept by the trap, not sent with the resume (see Trap._answer).
    trap._answer(spawnChild(kernel, task, coro, options?.daemon === true, options?.name));
    return undefined;
  },
  (coro, options) => {
    checkCoroutine('newTask', 'coro', coro);
    checkSpawnOptions('newTask', options);
  },
);

/**
 * @internal Make `coro` a task, ready to run: a child of `task` (a daemon has no parent) that
 * starts with its TaskLocal values.
 */
export function spawnChild(
  kernel: Kernel,
  task: Task,
  coro: Coro,
  daemon: boolean,
  name: string | undefined,
): Task {
  const child = kernel._spawn(coro, daemon, name, daemon ? null : task);
  const locals = task._extras?.locals;
  if (locals !== undefined) child._extra().locals = locals; // TaskLocal: shared until set
  return child;
}

/**
 * Start `coro` as a new task. Returns after the new task has been scheduled and has run
 * for at least one cycle. A daemon task has no parent and does not keep the kernel alive.
 * @example
 * ```ts run
 * import { newTask, run, sleep } from '@curio/kernel';
 *
 * function* worker(n: number) {
 *   yield* sleep(10 * n);
 *   return n * 2;
 * }
 *
 * await run(function* () {
 *   const task = yield* newTask(worker(1), { name: 'worker-1' }); // Python: await new_task(...)
 *   console.log(task.name, yield* task.join()); // worker-1 2
 * }());
 * ```
 */
export function newTask<T>(coro: Coro<T>, options?: SpawnOptions): Coro<Task<T>> {
  return spawnTrap(coro, options, undefined) as Coro<Task<T>>;
}

/** @internal */
export function checkSpawnOptions(fn: string, options: SpawnOptions | undefined): void {
  if (options !== undefined) checkGivenSpawnOptions(fn, options); // small: inlined at each spawn
}

function checkGivenSpawnOptions(fn: string, options: SpawnOptions): void {
  checkOptions(fn, options);
  if (options.name !== undefined && typeof options.name !== 'string') {
    throw new TypeError(msg(K9, fn, describe(options.name)));
  }
}

const currentTrap = /* @__PURE__ */ defineTrap<Task>(
  'currentTask',
  TrapMode.IMMEDIATE,
  (_kernel, task) => task,
);

/**
 * The task running this coroutine.
 * @example
 * ```ts run
 * import { currentTask, run } from '@curio/kernel';
 *
 * await run(function* () {
 *   const me = yield* currentTask(); // Python: await current_task()
 *   console.log(me.name); // task-1
 * }());
 * ```
 */
export function currentTask(): Coro<Task> {
  return currentTrap(undefined, undefined, undefined);
}

const kernelTrap = /* @__PURE__ */ defineTrap<Kernel>(
  'getKernel',
  TrapMode.IMMEDIATE,
  (kernel) => kernel,
);

/**
 * The kernel running the current task.
 * @example
 * ```ts run
 * import { getKernel, run, VirtualTimeSelector } from '@curio/kernel';
 *
 * await run(
 *   function* () {
 *     const kernel = yield* getKernel();
 *     console.log(kernel.selector.now()); // 0: the virtual clock
 *   }(),
 *   { selector: new VirtualTimeSelector() },
 * );
 * ```
 */
export function getKernel(): Coro<Kernel> {
  return kernelTrap(undefined, undefined, undefined);
}

function checkTask(fn: string, task: unknown): void {
  if (task === null || typeof task !== 'object' || !('_kernel' in task) || !('coro' in task)) {
    throw new TypeError(msg(K24, fn, describe(task)));
  }
}

// Join and cancel act on a task of this kernel other than the caller.
function checkTarget(kernel: Kernel, fn: string, task: Task, target: Task): void {
  if (target._kernel !== kernel) {
    throw new CurioError(msg(K25, fn, target.name));
  }
  if (target === task) {
    throw new CurioError(msg(K26, fn, task.name, fn === 'joinTask' ? 'join' : 'cancel'));
  }
}

/** @internal The queue of tasks waiting for `task` to end (in join or cancel). */
export function joinersOf(task: Task): KernelQueue {
  return (task._run!._joiners ??= new KernelQueue());
}

/**
 * @internal `task` ended with joiners (`_run._joiners` is set): wake them with its result (or the
 * TaskError of its failure) and those cancelling it with nothing.
 */
export function wakeJoiners(kernel: Kernel, task: Task, failed: boolean): void {
  const joiners = task._run!._joiners!; // the caller knows there are some
  for (let waiter = joiners._shift(); waiter !== null; waiter = joiners._shift()) {
    if (waiter.state === 'CANCEL_WAIT') kernel._wake(waiter, joiners, undefined);
    else if (failed) kernel._wake(waiter, joiners, joinFailure(task), true);
    else kernel._wake(waiter, joiners, task._outcome);
  }
}

function checkJoin(target: Task, options: TimeoutOptions | undefined): void {
  checkTask('joinTask', target);
  checkTimeout('joinTask', options?.timeout);
}

// joinTask's handler, also Task.join's for an ended task (an INLINE trap: no kernel, and no
// task outside one).
const join: TrapHandler<Task, TimeoutOptions | undefined, undefined> = (
  kernel,
  task: Task | null,
  { a: target, b: options },
) => {
  if (task !== null) checkTarget(task._kernel, 'joinTask', task, target);
  if (!target.terminated) {
    const joiners = joinersOf(target);
    joiners._push(task!);
    return kernel._suspend(task!, 'TASK_JOIN', joiners, checkTimeout('joinTask', options?.timeout));
  }
  if (target.excInfo !== undefined) throw joinFailure(target);
  return target._outcome;
};

const joinTrap = /* @__PURE__ */ defineTrap<unknown, Task, TimeoutOptions | undefined>(
  'joinTask',
  TrapMode.BLOCK,
  join,
  checkJoin,
);

/**
 * Wait for `task` to end: its result, or `TaskError` (with `cause`) if it failed.
 * @example
 * import { joinTask, type Task } from '@curio/kernel';
 *
 * function* resultOf(task: Task<number>) {
 *   return yield* joinTask(task, { timeout: 500 }); // what task.join() does; Python: _join_task
 * }
 */
export function joinTask<T>(task: Task<T>, options?: TimeoutOptions): Coro<T> {
  return joinTrap(task, options, undefined) as Coro<T>;
}

// The join of an ended task (Task.join): answered where it is `yield*`ed, as curio's
// `Task.join` does (no switch, no cancellation point), with joinTask's checks.
const endedJoinTrap = /* @__PURE__ */ defineTrap<unknown, Task, TimeoutOptions | undefined>(
  'joinTask',
  TrapMode.INLINE,
  join,
  checkJoin,
);

/**
 * @internal `Task.join`: `joinTask`, except that a task that has already ended is joined
 * without a trip to the kernel (see endedJoinTrap).
 */
export function joinTaskOrEnded<T>(task: Task<T>, options?: TimeoutOptions): Coro<T> {
  return (task.terminated ? endedJoinTrap : joinTrap)(task, options, undefined) as Coro<T>;
}

const cancelTrap = /* @__PURE__ */ defineTrap<void, Task, CancelOptions | undefined>(
  'cancelTask',
  TrapMode.BLOCK,
  (kernel, task, { a: target, b: options }) => {
    checkTarget(kernel, 'cancelTask', task, target);
    if (target.terminated) return undefined;
    const exc = options?.exc;
    const err =
      exc instanceof Error ? exc : kernelError(exc ?? CancelledError, `${target.name} cancelled`);
    kernel._requestCancel(target, err);
    const joiners = joinersOf(target);
    joiners._push(task);
    return kernel._suspend(
      task,
      'CANCEL_WAIT',
      joiners,
      checkTimeout('cancelTask', options?.timeout),
    );
  },
  (target, options) => {
    checkTask('cancelTask', target);
    checkTimeout('cancelTask', options?.timeout);
    const exc = options?.exc;
    if (exc !== undefined && typeof exc !== 'function' && !(exc instanceof Error)) {
      throw new TypeError(msg(K27, describe(exc)));
    }
  },
);

/**
 * Cancel `task` (raise `exc` at its blocking point) and wait until it has ended.
 * @example
 * import { cancelTask, type Task } from '@curio/kernel';
 *
 * function* stop(task: Task) {
 *   yield* cancelTask(task, { timeout: 1000 }); // what task.cancel() does; Python: _cancel_task
 * }
 */
export function cancelTask(task: Task, options?: CancelOptions): Coro<void> {
  return cancelTrap(task, options, undefined);
}
