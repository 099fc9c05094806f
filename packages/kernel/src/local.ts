import { runningTask } from './current.js';
import { msg } from './explain.js';
import { K43 } from './messages.js';
import type { Coro } from './trap.js';
import { checkCoroutine } from './validate.js';

/**
 * A value per task (curio's `Local`): each task sees its own. A task starts with the values
 * of the task that spawned it; a child's `set` does not change its parent's. Outside any task
 * (plain code), `get()` returns the default.
 * @example
 * ```ts run
 * import { newTask, run, TaskLocal } from '@curio/kernel';
 *
 * const requestId = new TaskLocal<string>('-');
 *
 * function* log(line: string) {
 *   console.log(`[${requestId.get()}] ${line}`);
 * }
 *
 * function* handle(id: string) {
 *   requestId.set(id);
 *   const child = yield* newTask(log('started')); // the child logs with the same request id
 *   yield* child.join();
 * }
 *
 * await run(handle('req-7')); // [req-7] started
 * console.log(requestId.get()); // - (outside any task: the default)
 * ```
 */
export class TaskLocal<T> {
  readonly #defaultValue: T;

  /** @param defaultValue what `get()` returns where no value was set (default `undefined`). */
  constructor(defaultValue?: T) {
    this.#defaultValue = defaultValue as T;
  }

  /** The running task's value, else the default. Allocates nothing. */
  get(): T {
    const locals = runningTask()?._extras?.locals;
    return locals?.has(this) ? (locals.get(this) as T) : this.#defaultValue;
  }

  /**
   * Set the running task's value (its children spawned from now on start with it). Outside
   * any task it raises `TypeError`: plain code has no task to hold a value.
   */
  set(value: T): void {
    const task = runningTask();
    if (task === null) {
      throw new TypeError(msg(K43));
    }
    const extras = task._extra();
    const locals = new Map(extras.locals);
    locals.set(this, value);
    extras.locals = locals;
  }

  /**
   * Run `coro` with the value set to `value`; the value before is restored afterwards, also
   * when `coro` raises or is cancelled.
   * @example
   * ```ts run
   * import { run, TaskLocal } from '@curio/kernel';
   *
   * const requestId = new TaskLocal<string>('-');
   *
   * function* handle() {
   *   console.log(requestId.get());
   * }
   *
   * await run(function* () {
   *   yield* requestId.with('req-7', handle()); // req-7
   *   yield* handle(); // -
   * }());
   * ```
   */
  *with<R>(value: T, coro: Coro<R>): Coro<R> {
    checkCoroutine('TaskLocal.with', 'coro', coro);
    const task = runningTask()!;
    const before = task._extras?.locals;
    const had = before?.has(this) === true;
    const old = before?.get(this);
    this.set(value);
    try {
      return yield* coro;
    } finally {
      const extras = task._extra();
      const locals = new Map(extras.locals);
      if (had) locals.set(this, old);
      else locals.delete(this);
      extras.locals = locals;
    }
  }
}
