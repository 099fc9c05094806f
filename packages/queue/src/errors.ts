import { CurioError } from '@curio/kernel';

/**
 * Raised by `UniversalQueue.getNowait()` when the queue holds no item.
 * @example
 * ```ts run
 * import { QueueEmpty, UniversalQueue } from '@curio/queue';
 *
 * const queue = new UniversalQueue<string>();
 * try {
 *   queue.getNowait();
 * } catch (err) {
 *   if (!(err instanceof QueueEmpty)) throw err;
 *   console.log('empty');
 * }
 * ```
 */
export class QueueEmpty extends CurioError {
  static override readonly brand: string = 'curio.error.QueueEmpty';
}

/**
 * Raised by `UniversalQueue.putNowait(item)` when a bounded queue is full.
 * @example
 * ```ts run
 * import { QueueFull, UniversalQueue } from '@curio/queue';
 *
 * const queue = new UniversalQueue<string>(1);
 * let dropped = 0;
 * for (const item of ['a', 'b']) {
 *   try {
 *     queue.putNowait(item);
 *   } catch (err) {
 *     if (err instanceof QueueFull) dropped++;
 *     else throw err;
 *   }
 * }
 * console.log(dropped); // 1
 * ```
 */
export class QueueFull extends CurioError {
  static override readonly brand: string = 'curio.error.QueueFull';
}
