/**
 * Base class of every error curio raises.
 *
 * `instanceof` works across copies of curio: an application that ends up with two copies of a
 * package (its ESM and CJS builds loaded side by side, or two versions installed) still sees
 * one copy's `CancelledError` as an instance of the other's. Each class names itself in its
 * static `brand`; `instanceof` compares brands when the prototypes differ.
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
  /**
   * The name that identifies this class in every copy of curio (`'curio.error.<Name>'`). A
   * subclass raised by more than one copy of its package declares its own; a subclass without
   * one is matched by `instanceof` within its own copy only.
   */
  static readonly brand: string = 'curio.error.CurioError';

  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /**
   * `value instanceof SomeCurioError`: true for instances of this class (or a subclass) from
   * this copy of curio or from any other, matched by {@link CurioError.brand}.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of instanceof
    return isInstance(this, value);
  }
}

type Branded = { readonly prototype: unknown; readonly brand?: unknown };

// The one `instanceof` rule for curio's errors: `cls.prototype` on `value`'s prototype chain, or
// a class there with `cls`'s own brand (that class from another copy of curio). A subclass that
// declares no brand of its own is matched within its own copy only.
function isInstance(cls: Branded, value: unknown): boolean {
  const brand = Object.hasOwn(cls, 'brand') ? cls.brand : undefined;
  for (let p = value; p != null; ) {
    p = Object.getPrototypeOf(p);
    if (p === cls.prototype) return true;
    if (
      brand !== undefined &&
      (p as { constructor?: Branded } | null)?.constructor?.brand === brand
    )
      return true;
  }
  return false;
}

/**
 * Raised inside a task at its blocking point when it is cancelled. A task may catch it
 * to clean up, but should then end: ignoring it can make other tasks hang.
 */
export class CancelledError extends CurioError {
  static override readonly brand: string = 'curio.error.CancelledError';
}

/**
 * Raised by `Task.join()` (and `joinTask`) when the task ended with an error.
 * `cause` is the error the task raised.
 */
export class TaskError extends CurioError {
  static override readonly brand: string = 'curio.error.TaskError';
}

/**
 * Raised at a blocking point when a `{ timeout }` or an enclosing `timeoutAfter` expires.
 */
export class TaskTimeout extends CurioError {
  static override readonly brand: string = 'curio.error.TaskTimeout';
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
