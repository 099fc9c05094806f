/**
 * Base class of every error curio raises.
 * @example
 * ```ts run
 * import { CurioError, newTask, run } from '@curio/kernel';
 *
 * await run(
 *   function* () {
 *     const task = yield* newTask(
 *       (function* () {
 *         throw new Error('boom');
 *       })(),
 *     );
 *     try {
 *       yield* task.join();
 *     } catch (e) {
 *       if (e instanceof CurioError) console.log('curio said', e.message); // a TaskError
 *     }
 *   }(),
 *   { logErrors: false },
 * );
 * ```
 */
export class CurioError extends Error {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Raised inside a task at its blocking point when it is cancelled. A task may catch it
 * to clean up, but should then end: ignoring it can make other tasks hang.
 */
export class CancelledError extends CurioError {}

/**
 * Raised by `Task.join()` (and `joinTask`) when the task ended with an error.
 * `cause` is the error the task raised.
 */
export class TaskError extends CurioError {}

/**
 * Raised at a blocking point when a `{ timeout }` or an enclosing `timeoutAfter` expires.
 */
export class TaskTimeout extends CurioError {
  /** @internal the timeoutAfter scope that expired, if any. */
  scope: unknown = undefined;
}

/**
 * @internal Make an error the kernel raises into a task. Its stack could only show the
 * scheduler's own frames, so capturing one is skipped: cancelling 100k tasks stays cheap.
 */
export function kernelError<E>(
  Ctor: new (message: string, options?: { cause?: unknown }) => E,
  message: string,
  options?: { cause?: unknown },
): E {
  const ErrorCtor = Error as { stackTraceLimit?: number };
  const limit = ErrorCtor.stackTraceLimit;
  ErrorCtor.stackTraceLimit = 0;
  try {
    return new Ctor(message, options);
  } finally {
    ErrorCtor.stackTraceLimit = limit;
  }
}
