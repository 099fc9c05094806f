import { CurioError } from '@curio/kernel';

/**
 * Raised when the worker thread meant to run a call fails rather than the call itself: the
 * worker file cannot be loaded (it is missing or throws at load: every call fails so), or
 * the thread died while running the call (`process.exit()`, running out of memory under
 * `resourceLimits`, an uncaught error left by the callable). The message names the cause;
 * `cause` holds the underlying error when there is one. The pool replaces a dead thread, so
 * later calls run normally. An error thrown by the callable itself is never wrapped.
 * @example
 * ```ts run
 * import { run } from '@curio/kernel';
 * import { runCpuBound, WorkerFailed } from '@curio/executors';
 *
 * await run(function* () {
 *   try {
 *     yield* runCpuBound(() => process.exit(3));
 *   } catch (err) {
 *     if (err instanceof WorkerFailed) console.log(err.message);
 *     // runCpuBound: the worker thread running function (anonymous) exited with code 3 ...
 *   }
 * }());
 * ```
 */
export class WorkerFailed extends CurioError {
  static override readonly brand: string = 'curio.error.WorkerFailed';
}
