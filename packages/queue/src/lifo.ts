import { Queue } from './queue.js';
import { Stack } from './store.js';

/**
 * A {@link Queue} that returns the most recently added item first (a stack).
 * @example
 * ```ts run
 * import { run } from '@curio/kernel';
 * import { LifoQueue } from '@curio/queue';
 *
 * await run(function* () {
 *   const stack = new LifoQueue<string>();
 *   yield* stack.put('a');
 *   yield* stack.put('b');
 *   console.log(yield* stack.get()); // b
 * }());
 * ```
 */
export class LifoQueue<T> extends Queue<T> {
  /** @param maxsize the most items held, an integer >= 0 (default 0: unbounded). */
  constructor(maxsize = 0) {
    super(maxsize);
    this._store = new Stack<T>();
  }
}
