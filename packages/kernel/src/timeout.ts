import { TaskTimeout } from './errors.js';
import type { Kernel, TimeoutScope } from './kernel.js';
import { type Task, TimerSlot } from './task.js';
import { type Coro, Trap, TrapKind } from './trap.js';
import { checkCoroutine, checkDuration } from './validate.js';

// Open a scope: the task's deadline becomes the earlier of its own and now + ms.
function pushScope(kernel: Kernel, task: Task, trap: Trap): void {
  const scope = trap.b as TimeoutScope;
  const slot = task._timer ?? (task._timer = new TimerSlot(task));
  const deadline = kernel.selector.now() + (trap.a as number);
  scope.prevDeadline = slot.scopeDeadline;
  scope.prevToken = slot.scopeToken;
  if (deadline < slot.scopeDeadline) {
    slot.scopeDeadline = deadline;
    slot.scopeToken = scope;
  }
}

function popScope(_kernel: Kernel, task: Task, trap: Trap): void {
  const scope = trap.a as TimeoutScope;
  const slot = task._timer!;
  slot.scopeDeadline = scope.prevDeadline;
  slot.scopeToken = scope.prevToken;
}

function* scoped<T>(fn: string, ms: number, coro: Coro<T>, onTimeout: () => T): Coro<T> {
  checkDuration(fn, 'ms', ms);
  checkCoroutine(fn, 'coro', coro);
  const scope: TimeoutScope = { prevDeadline: Infinity, prevToken: undefined };
  yield new Trap(TrapKind.SCOPE_PUSH, ms, scope, undefined, pushScope);
  try {
    return yield* coro;
  } catch (err) {
    if (err instanceof TaskTimeout && err.scope === scope) return onTimeout();
    throw err;
  } finally {
    yield new Trap(TrapKind.SCOPE_POP, scope, undefined, undefined, popScope);
  }
}

/**
 * Run `coro` in the current task, raising `TaskTimeout` at its blocking point if it has not
 * finished after `ms` milliseconds. Nested timeouts compose: the earliest deadline wins.
 * @example
 * const data = yield* timeoutAfter(1000, sock.recv(1024));
 */
export function timeoutAfter<T>(ms: number, coro: Coro<T>): Coro<T> {
  return scoped('timeoutAfter', ms, coro, () => {
    throw new TaskTimeout(`timeoutAfter: timed out after ${ms} ms`);
  });
}

/**
 * Like {@link timeoutAfter}, but on timeout returns `defaultValue` instead of raising.
 * @example
 * const item = yield* ignoreAfter(100, queue.get(), null);
 */
export function ignoreAfter<T, D = undefined>(
  ms: number,
  coro: Coro<T>,
  defaultValue?: D,
): Coro<T | D> {
  return scoped<T | D>('ignoreAfter', ms, coro, () => defaultValue as D);
}
