// A blocked task's deadline: the earlier of its trap's `{ timeout }` and its timeoutAfter
// scope's. The only code that edits a task's deadlines; the kernel arms one as a task blocks
// and turns an expired one into a cancel request with TaskTimeout.
import { kernelError, TaskTimeout } from './errors.js';
import type { Scheduler } from './scheduler.js';
import type { TimerHeap } from './structures.js';
import type { Task, Waiter } from './task.js';
import { TaskFlag, TimerSlot } from './task.js';

/** @internal What a sleeping task waits on: nothing but its deadline. */
export const SLEEPING: Waiter = { withdraw() {} };

/**
 * @internal Arm the deadline of `task` as it blocks: `timeout` ms from now, or its scope's,
 * whichever comes first. Invariant: a task is in `timers` iff it is blocked with a finite
 * deadline.
 */
export function armDeadline(
  timers: TimerHeap,
  task: Task,
  timeout: number | undefined,
  now: () => number,
): void {
  const run = task._run!;
  const timer = run._timer;
  if (timeout === undefined && (timer === null || timer._scopeDeadline === Infinity)) return;
  const slot = timer ?? (run._timer = new TimerSlot(task));
  const trapDeadline = timeout === undefined ? Infinity : now() + timeout;
  slot._trapDeadline = trapDeadline;
  const deadline = Math.min(trapDeadline, slot._scopeDeadline);
  if (deadline !== Infinity) timers._insert(slot, deadline);
}

/** @internal The deadline of `slot` passed: the TaskTimeout to raise in its task. */
export function timeoutError(slot: TimerSlot): TaskTimeout {
  const scoped = slot._scopeDeadline <= slot._trapDeadline;
  const err = kernelError(
    TaskTimeout,
    scoped ? 'timeoutAfter: deadline expired' : `${slot._task.state} timed out`,
  );
  if (scoped) err.scope = slot._scopeToken;
  return err;
}

/** @internal The TaskTimeout of `task`'s timeoutAfter scope if its deadline has passed. */
export function scopeExpired(task: Task, now: () => number): TaskTimeout | undefined {
  const timer = task._run!._timer;
  if (timer === null || timer._scopeDeadline === Infinity || timer._scopeDeadline > now()) {
    return undefined;
  }
  timer._trapDeadline = Infinity;
  return timeoutError(timer);
}

/** @internal A timeoutAfter scope: what to restore when it closes. */
export interface TimeoutScope {
  prevDeadline: number;
  prevToken: unknown;
}

function slotOf(task: Task): TimerSlot {
  return (task._run!._timer ??= new TimerSlot(task));
}

/** @internal Open a scope: the task's deadline becomes the earlier of its own and `deadline`. */
export function openScope(task: Task, deadline: number, scope: TimeoutScope): void {
  const slot = slotOf(task);
  scope.prevDeadline = slot._scopeDeadline;
  scope.prevToken = slot._scopeToken;
  if (deadline < slot._scopeDeadline) {
    slot._scopeDeadline = deadline;
    slot._scopeToken = scope;
  }
}

/** @internal Close a scope: the deadline in force before it opened comes back. */
export function closeScope(task: Task, scope: TimeoutScope): void {
  const slot = slotOf(task);
  slot._scopeDeadline = scope.prevDeadline;
  slot._scopeToken = scope.prevToken;
}

/**
 * @internal Enter (+1) or leave (-1) disableCancellation. The outermost shield hides the
 * enclosing deadline (scopes opened inside still apply) and holds cancels back; leaving it
 * brings both back.
 */
export function shieldTask(task: Task, delta: 1 | -1): void {
  const extras = task._extra();
  const slot = slotOf(task);
  if (delta === 1 && extras.shieldDepth++ === 0) {
    task._flags |= TaskFlag.SHIELDED;
    extras.shieldSaved = { prevDeadline: slot._scopeDeadline, prevToken: slot._scopeToken };
    slot._scopeDeadline = Infinity;
    slot._scopeToken = undefined;
  } else if (delta === -1 && --extras.shieldDepth === 0) {
    task._flags &= ~TaskFlag.SHIELDED;
    const saved = extras.shieldSaved!;
    slot._scopeDeadline = saved.prevDeadline;
    slot._scopeToken = saved.prevToken;
    extras.shieldSaved = null;
  }
}

/**
 * @internal Wake the sleepers whose time has come; any other expired deadline is a cancel
 * request with TaskTimeout (the one cancel path). Returns true if any deadline passed.
 */
export function expireTimers(scheduler: Scheduler, timers: TimerHeap): boolean {
  const now = scheduler.selector.now();
  let fired = false;
  while (timers._peekDeadline() <= now) {
    const slot = timers._pop()!;
    const task = slot._task;
    fired = true;
    if (task._run!._waiter === SLEEPING && slot._trapDeadline <= slot._scopeDeadline) {
      scheduler._wake(task, SLEEPING, undefined);
      continue;
    }
    scheduler._requestCancel(task, timeoutError(slot), true);
  }
  return fired;
}
