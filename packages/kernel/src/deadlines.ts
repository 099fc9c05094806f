// The timeoutAfter deadlines of a task and how disableCancellation hides them: the only code
// that edits a task's scope deadline (the kernel arms and expires it; see Kernel._suspend).
import type { Task } from './task.js';
import { TaskFlag, TimerSlot } from './task.js';

/** @internal A timeoutAfter scope: what to restore when it closes. */
export interface TimeoutScope {
  prevDeadline: number;
  prevToken: unknown;
}

function slotOf(task: Task): TimerSlot {
  return task._timer ?? (task._timer = new TimerSlot(task));
}

/** @internal Open a scope: the task's deadline becomes the earlier of its own and `deadline`. */
export function openScope(task: Task, deadline: number, scope: TimeoutScope): void {
  const slot = slotOf(task);
  scope.prevDeadline = slot.scopeDeadline;
  scope.prevToken = slot.scopeToken;
  if (deadline < slot.scopeDeadline) {
    slot.scopeDeadline = deadline;
    slot.scopeToken = scope;
  }
}

/** @internal Close a scope: the deadline in force before it opened comes back. */
export function closeScope(task: Task, scope: TimeoutScope): void {
  const slot = slotOf(task);
  slot.scopeDeadline = scope.prevDeadline;
  slot.scopeToken = scope.prevToken;
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
    extras.shieldSaved = { prevDeadline: slot.scopeDeadline, prevToken: slot.scopeToken };
    slot.scopeDeadline = Infinity;
    slot.scopeToken = undefined;
  } else if (delta === -1 && --extras.shieldDepth === 0) {
    task._flags &= ~TaskFlag.SHIELDED;
    const saved = extras.shieldSaved!;
    slot.scopeDeadline = saved.prevDeadline;
    slot.scopeToken = saved.prevToken;
    extras.shieldSaved = null;
  }
}
