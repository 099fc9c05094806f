import { CurioError } from '@curio/kernel';

/**
 * Raised by `UniversalQueue.getNowait()` when the queue holds no item.
 * @example
 * try {
 *   const item = queue.getNowait();
 * } catch (err) {
 *   if (!(err instanceof QueueEmpty)) throw err;
 * }
 */
export class QueueEmpty extends CurioError {}

/**
 * Raised by `UniversalQueue.putNowait(item)` when a bounded queue is full.
 * @example
 * try {
 *   queue.putNowait(item);
 * } catch (err) {
 *   if (err instanceof QueueFull) dropped++;
 *   else throw err;
 * }
 */
export class QueueFull extends CurioError {}
