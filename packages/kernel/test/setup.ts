// Every kernel test checks the rule "exactly one wake per wait": a wake of a wait that has
// already ended (woken, or withdrawn by a cancel or timeout) is a kernel bug, except from a
// promise or a custom readiness source (`lateWakes`), which cannot be unsubscribed. The kernel
// itself ignores such wakes quietly (Kernel._wake); here they fail the test loudly.
import { Kernel } from '../src/kernel.js';
import type { Task, Waiter } from '../src/task.js';

const wake = Kernel.prototype._wake;
Kernel.prototype._wake = function (
  task: Task,
  waiter: Waiter,
  value: unknown,
  failed?: boolean,
  now?: boolean,
) {
  if (task._run?._waiter !== waiter && waiter.lateWakes !== true) {
    throw new Error(
      `curio internal error: ${task.name} woken by a wait it is not in (${task.state})`,
    );
  }
  return wake.call(this, task, waiter, value, failed, now);
};
