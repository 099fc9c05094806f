import { scopeExpired, shieldTask } from './deadlines.js';
import { kernelError, TaskTimeout } from './errors.js';
import { type Task, TaskFlag } from './task.js';
import { type Coro, defineTrap, TrapMode } from './trap.js';
import { checkCoroutine } from './validate.js';

const shieldTrap = /* @__PURE__ */ defineTrap<void, 1 | -1>(
  'disableCancellation',
  TrapMode.IMMEDIATE,
  (_kernel, task, trap) => shieldTask(task, trap.a),
);

/**
 * Run `coro` with cancellation and `timeoutAfter` deadlines held back: a `cancel()` or an
 * expired enclosing deadline is delivered at the first blocking call after `coro` ends (or
 * at a {@link checkCancellation} after it). A `{ timeout }` given to a call inside still
 * applies. Use it for cleanup that must finish, such as re-acquiring a lock or reaping a
 * child process.
 * @example
 * import { type Coro, disableCancellation } from '@curio/kernel';
 *
 * function* handle(work: Coro<void>, close: () => Coro<void>) {
 *   try {
 *     yield* work;
 *   } finally {
 *     yield* disableCancellation(close()); // runs to the end even when cancelled
 *   }
 * }
 */
export function* disableCancellation<T>(coro: Coro<T>): Coro<T> {
  checkCoroutine('disableCancellation', 'coro', coro);
  yield* shieldTrap(1, undefined, undefined);
  try {
    return yield* coro;
  } finally {
    yield* shieldTrap(-1, undefined, undefined);
  }
}

// Inside disableCancellation: the TaskTimeout of the enclosing deadline the shield hides, if
// it has passed.
function hiddenTimeout(task: Task, now: number): TaskTimeout | undefined {
  const saved = task._extras?.shieldSaved;
  if (saved == null || saved.prevDeadline > now) return undefined;
  const err = kernelError(TaskTimeout, 'timeoutAfter: deadline expired');
  err.scope = saved.prevToken;
  return err;
}

// Raise what the next blocking call would raise; inside a shield, return what it holds back.
const checkTrap = /* @__PURE__ */ defineTrap<unknown>(
  'checkCancellation',
  TrapMode.IMMEDIATE,
  (kernel, task) => {
    const shielded = (task._flags & TaskFlag.SHIELDED) !== 0;
    const run = task._run!;
    const pending = run._pendingCancel;
    if (pending !== undefined && !shielded) {
      run._pendingCancel = undefined;
      throw pending;
    }
    if (run._timer === null) return shielded ? pending : undefined;
    const now = kernel.selector.now();
    const expired = scopeExpired(task, () => now);
    if (expired !== undefined) throw expired;
    return shielded ? (pending ?? hiddenTimeout(task, now)) : undefined;
  },
);

/**
 * curio 1.x's `check_cancellation()`: a cancellation point of the task's choosing, for loops
 * that never block. Outside {@link disableCancellation}, raises a pending cancel (a
 * `cancel()` that arrived while the task was running or shielded) or the `TaskTimeout` of an
 * expired `timeoutAfter` deadline, exactly as the next blocking call would; else returns
 * `undefined` and the task goes on without a switch. Inside `disableCancellation`, raises
 * only the timeout of a `timeoutAfter` opened inside it, and otherwise returns what is held
 * back (the pending cancel's error, or a `TaskTimeout` if the enclosing deadline has
 * passed) without raising or clearing it, so a loop can wind down on its own terms.
 * @example
 * import { checkCancellation, disableCancellation, type Coro } from '@curio/kernel';
 * import type { Queue } from '@curio/queue';
 *
 * // Finish the item, then let the cancel in: get() on a busy queue never blocks, so
 * // without checkCancellation a cancel would wait until the queue runs dry.
 * function* consumer(queue: Queue<string>, handle: (item: string) => Coro<void>) {
 *   for (;;) {
 *     const item = yield* queue.get();
 *     yield* disableCancellation(handle(item));
 *     yield* checkCancellation();
 *   }
 * }
 */
export function checkCancellation(): Coro<unknown> {
  return checkTrap(undefined, undefined, undefined);
}
