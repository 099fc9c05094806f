import {
  type Coro,
  CurioError,
  KernelQueue,
  rescheduleTasks,
  type TimeoutOptions,
  waitOnQueue,
} from '@curio/kernel';
import { Deque } from './deque.js';
import type { Store } from './store.js';
import { checkMaxsize, checkOptions } from './validate.js';

// A put waiting for room. Each waits on its own kernel queue, so a `get` can take the item of
// the first putter still waiting: one whose `waiting` is empty timed out or was cancelled.
// Records are reused (`spare`) once their put has returned or raised.
interface PendingPut<T> {
  item: T | undefined;
  readonly waiting: KernelQueue;
}

const MAX_SPARE = 8;

/**
 * A first-in, first-out queue for passing items between tasks, with `join`/`taskDone` to wait
 * until every item put has been processed. `maxsize` bounds it (0: unbounded).
 *
 * Items are handed over directly: `put` gives its item to the first task waiting in `get`, and
 * `get` takes the item of the first task waiting in `put` into the queue, so no task can barge
 * in between, and a `get` or `put` that times out or is cancelled loses no item and adds none.
 * @example
 * const queue = new Queue<number>(10);
 * // producer
 * yield* queue.put(1);
 * yield* queue.join(); // until every item is done
 * // consumer
 * const item = yield* queue.get();
 * yield* queue.taskDone();
 */
export class Queue<T> {
  /** The most items the queue holds (0: unbounded). */
  readonly maxsize: number;
  /** @internal */ protected _store: Store<T> = new Deque<T>();
  // Invariants: tasks wait in `getters` only while the store is empty; live `putters` exist
  // only while the store is full (it holds one extra item per get that has just admitted a
  // putter and not yet taken its item); `unfinished` counts items put and not taskDone yet.
  private readonly getters = new KernelQueue();
  private readonly putters = new Deque<PendingPut<T>>();
  private readonly spare: PendingPut<T>[] = [];
  private readonly joiners = new KernelQueue();
  private unfinished = 0;
  // Reused options of the hand-off to a getter (read by the kernel as the trap is handled).
  private readonly handOff: { n: number; value: T | undefined } = { n: 1, value: undefined };

  /**
   * @param maxsize the most items the queue holds, an integer >= 0 (default 0: unbounded).
   * Throws `TypeError` / `RangeError` naming it otherwise.
   */
  constructor(maxsize = 0) {
    checkMaxsize(new.target.name, maxsize);
    this.maxsize = maxsize;
  }

  /** True if the queue holds no item. */
  empty(): boolean {
    return this._store.length === 0;
  }

  /** True if the queue is bounded and holds `maxsize` items (a `put` would wait). */
  full(): boolean {
    return this.maxsize > 0 && this._store.length >= this.maxsize;
  }

  /** The number of items in the queue. */
  qsize(): number {
    return this._store.length;
  }

  /**
   * Remove and return the next item, waiting while the queue is empty. If a `put` is waiting
   * for room, its item first moves into the queue and that task is woken (a switch point);
   * the item is taken after the switch, so gets return items in the order they were queued.
   * Raises `TaskTimeout` after `timeout` ms.
   * @example
   * const item = yield* queue.get({ timeout: 1000 });
   */
  *get(options?: TimeoutOptions): Coro<T> {
    if (options !== undefined) checkOptions(`${this.constructor.name}.get`, options);
    if (this.putters.length > 0) yield* this.admitPutter();
    if (this._store.length === 0) {
      // A put hands its item straight to us. (After admitPutter, other gets may have emptied
      // the queue meanwhile: then we wait too, with a fresh timeout.)
      return yield* waitOnQueue<T>(this.getters, 'QUEUE_GET', options);
    }
    return this._store.take();
  }

  // Move the item of the first putter still waiting into the queue, and wake it. The queue
  // holds one item more than maxsize until the caller takes its item.
  private *admitPutter(): Coro<void> {
    for (
      let pending = this.putters.shift();
      pending !== undefined;
      pending = this.putters.shift()
    ) {
      if (pending.waiting.length === 0) continue; // timed out or cancelled: nothing to admit
      this._store.push(pending.item as T);
      this.unfinished++;
      yield* rescheduleTasks(pending.waiting);
      return;
    }
  }

  /**
   * Add `item`, waiting while the queue is full. If a `get` is waiting, it receives the item
   * at once and is woken (a switch point); otherwise there is no task switch.
   * Raises `TaskTimeout` after `timeout` ms, without adding the item.
   * @example
   * yield* queue.put(item, { timeout: 1000 });
   */
  *put(item: T, options?: TimeoutOptions): Coro<void> {
    if (options !== undefined) checkOptions(`${this.constructor.name}.put`, options);
    this._check(item);
    if (this.getters.length > 0) {
      this.unfinished++;
      this.handOff.value = item;
      yield* rescheduleTasks(this.getters, this.handOff);
      this.handOff.value = undefined;
      return;
    }
    if (this.maxsize > 0 && this._store.length >= this.maxsize) {
      // A get moves our item into the queue when it frees a slot.
      const pending = this.spare.pop() ?? { item, waiting: new KernelQueue() };
      pending.item = item;
      this.putters.push(pending);
      try {
        yield* waitOnQueue(pending.waiting, 'QUEUE_PUT', options);
      } catch (err) {
        this.putters.remove(pending); // still there if no get has dropped it yet
        throw err;
      } finally {
        // No longer referenced by `putters`, and `waiting` is empty: reusable.
        pending.item = undefined;
        if (this.spare.length < MAX_SPARE) this.spare.push(pending);
      }
      return;
    }
    this._store.push(item);
    this.unfinished++;
  }

  /** @internal Validate an item before it is queued (PriorityQueue checks comparability). */
  protected _check(_item: T): void {}

  /**
   * Wait until every item put so far has been marked done with `taskDone` (at once if none is
   * outstanding). Raises `TaskTimeout` after `timeout` ms.
   * @example
   * yield* queue.join({ timeout: 5000 });
   */
  *join(options?: TimeoutOptions): Coro<void> {
    if (options !== undefined) checkOptions(`${this.constructor.name}.join`, options);
    if (this.unfinished > 0) yield* waitOnQueue(this.joiners, 'QUEUE_JOIN', options);
  }

  /**
   * Mark one item as processed. The call that finishes the last outstanding item wakes every
   * task waiting in `join` (a switch point, only when someone waits). Raises `CurioError` if
   * called more times than items were put.
   * @example
   * const item = yield* queue.get();
   * try { handle(item); } finally { yield* queue.taskDone(); }
   */
  *taskDone(): Coro<void> {
    if (this.unfinished === 0) {
      throw new CurioError(
        `${this.constructor.name}.taskDone: called more times than there were items put`,
      );
    }
    if (--this.unfinished === 0 && this.joiners.length > 0) {
      yield* rescheduleTasks(this.joiners, { n: this.joiners.length });
    }
  }
}
