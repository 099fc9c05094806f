import {
  type Coro,
  CurioError,
  KernelQueue,
  rescheduleTasks,
  type TimeoutOptions,
  waitOnQueue,
} from '@curio/kernel';
import { Deque } from './deque.js';
import { msg } from './message.js';
import { Q7 } from './messages.js';
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
 * ```ts run
 * import { newTask, run } from '@curio/kernel';
 * import { Queue } from '@curio/queue';
 *
 * const queue = new Queue<number>(10);
 *
 * function* producer() {
 *   for (let n = 1; n <= 3; n++) yield* queue.put(n);
 *   yield* queue.join(); // until every item is done
 *   console.log('all done');
 * }
 *
 * function* consumer() {
 *   for (;;) {
 *     const item = yield* queue.get();
 *     console.log('got', item);
 *     yield* queue.taskDone();
 *   }
 * }
 *
 * await run(function* () {
 *   const c = yield* newTask(consumer());
 *   yield* producer(); // got 1, got 2, got 3, all done
 *   yield* c.cancel();
 * }());
 * ```
 */
export class Queue<T> {
  /** The most items the queue holds (0: unbounded). */
  readonly maxsize: number;
  /** @internal */ _store: Store<T> = new Deque<T>();
  // Invariants: tasks wait in `getters` only while the store is empty; live `putters` exist
  // only while the store is full (it holds one extra item per get that has just admitted a
  // putter and not yet taken its item); `unfinished` counts items put and not taskDone yet.
  /** @internal */ readonly _getters = new KernelQueue();
  /** @internal */ readonly _putters = new Deque<PendingPut<T>>();
  /** @internal */ readonly _spare: PendingPut<T>[] = [];
  /** @internal */ _unfinished = 0;
  // Reused options of the hand-off to a getter (read by the kernel as the trap is handled).
  /** @internal */ readonly _handOff: { n: number; value: T | undefined } = {
    n: 1,
    value: undefined,
  };
  private readonly joiners = new KernelQueue();

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
   * import type { Queue } from '@curio/queue';
   *
   * function* next(queue: Queue<string>) {
   *   return yield* queue.get({ timeout: 1000 }); // TaskTimeout if nothing arrives within a second
   * }
   */
  get(options?: TimeoutOptions): Coro<T> {
    return new GetOp(this, options) as unknown as Coro<T>;
  }

  /**
   * Add `item`, waiting while the queue is full. If a `get` is waiting, it receives the item
   * at once and is woken (a switch point); otherwise there is no task switch.
   * Raises `TaskTimeout` after `timeout` ms, without adding the item.
   * @example
   * import type { Queue } from '@curio/queue';
   *
   * function* offer(queue: Queue<string>, item: string) {
   *   yield* queue.put(item, { timeout: 1000 }); // a full queue: TaskTimeout after a second, no item added
   * }
   */
  put(item: T, options?: TimeoutOptions): Coro<void> {
    return new PutOp(this, item, options) as unknown as Coro<void>;
  }

  /** @internal Start a get: the trap to run first, or `null` if the item can be taken now. */
  _startGet(): Coro<unknown> | null {
    // Move the item of the first putter still waiting into the queue and wake it. The queue
    // holds one item more than maxsize until this get takes its item, after the switch.
    for (let pending = this._putters.shift(); pending !== undefined; ) {
      if (pending.waiting.length > 0) {
        this._store.push(pending.item as T);
        this._unfinished++;
        return rescheduleTasks(pending.waiting);
      }
      pending = this._putters.shift(); // timed out or cancelled: nothing to admit
    }
    return null;
  }

  /** @internal Finish a get: `null` after taking the item into `op`, else the trap to wait. */
  _finishGet(op: { value: unknown }, options: TimeoutOptions | undefined): Coro<T> | null {
    if (this._store.length === 0) {
      // A put hands its item straight to us. (After admitting a putter, other gets may have
      // emptied the queue meanwhile: then we wait too, with a fresh timeout.)
      return waitOnQueue<T>(this._getters, 'QUEUE_GET', options);
    }
    op.value = this._store.take();
    return null;
  }

  /** @internal Validate an item before it is queued (PriorityQueue checks comparability). */
  _check(_item: T): void {}

  /**
   * Wait until every item put so far has been marked done with `taskDone` (at once if none is
   * outstanding). Raises `TaskTimeout` after `timeout` ms.
   * @example
   * import type { Queue } from '@curio/queue';
   *
   * function* drain(queue: Queue<string>) {
   *   yield* queue.join({ timeout: 5000 }); // until taskDone() was called for every item put
   * }
   */
  *join(options?: TimeoutOptions): Coro<void> {
    if (options !== undefined) checkOptions(`${this.constructor.name}.join`, options);
    if (this._unfinished > 0) yield* waitOnQueue(this.joiners, 'QUEUE_JOIN', options);
  }

  /**
   * Mark one item as processed. The call that finishes the last outstanding item wakes every
   * task waiting in `join` (a switch point, only when someone waits). Raises `CurioError` if
   * called more times than items were put.
   * @example
   * import type { Queue } from '@curio/queue';
   *
   * function* work(queue: Queue<string>, handle: (item: string) => void) {
   *   const item = yield* queue.get();
   *   try {
   *     handle(item);
   *   } finally {
   *     yield* queue.taskDone(); // Python: queue.task_done()
   *   }
   * }
   */
  *taskDone(): Coro<void> {
    if (this._unfinished === 0) {
      throw new CurioError(msg(Q7, this.constructor.name));
    }
    if (--this._unfinished === 0 && this.joiners.length > 0) {
      yield* rescheduleTasks(this.joiners, { n: this.joiners.length });
    }
  }
}

