// Every kernel test checks the rule "exactly one wake per wait": a wake of a wait that has
// already ended (woken, or withdrawn by a cancel or timeout) is a kernel bug, except from a
// promise or a custom readiness source (`lateWakes`), which cannot be unsubscribed. The kernel
// itself ignores such wakes quietly (Kernel._wake); here they fail the test loudly.
import { Kernel } from '../src/kernel.js';

// Every argument is passed on as it came: a parameter this wrapper did not name was once lost.
const wake = Kernel.prototype._wake;
Kernel.prototype._wake = function (this: Kernel, ...args: Parameters<Kernel['_wake']>) {
  const [task, waiter] = args;
  if (task._run?._waiter !== waiter && waiter.lateWakes !== true) {
    throw new Error(
      `curio internal error: ${task.name} woken by a wait it is not in (${task.state})`,
    );
  }
  return wake.apply(this, args);
};
