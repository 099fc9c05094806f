import { futureWait } from './future.js';
import type { Coro } from './trap.js';
import { describe } from './validate.js';

/**
 * The `async with` protocol: `enter()` runs on the way in, `exit(error)` on the way out
 * (with the body's error, if any); `exit` returning true suppresses that error.
 */
export interface AsyncContextManager<T> {
  /** Runs on the way in; its result is handed to the body. */
  enter(): Coro<T>;
  /** Runs on the way out, with the body's error if it raised; return true to suppress it. */
  exit(error?: unknown): Coro<boolean | void>;
}

/** The `async for` protocol: `next()` yields `{ done, value }` results as a coroutine. */
export interface AsyncIterableLike<T> {
  /** The next item as `{ done: false, value }`, or `{ done: true }` at the end. */
  next(): Coro<IteratorResult<T, unknown>>;
  /** Called when the loop ends early (the body returned false or threw). */
  return?(): Coro<unknown>;
}

/**
 * Python's `async with cm as v: body`: enter `cm`, run `body(v)`, and always exit `cm`.
 * @example
 * yield* asyncWith(lock, function* () {
 *   yield* sleep(10); // the lock is held here
 * });
 */
export function* asyncWith<T, R>(cm: AsyncContextManager<T>, body: (value: T) => Coro<R>): Coro<R> {
  if (
    cm === null ||
    typeof cm !== 'object' ||
    typeof cm.enter !== 'function' ||
    typeof cm.exit !== 'function'
  ) {
    throw new TypeError(
      `asyncWith(cm): cm must have enter() and exit() coroutines, got ${describe(cm)}`,
    );
  }
  if (typeof body !== 'function') {
    throw new TypeError(
      `asyncWith(cm, body): body must be a generator function, got ${describe(body)}`,
    );
  }
  const value = yield* cm.enter();
  let result: R;
  try {
    result = yield* body(value);
  } catch (err) {
    if ((yield* cm.exit(err)) === true) return undefined as R;
    throw err;
  }
  yield* cm.exit(undefined);
  return result;
}

/**
 * Python's `async for x in it: body`: call `body(x)` for every item. `iterable` is one of
 * curio's (a `next()` coroutine, like `Stream` or `Queue` iteration) or any standard
 * `AsyncIterable` (an async generator, a Node stream, `events.on(...)`), whose promises the
 * task waits on. Return `false` from the body to stop early. When the loop ends early (the
 * body returned false or raised, or the task was cancelled or timed out), the iterator's
 * `return()` is called exactly once.
 * @example
 * yield* asyncFor(stream, function* (line) {
 *   console.log(line.toString());
 * });
 */
export function* asyncFor<T>(
  iterable: AsyncIterableLike<T> | AsyncIterable<T>,
  body: (item: T) => Coro<boolean | void>,
): Coro<void> {
  const standard = iterable as AsyncIterable<T> | null;
  const isStandard =
    standard !== null && typeof standard === 'object' && Symbol.asyncIterator in standard;
  const own = iterable as AsyncIterableLike<T> | null;
  if (!isStandard && (own === null || typeof own !== 'object' || typeof own.next !== 'function')) {
    const sync =
      iterable !== null &&
      typeof (iterable as unknown as Iterable<T>)[Symbol.iterator] === 'function';
    throw new TypeError(
      `asyncFor(iterable): iterable must be an AsyncIterable or have a next() coroutine, got ${describe(iterable)}${sync ? ' (a sync iterable: use for...of)' : ''}`,
    );
  }
  if (typeof body !== 'function') {
    throw new TypeError(
      `asyncFor(iterable, body): body must be a generator function, got ${describe(body)}`,
    );
  }
  if (isStandard) {
    yield* forAwait(standard as AsyncIterable<T>, body);
    return;
  }
  let finished = false;
  try {
    for (;;) {
      const item = yield* own!.next();
      if (item.done === true) {
        finished = true;
        return;
      }
      if ((yield* body(item.value)) === false) return;
    }
  } finally {
    if (!finished && typeof own!.return === 'function') yield* own!.return();
  }
}

// A standard AsyncIterable: each `next()` promise is waited on with futureWait.
function* forAwait<T>(
  iterable: AsyncIterable<T>,
  body: (item: T) => Coro<boolean | void>,
): Coro<void> {
  const iterator = iterable[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const item = yield* futureWait(iterator.next());
      if (item.done === true) {
        finished = true;
        return;
      }
      if ((yield* body(item.value)) === false) return;
    }
  } finally {
    if (!finished && typeof iterator.return === 'function') {
      // Called once; its promise is waited on so the source has closed when the loop ends.
      yield* futureWait(Promise.resolve(iterator.return()));
    }
  }
}
