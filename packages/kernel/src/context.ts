import { msg } from './explain.js';
import { futureWait } from './future.js';
import { K34, K35, K36 } from './messages.js';
import type { Coro } from './trap.js';
import { checkFunction, describe } from './validate.js';

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
 * import { asyncWith, run, sleep } from '@curio/kernel';
 * import { Lock } from '@curio/sync';
 *
 * const lock = new Lock();
 * await run(asyncWith(lock, function* () {
 *   yield* sleep(10); // the lock is held here
 * }));
 */
export function* asyncWith<T, R>(cm: AsyncContextManager<T>, body: (value: T) => Coro<R>): Coro<R> {
  if (
    cm === null ||
    typeof cm !== 'object' ||
    typeof cm.enter !== 'function' ||
    typeof cm.exit !== 'function'
  ) {
    throw new TypeError(msg(K34, describe(cm)));
  }
  checkFunction('asyncWith(cm, body)', 'body', body, 'a generator function');
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
 * curio's (a `next()` coroutine, like `Stream` or `Queue` iteration), a `TaskGroup` (its
 * tasks as they end, each taken out of the group as `nextDone` does), or any standard
 * `AsyncIterable` (an async generator, a Node stream, `events.on(...)`), whose promises the
 * task waits on. Return `false` from the body to stop early. When the loop ends early (the
 * body returned false or raised, or the task was cancelled or timed out), the iterator's
 * `return()` is called exactly once.
 * @example
 * import { asyncFor, asyncWith, run, sleep, TaskGroup } from '@curio/kernel';
 *
 * await run(asyncWith(new TaskGroup(), function* (g) {
 *   yield* g.spawn(sleep(20));
 *   yield* g.spawn(sleep(10));
 *   yield* asyncFor(g, function* (task) {
 *     console.log(task.name, 'ended'); // the 10 ms one first
 *   });
 * }));
 */
export function* asyncFor<T>(
  iterable: AsyncIterableLike<T> | AsyncIterable<T> | { nextDone(): Coro<T | undefined> },
  body: (item: T) => Coro<boolean | void>,
): Coro<void> {
  const standard = iterable as AsyncIterable<T> | null;
  const isStandard =
    standard !== null && typeof standard === 'object' && Symbol.asyncIterator in standard;
  const group = iterable as { nextDone?: () => Coro<T | undefined> } | null;
  const isGroup =
    group !== null && typeof group === 'object' && typeof group.nextDone === 'function';
  const own = iterable as AsyncIterableLike<T> | null;
  if (
    !isStandard &&
    !isGroup &&
    (own === null || typeof own !== 'object' || typeof own.next !== 'function')
  ) {
    const sync =
      iterable !== null &&
      typeof (iterable as unknown as Iterable<T>)[Symbol.iterator] === 'function';
    throw new TypeError(msg(sync ? K36 : K35, describe(iterable)));
  }
  checkFunction('asyncFor(iterable, body)', 'body', body, 'a generator function');
  if (isStandard) {
    yield* forAwait(standard as AsyncIterable<T>, body);
    return;
  }
  if (isGroup) {
    // A TaskGroup: nothing to close when the loop ends early (the group's owner joins it).
    for (
      let task = yield* group!.nextDone!();
      task !== undefined;
      task = yield* group!.nextDone!()
    ) {
      if ((yield* body(task)) === false) return;
    }
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
