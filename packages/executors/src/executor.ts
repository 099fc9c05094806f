import type { Callable } from './callable.js';

/**
 * Runs callables somewhere other than the kernel's thread. Implement it to plug in your own
 * pool; `runInExecutor`, `setCpuExecutor` and `setBlockingExecutor` take any `Executor`.
 *
 * `submit` starts `callable(...args)` and returns a Promise of its result. When `signal` is
 * aborted (the waiting task was cancelled or timed out), stop the work if you can; the task
 * has already stopped waiting, so the Promise's outcome is ignored.
 * @example
 * ```ts run
 * import { run } from '@curio/kernel';
 * import { type Executor, runInExecutor } from '@curio/executors';
 *
 * // Runs every call on the kernel's own thread (only for tests: it blocks the kernel).
 * const inline: Executor = {
 *   async submit(callable, args) {
 *     if (typeof callable !== 'function') throw new TypeError('functions only');
 *     return (callable as (...a: unknown[]) => unknown)(...args);
 *   },
 * };
 * const value = await run(runInExecutor(inline, (a: number, b: number) => a + b, [1, 2]));
 * console.log(value); // 3
 * ```
 */
export interface Executor {
  /** Start `callable(...args)`; abort the work when `signal` aborts. */
  submit(callable: Callable, args: readonly unknown[], signal: AbortSignal): PromiseLike<unknown>;
  /** Release the executor's threads or processes (called by `shutdownExecutors`). */
  close?(): PromiseLike<void> | void;
}