// get() and put() are hot: each is one object that is its own iterator and iterator result
// (like the kernel's traps), instead of a generator frame plus result objects. `yield*` drives
// them: `next()` runs a step and hands over the trap to wait on, if any; the kernel's answer
// or error comes back through `next(answer)` / `throw(error)`.

const START = 0;
const ADMITTING = 1; // a rescheduleTasks trap (waking a putter or a getter) is with the kernel
const WAITING = 2; // a waitOnQueue trap is with the kernel
const DONE = 3;

type Step = IteratorResult<unknown, unknown>;

class GetOp<T> {
  value: unknown = undefined;
  done = false;
  private stage = START as number;
  private trap: Coro<unknown> | null = null;

  constructor(
    private readonly queue: Queue<T>,
    private readonly options: TimeoutOptions | undefined,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(answer?: unknown): Step {
    switch (this.stage) {
      case START: {
        const { queue, options } = this;
        if (options !== undefined) checkOptions(`${queue.constructor.name}.get`, options);
        const trap = queue._putters.length > 0 ? queue._startGet() : null;
        if (trap !== null) return this.delegate(trap, ADMITTING);
        return this.finish();
      }
      case ADMITTING:
        (this.trap as Coro<unknown>).next(answer);
        return this.finish();
      case WAITING: {
        this.stage = DONE;
        return (this.trap as Coro<unknown>).next(answer); // done, with the item handed over
      }
      default:
        return { value: undefined, done: true };
    }
  }

  private finish(): Step {
    const trap = this.queue._finishGet(this, this.options);
    if (trap !== null) return this.delegate(trap, WAITING);
    this.stage = DONE;
    this.done = true;
    return this;
  }

  private delegate(trap: Coro<unknown>, stage: number): Step {
    this.trap = trap;
    this.stage = stage;
    return trap.next();
  }

  throw(error: unknown): never {
    this.stage = DONE;
    throw error;
  }

  return(value?: unknown): Step {
    this.stage = DONE;
    return { value, done: true };
  }
}

class PutOp<T> {
  value: unknown = undefined;
  done = false;
  private stage = START as number;
  private trap: Coro<unknown> | null = null;
  private pending: PendingPut<T> | null = null;

  constructor(
    private readonly queue: Queue<T>,
    private readonly item: T,
    private readonly options: TimeoutOptions | undefined,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(answer?: unknown): Step {
    const queue = this.queue;
    switch (this.stage) {
      case START: {
        const { item, options } = this;
        if (options !== undefined) checkOptions(`${queue.constructor.name}.put`, options);
        queue._check(item);
        if (queue._getters.length > 0) {
          // Hand the item straight to the first getter; the kernel reads _handOff now.
          queue._unfinished++;
          queue._handOff.value = item;
          return this.delegate(rescheduleTasks(queue._getters, queue._handOff), ADMITTING);
        }
        if (queue.maxsize > 0 && queue.qsize() >= queue.maxsize) {
          // A get moves our item into the queue when it frees a slot.
          const pending = queue._spare.pop() ?? { item, waiting: new KernelQueue() };
          pending.item = item;
          queue._putters.push(pending);
          this.pending = pending;
          return this.delegate(waitOnQueue(pending.waiting, 'QUEUE_PUT', options), WAITING);
        }
        queue._store.push(item);
        queue._unfinished++;
        return this.finish();
      }
      case ADMITTING:
        queue._handOff.value = undefined;
        (this.trap as Coro<unknown>).next(answer);
        return this.finish();
      case WAITING:
        (this.trap as Coro<unknown>).next(answer);
        this.release(false); // a get took our item and shifted the record out of _putters
        return this.finish();
      default:
        return { value: undefined, done: true };
    }
  }

  private finish(): Step {
    this.stage = DONE;
    this.done = true;
    return this;
  }

  private delegate(trap: Coro<unknown>, stage: number): Step {
    this.trap = trap;
    this.stage = stage;
    return trap.next();
  }

  // The wait ended: once out of `_putters` (a get shifted it, or we remove it after a failed
  // wait) the record's kernel queue is empty and nothing refers to it: it can be reused.
  private release(failed: boolean): void {
    const pending = this.pending as PendingPut<T>;
    this.pending = null;
    if (failed) this.queue._putters.remove(pending); // unless a get already dropped it
    pending.item = undefined;
    if (this.queue._spare.length < MAX_SPARE) this.queue._spare.push(pending);
  }

  throw(error: unknown): never {
    if (this.stage === WAITING) this.release(true);
    else if (this.stage === ADMITTING) this.queue._handOff.value = undefined;
    this.stage = DONE;
    throw error;
  }

  return(value?: unknown): Step {
    if (this.stage === WAITING) this.release(true);
    else if (this.stage === ADMITTING) this.queue._handOff.value = undefined;
    this.stage = DONE;
    return { value, done: true };
  }
}
