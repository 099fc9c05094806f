import type { Kernel } from './kernel.js';
import { type Task, TaskFlag, TimerSlot } from './task.js';
import { type Coro, Trap, TrapKind } from './trap.js';
import { checkCoroutine } from './validate.js';

// Entering the outermost shield hides the enclosing timeoutAfter deadline (scopes opened
// inside still apply) and holds cancels back; leaving it brings both back.
function shield(_kernel: Kernel, task: Task, trap: Trap): void {
  const extras = task._extra();
  const slot = task._timer ?? (task._timer = new TimerSlot(task));
  if (trap.a === 1 && extras.shieldDepth++ === 0) {
    task._flags |= TaskFlag.SHIELDED;
    extras.shieldSaved = { prevDeadline: slot.scopeDeadline, prevToken: slot.scopeToken };
    slot.scopeDeadline = Infinity;
    slot.scopeToken = undefined;
  } else if (trap.a === -1 && --extras.shieldDepth === 0) {
    task._flags &= ~TaskFlag.SHIELDED;
    const saved = extras.shieldSaved!;
    slot.scopeDeadline = saved.prevDeadline;
    slot.scopeToken = saved.prevToken;
    extras.shieldSaved = null;
  }
}

/**
 * Run `coro` with cancellation and `timeoutAfter` deadlines held back: a `cancel()` or an
 * expired enclosing deadline is delivered at the first blocking call after `coro` ends.
 * A `{ timeout }` given to a call inside still applies. Use it for cleanup that must finish,
 * such as re-acquiring a lock or reaping a child process.
 * @example
 * try {
 *   yield* work();
 * } finally {
 *   yield* disableCancellation(conn.close()); // runs to the end even when cancelled
 * }
 */
export function* disableCancellation<T>(coro: Coro<T>): Coro<T> {
  checkCoroutine('disableCancellation', 'coro', coro);
  yield new Trap(TrapKind.SHIELD, 1, undefined, undefined, shield);
  try {
    return yield* coro;
  } finally {
    yield new Trap(TrapKind.SHIELD, -1, undefined, undefined, shield);
  }
}
