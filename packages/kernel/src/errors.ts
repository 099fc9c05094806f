/**
 * Base class of every error curio raises.
 * @example
 * try { yield* task.join(); } catch (e) { if (e instanceof CurioError) console.log('curio said', e.message); }
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
