import { shieldTask } from './deadlines.js';
import { type Coro, defineTrap, TrapMode } from './trap.js';
import { checkCoroutine } from './validate.js';

const shieldTrap = /* @__PURE__ */ defineTrap<void, 1 | -1>(
  'disableCancellation',
  TrapMode.IMMEDIATE,
  (_kernel, task, trap) => shieldTask(task, trap.a),
);

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
  yield* shieldTrap(1, undefined, undefined);
  try {
    return yield* coro;
  } finally {
    yield* shieldTrap(-1, undefined, undefined);
  }
}
