// UniversalQueue: one queue used by tasks (of any kernel) and by plain code at the same time.
//
// Tasks block through `readWait` / `writeWait` on a readiness source of our own (a waiter
// record): its `wake` is the kernel's, and we call it synchronously when we hand the task an
// item or admit its item. The hand-over and the wake are one step, and a cancel or timeout
// withdraws the record (through the canceller we return) before anything else can touch it,
// so a wait ends exactly one way: with the item, or without it. Plain code waits on promises;
// an abort or timeout takes its record out of the line in the same synchronous way.
import {
  CancelledError,
  type Coro,
  KernelQueue,
  type ReadinessSource,
  readWait,
  rescheduleTasks,
  TaskTimeout,
  type TimeoutOptions,
  writeWait,
} from '@curio/kernel';
import { Deque } from './deque.js';
import { QueueEmpty, QueueFull } from './errors.js';
import { msg } from './message.js';
import { Q8, Q9, Q10, Q11, Q12 } from './messages.js';
import { checkMaxsize, checkOptions, describe } from './validate.js';

/**
 * Options of the promise-returning methods of {@link UniversalQueue} (`getAsync`,
 * `putAsync`).
 * @example
 * ```ts run
 * import { UniversalQueue } from '@curio/queue';
 *
 * const queue = new UniversalQueue<string>();
 * const controller = new AbortController();
 * const next = queue.getAsync({ signal: controller.signal, timeout: 5000 });
 * controller.abort(); // next rejects with controller.signal.reason; no item is taken
 * console.log(await next.catch((err: Error) => err.name)); // AbortError
 * ```
 */
export interface UniversalQueueAsyncOptions {
  /**
   * An `AbortSignal`. When it aborts while the call waits, the call is withdrawn (a get takes
   * no item, a put adds none) and the promise rejects with `signal.reason`. An already aborted
   * signal rejects at once. `null` or absent: no signal.
   */
  signal?: {
    readonly aborted: boolean;
    readonly reason?: unknown;
    /** Called once, with the wait's own listener object. */
    addEventListener(type: 'abort', listener: { handleEvent(): void }): void;
    /** Called when the wait ends first. */
    removeEventListener(type: 'abort', listener: { handleEvent(): void }): void;
  } | null;
  /**
   * Milliseconds (of real time: a host timer) to wait before the call is withdrawn and the
   * promise rejects with `TaskTimeout`. `null` or absent: wait forever.
   */
  timeout?: number | null;
}

type Signal = NonNullable<UniversalQueueAsyncOptions['signal']>;

interface HostTimers {
  setTimeout(fn: (waiter: PromiseWaiter<unknown>) => void, ms: number, arg: unknown): unknown;
  clearTimeout(handle: unknown): void;
}
const host = globalThis as unknown as HostTimers;
// Hosts store timer delays in 32 bits: longer timeouts are armed in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_SPARE = 8;
const NAME = 'UniversalQueue';
const RESOLVED: Promise<void> = /* @__PURE__ */ Promise.resolve();
const noop = (): void => {};

// Never waited on: `rescheduleTasks(SWITCH)` wakes nobody and only moves the caller to the back
// of the ready queue: a switch point that, unlike `sleep(0)`, is not a cancellation point.
const SWITCH = /* @__PURE__ */ new KernelQueue();

/**
 * A first-in, first-out queue shared by curio tasks and plain JavaScript: tasks use
 * `yield* get()` / `yield* put(item)` (blocking coroutines, with timeouts and cancellation, as
 * {@link Queue}); plain code uses `getAsync()` / `putAsync(item)` (promises, with an
 * `AbortSignal` and a timeout), `getNowait()` / `putNowait(item)`, and `for await`. Tasks of
 * several kernels may use the same queue, and plain code may call it whether a kernel runs or
 * not. `maxsize` bounds it (0: unbounded).
 *
 * Items are handed over directly, first come first served on both sides: a put gives its item
 * to the longest-waiting getter (task or promise), and a get that frees room admits the item of
 * the longest-waiting putter. No item is lost or delivered twice when a wait is cancelled,
 * times out or is aborted.
 * @example
 * ```ts run
 * import { run } from '@curio/kernel';
 * import { UniversalQueue } from '@curio/queue';
 *
 * const jobs = new UniversalQueue<string>();
 *
 * // a curio task
 * function* worker() {
 *   for (let job = yield* jobs.get(); job !== 'stop'; job = yield* jobs.get()) {
 *     console.log('doing', job);
 *   }
 * }
 *
 * const running = run(worker());
 * // plain code, e.g. an HTTP handler
 * await jobs.putAsync('resize photo.jpg'); // doing resize photo.jpg
 * await jobs.putAsync('stop');
 * await running;
 * ```
 */
export class UniversalQueue<T> implements AsyncIterable<T> {
  /** The most items the queue holds (0: unbounded). */
  readonly maxsize: number;
  // Invariants: getters wait only while `_items` is empty; putters wait only while it is full
  // (it holds one extra item for each task get that has admitted a putter and, after the
  // switch that lets that putter run, not yet taken its item). Every get that takes an item
  // while putters wait admits exactly one of them.
  /** @internal */ readonly _items = new Deque<T>();
  /** @internal */ readonly _getters = new WaitLine<T>();
  /** @internal */ readonly _putters = new WaitLine<T>();
  /** @internal Task waiter records, reused once their wait has ended. */
  readonly _spare: TaskWaiter<T>[] = [];

  /**
   * @param maxsize the most items the queue holds, an integer >= 0 (default 0: unbounded).
   * Throws `TypeError` / `RangeError` naming it otherwise.
   */
  constructor(maxsize = 0) {
    checkMaxsize(NAME, maxsize);
    this.maxsize = maxsize;
  }

  /**
   * True if the queue holds no item.
   * @example
   * import { UniversalQueue } from '@curio/queue';
   *
   * const queue = new UniversalQueue<string>();
   * if (!queue.empty()) console.log(queue.getNowait());
   */
  empty(): boolean {
    return this._items.length === 0;
  }

  /**
   * True if the queue is bounded and holds `maxsize` items (a put would wait).
   * @example
   * import { UniversalQueue } from '@curio/queue';
   *
   * const queue = new UniversalQueue<string>(1);
   * if (!queue.full()) queue.putNowait('a');
   * console.log(queue.full()); // true
   */
  full(): boolean {
    return this.maxsize > 0 && this._items.length >= this.maxsize;
  }

  /**
   * The number of items in the queue.
   * @example
   * import { UniversalQueue } from '@curio/queue';
   *
   * const queue = new UniversalQueue<string>();
   * queue.putNowait('a');
   * console.log(`${queue.qsize()} jobs waiting`); // 1 jobs waiting
   */
  qsize(): number {
    return this._items.length;
  }

  /**
   * In a task: remove and return the next item, waiting while the queue is empty. Raises
   * `TaskTimeout` after `timeout` ms and `CancelledError` when the task is cancelled, taking no
   * item either way. Without waiting there is no task switch, except when the get admits the
   * item of a task waiting in `put`: that task runs first (a switch point, as `Queue.get`).
   * @example
   * import type { UniversalQueue } from '@curio/queue';
   *
   * function* next(queue: UniversalQueue<string>) {
   *   return yield* queue.get({ timeout: 1000 }); // TaskTimeout if nothing arrives within a second
   * }
   */
  get(options?: TimeoutOptions): Coro<T> {
    return new GetOp(this, options) as unknown as Coro<T>;
  }

  /**
   * In a task: add `item`, waiting while the queue is full. Raises `TaskTimeout` after
   * `timeout` ms and `CancelledError` when the task is cancelled, adding nothing either way.
   * Handing the item to a waiting task is a switch point (as `Queue.put`); handing it to a
   * waiting promise, or queueing it, is not.
   * @example
   * import type { UniversalQueue } from '@curio/queue';
   *
   * function* offer(queue: UniversalQueue<string>, item: string) {
   *   yield* queue.put(item, { timeout: 1000 });
   * }
   */
  put(item: T, options?: TimeoutOptions): Coro<void> {
    return new PutOp(this, item, options) as unknown as Coro<void>;
  }

  /**
   * Remove and return the next item at once, or throw {@link QueueEmpty}. Never waits; from
   * plain code or a task. A waiting putter's item moves into the freed room.
   * @example
   * import { UniversalQueue } from '@curio/queue';
   *
   * const queue = new UniversalQueue<number>();
   * queue.putNowait(1);
   * console.log(queue.getNowait()); // 1; QueueEmpty when there is none
   */
  getNowait(): T {
    if (this._items.length === 0) throw new QueueEmpty(msg(Q11));
    return this._take();
  }

  /**
   * Add `item` at once (to the longest-waiting getter, if any), or throw {@link QueueFull}
   * when the queue is bounded and full. Never waits; from plain code or a task. A task it
   * wakes runs at its kernel's next turn: there is no task switch here.
   * @example
   * import { EventEmitter } from 'node:events';
   * import { UniversalQueue } from '@curio/queue';
   *
   * const queue = new UniversalQueue<string>();
   * const emitter = new EventEmitter();
   * emitter.on('event', (event: string) => queue.putNowait(event)); // from a callback
   * emitter.emit('event', 'hello');
   * console.log(queue.qsize()); // 1
   */
  putNowait(item: T): void {
    if (!this._offer(item)) {
      throw new QueueFull(msg(Q12, this.maxsize));
    }
  }

  /**
   * From plain code: a promise of the next item, waiting while the queue is empty. Rejects
   * with `signal.reason` when `signal` aborts, with `TaskTimeout` after `timeout` ms; the get
   * is then withdrawn and takes no item. Bad options throw at once (`TypeError` /
   * `RangeError` naming the option), before anything happens.
   * @example
   * import type { UniversalQueue } from '@curio/queue';
   *
   * async function next(queue: UniversalQueue<string>) {
   *   return await queue.getAsync({ signal: AbortSignal.timeout(5000) });
   * }
   */
  getAsync(options?: UniversalQueueAsyncOptions): Promise<T> {
    checkAsyncOptions('getAsync', options);
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal, 'getAsync'));
    if (this._items.length > 0) return Promise.resolve(this._take());
    return this._wait(this._getters, 'getAsync', options, undefined, false, null) as Promise<T>;
  }

  /**
   * From plain code: add `item`, waiting while the queue is full; the promise resolves once
   * the item is in the queue (or handed to a getter). Rejects with `signal.reason` when
   * `signal` aborts, with `TaskTimeout` after `timeout` ms; the put is then withdrawn and adds
   * nothing. Bad options throw at once.
   * @example
   * import type { UniversalQueue } from '@curio/queue';
   *
   * async function offer(queue: UniversalQueue<string>, line: string) {
   *   await queue.putAsync(line, { timeout: 1000 }); // a full queue: TaskTimeout after a second
   * }
   */
  putAsync(item: T, options?: UniversalQueueAsyncOptions): Promise<void> {
    checkAsyncOptions('putAsync', options);
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal, 'putAsync'));
    if (this._offer(item)) return RESOLVED;
    return this._wait(this._putters, 'putAsync', options, item, false, null) as Promise<void>;
  }

  /**
   * `for await (const item of queue)` from plain code: each turn gets the next item, as
   * `getAsync()`. The loop never ends by itself (a queue has no end); leave it with `break`,
   * `return` or `throw`. Leaving loses nothing: no get is pending between turns, and a get
   * still pending when the iterator's `return()` is called is withdrawn.
   * @example
   * ```ts run
   * import { UniversalQueue } from '@curio/queue';
   *
   * const queue = new UniversalQueue<string>();
   * queue.putNowait('a');
   * queue.putNowait('stop');
   * for await (const item of queue) {
   *   if (item === 'stop') break;
   *   console.log(item); // a
   * }
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return new QueueIterator(this);
  }

  /** @internal Move the first waiting putter's item into the queue. True if a task woke. */
  _admit(): boolean {
    const putter = this._putters.shift() as Waiter<T>;
    this._items.push(putter.item as T);
    putter.item = undefined;
    return putter.admitted();
  }

  /** @internal Take the next item (there is one), admitting a waiting putter. No switch. */
  _take(): T {
    if (this._putters.length > 0) this._admit();
    return this._items.shift() as T;
  }

  /** @internal Give `item` to the first getter, or queue it; false if the queue is full. */
  _offer(item: T): boolean {
    const getter = this._getters.shift();
    if (getter !== null) {
      getter.receive(item);
      return true;
    }
    if (this.maxsize > 0 && this._items.length >= this.maxsize) return false;
    this._items.push(item);
    return true;
  }

  /** @internal Wait in `line` for a promise (plain code). */
  _wait(
    line: WaitLine<T>,
    method: string,
    options: UniversalQueueAsyncOptions | undefined,
    item: T | undefined,
    asResult: boolean,
    track: PromiseWaiter<T>[] | null,
  ): Promise<unknown> {
    const timeout = options?.timeout ?? Number.POSITIVE_INFINITY;
    const waiter = new PromiseWaiter<T>(method, timeout, asResult);
    waiter.item = item;
    const promise = new Promise<unknown>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
    });
    line.push(waiter);
    const signal = options?.signal;
    if (signal !== undefined && signal !== null) {
      waiter.signal = signal;
      signal.addEventListener('abort', waiter);
    }
    if (timeout !== Number.POSITIVE_INFINITY) {
      waiter.remaining = timeout;
      waiter.arm();
    }
    track?.push(waiter);
    return promise;
  }

  /** @internal Keep a task waiter record for reuse. */
  _release(waiter: TaskWaiter<T>): void {
    waiter.item = undefined;
    waiter.wake = null;
    if (this._spare.length < MAX_SPARE) this._spare.push(waiter);
  }
}

// ---- the lines of waiters -----------------------------------------------------------------

/**
 * @internal One waiting get or put, of a task or of a promise, linked into a {@link WaitLine}.
 * Invariant: `line` is the line it is in, or null once it was woken or withdrawn.
 */
abstract class Waiter<T> {
  prev: Waiter<T> | null = null;
  next: Waiter<T> | null = null;
  line: WaitLine<T> | null = null;
  /** A putter's item, or the item handed to a getter task. */
  item: T | undefined = undefined;
  /** This getter receives `item` (it has left the line). True if a task was woken. */
  abstract receive(item: T): boolean;
  /** This putter's item has moved into the queue (it has left the line). True if a task woke. */
  abstract admitted(): boolean;
}

/** @internal Waiters in arrival order: O(1) push, shift and removal from anywhere. */
class WaitLine<T> {
  head: Waiter<T> | null = null;
  tail: Waiter<T> | null = null;
  length = 0;

  push(waiter: Waiter<T>): void {
    waiter.line = this;
    waiter.prev = this.tail;
    waiter.next = null;
    if (this.tail === null) this.head = waiter;
    else this.tail.next = waiter;
    this.tail = waiter;
    this.length++;
  }

  shift(): Waiter<T> | null {
    const waiter = this.head;
    if (waiter !== null) this.remove(waiter);
    return waiter;
  }

  remove(waiter: Waiter<T>): void {
    const { prev, next } = waiter;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    waiter.prev = waiter.next = null;
    waiter.line = null;
    this.length--;
  }
}

/**
 * @internal A task blocked in `get` (through `readWait`) or `put` (through `writeWait`) on this
 * record as its readiness source. The kernel calls `onReadable` / `onWritable` once the task
 * is suspended, so a pending cancel raised before that never leaves the record in a line.
 */
class TaskWaiter<T> extends Waiter<T> implements ReadinessSource {
  wake: (() => void) | null = null;
  // The canceller the kernel calls when a cancel or timeout withdraws the wait.
  readonly withdraw: () => void;

  constructor(private readonly queue: UniversalQueue<T>) {
    super();
    this.withdraw = () => {
      if (this.line !== null) this.line.remove(this);
      this.wake = null;
    };
  }

  onReadable(wake: () => void): () => void {
    this.wake = wake;
    this.queue._getters.push(this);
    return this.withdraw;
  }

  onWritable(wake: () => void): () => void {
    this.wake = wake;
    this.queue._putters.push(this);
    return this.withdraw;
  }

  receive(item: T): boolean {
    this.item = item;
    return this.fire();
  }

  admitted(): boolean {
    return this.fire();
  }

  // Wake the task now: it is ready with its outcome, and a later cancel waits for its next
  // blocking call (the kernel's contract), so nothing handed over can be lost.
  private fire(): boolean {
    const wake = this.wake as () => void;
    this.wake = null;
    wake();
    return true;
  }
}

/** @internal A promise waiting in `getAsync`, `putAsync` or `for await`. */
class PromiseWaiter<T> extends Waiter<T> {
  resolve: (value: unknown) => void = noop;
  reject: (error: unknown) => void = noop;
  signal: Signal | null = null;
  timer: unknown = undefined;
  remaining = 0; // ms of the timeout not armed yet

  constructor(
    readonly method: string,
    readonly timeout: number,
    readonly asResult: boolean,
  ) {
    super();
  }

  receive(item: T): boolean {
    this.settle();
    this.resolve(this.asResult ? { value: item, done: false } : item);
    return false;
  }

  admitted(): boolean {
    this.settle();
    this.resolve(undefined);
    return false;
  }

  /** The signal aborted (this object is its event listener). */
  handleEvent(): void {
    const signal = this.signal as Signal;
    if (this.withdrawn()) this.reject(abortReason(signal, this.method));
  }

  arm(): void {
    const ms = Math.min(this.remaining, MAX_TIMER_MS);
    this.remaining -= ms;
    this.timer = host.setTimeout(expire, ms, this);
  }

  expire(): void {
    this.timer = undefined;
    if (this.line === null) return;
    if (this.remaining > 0) this.arm();
    else if (this.withdrawn()) {
      this.reject(new TaskTimeout(`${NAME}.${this.method}: timed out after ${this.timeout} ms`));
    }
  }

  /** Leave the line, if still in it (true), and drop the timer and the signal listener. */
  withdrawn(): boolean {
    if (this.line === null) return false;
    this.line.remove(this);
    this.settle();
    return true;
  }

  private settle(): void {
    if (this.timer !== undefined) {
      host.clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.signal !== null) {
      this.signal.removeEventListener('abort', this);
      this.signal = null;
    }
  }
}

function expire(waiter: PromiseWaiter<unknown>): void {
  waiter.expire();
}

function abortReason(signal: Signal, method: string): unknown {
  return signal.reason !== undefined ? signal.reason : new CancelledError(msg(Q8, method));
}

// ---- async iteration ------------------------------------------------------------------------

const DONE_RESULT: IteratorReturnResult<undefined> = { value: undefined, done: true };

class QueueIterator<T> implements AsyncIterator<T> {
  // Gets of this iterator still waiting (normally at most one). Served first come first served,
  // so once one has been served, all before it have been too.
  private readonly pending: PromiseWaiter<T>[] = [];
  private closed = false;

  constructor(private readonly queue: UniversalQueue<T>) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.closed) return Promise.resolve(DONE_RESULT);
    const queue = this.queue;
    if (queue._items.length > 0) return Promise.resolve({ value: queue._take(), done: false });
    const pending = this.pending;
    let served = 0;
    while (served < pending.length && pending[served].line === null) served++;
    if (served > 0) pending.splice(0, served);
    return queue._wait(queue._getters, 'next', undefined, undefined, true, pending) as Promise<
      IteratorResult<T>
    >;
  }

  // The loop is left: withdraw what still waits (it resolves as done), and end.
  return(): Promise<IteratorResult<T>> {
    this.closed = true;
    for (const waiter of this.pending) if (waiter.withdrawn()) waiter.resolve(DONE_RESULT);
    this.pending.length = 0;
    return Promise.resolve(DONE_RESULT);
  }
}

// ---- get and put in tasks -------------------------------------------------------------------
// Hot: each is one object that is its own iterator and iterator result (as Queue's), driven by
// `yield*`: `next()` runs a step and hands over the trap to wait on, if any.

const START = 0;
const SWITCHING = 1; // a rescheduleTasks(SWITCH) trap is with the kernel
const WAITING = 2; // a readWait / writeWait trap is with the kernel
const DONE = 3;

type Step = IteratorResult<unknown, unknown>;

// The end of a task's wait: `release` after it was woken or withdrawn by the kernel (the record
// is then in no line and the kernel holds no live reference to it, so it can be reused);
// `abandon` when a caller driving the coroutine by hand ends it early (leave the line, no reuse).
function abandon<T>(waiter: TaskWaiter<T> | null): void {
  if (waiter !== null) waiter.withdraw();
}

class GetOp<T> {
  value: unknown = undefined;
  done = false;
  private stage = START as number;
  private trap: Coro<unknown> | null = null;
  private waiter: TaskWaiter<T> | null = null;

  constructor(
    private readonly queue: UniversalQueue<T>,
    private readonly options: TimeoutOptions | undefined,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(answer?: unknown): Step {
    const queue = this.queue;
    switch (this.stage) {
      case START:
        if (this.options !== undefined) checkOptions('UniversalQueue.get', this.options);
        if (queue._items.length > 0) {
          // Admit the first waiting putter; a task putter runs before we take our item, so
          // gets return items in queue order (as Queue.get).
          if (queue._putters.length > 0 && queue._admit()) {
            this.stage = SWITCHING;
            return (this.trap = rescheduleTasks(SWITCH)).next();
          }
          return this.finish(queue._items.shift());
        }
        return this.wait();
      case SWITCHING:
        (this.trap as Coro<unknown>).next(answer);
        // Others may have emptied the queue meanwhile: then we wait too.
        if (queue._items.length > 0) return this.finish(queue._items.shift());
        return this.wait();
      case WAITING: {
        (this.trap as Coro<unknown>).next(answer);
        const waiter = this.waiter as TaskWaiter<T>;
        this.waiter = null;
        const item = waiter.item; // handed over by a put
        queue._release(waiter);
        return this.finish(item);
      }
      default:
        return { value: undefined, done: true };
    }
  }

  private wait(): Step {
    const queue = this.queue;
    const waiter = queue._spare.pop() ?? new TaskWaiter(queue);
    this.waiter = waiter;
    this.stage = WAITING;
    return (this.trap = readWait(waiter, this.options)).next();
  }

  private finish(value: unknown): Step {
    this.stage = DONE;
    this.done = true;
    this.value = value;
    return this;
  }

  throw(error: unknown): never {
    if (this.stage === WAITING) {
      this.queue._release(this.waiter as TaskWaiter<T>);
      this.waiter = null;
    }
    this.stage = DONE;
    throw error;
  }

  return(value?: unknown): Step {
    abandon(this.waiter);
    this.waiter = null;
    this.stage = DONE;
    return { value, done: true };
  }
}

class PutOp<T> {
  value: unknown = undefined;
  done = false;
  private stage = START as number;
  private trap: Coro<unknown> | null = null;
  private waiter: TaskWaiter<T> | null = null;

  constructor(
    private readonly queue: UniversalQueue<T>,
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
        if (this.options !== undefined) checkOptions('UniversalQueue.put', this.options);
        const getter = queue._getters.shift();
        if (getter !== null) {
          // A woken task runs before we go on (as Queue.put); a promise needs no switch.
          if (getter.receive(this.item)) {
            this.stage = SWITCHING;
            return (this.trap = rescheduleTasks(SWITCH)).next();
          }
          return this.finish();
        }
        if (queue.maxsize > 0 && queue._items.length >= queue.maxsize) {
          const waiter = queue._spare.pop() ?? new TaskWaiter(queue);
          waiter.item = this.item;
          this.waiter = waiter;
          this.stage = WAITING;
          return (this.trap = writeWait(waiter, this.options)).next();
        }
        queue._items.push(this.item);
        return this.finish();
      }
      case SWITCHING:
        (this.trap as Coro<unknown>).next(answer);
        return this.finish();
      case WAITING:
        (this.trap as Coro<unknown>).next(answer);
        queue._release(this.waiter as TaskWaiter<T>); // a get moved our item into the queue
        this.waiter = null;
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

  throw(error: unknown): never {
    if (this.stage === WAITING) {
      this.queue._release(this.waiter as TaskWaiter<T>);
      this.waiter = null;
    }
    this.stage = DONE;
    throw error;
  }

  return(value?: unknown): Step {
    abandon(this.waiter);
    this.waiter = null;
    this.stage = DONE;
    return { value, done: true };
  }
}

// ---- argument checks ------------------------------------------------------------------------

// Checks read the options without building strings: messages are made only for bad input.
function checkAsyncOptions(method: string, options: UniversalQueueAsyncOptions | undefined): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new TypeError(msg(Q9, method, describe(options)));
  }
  const { signal, timeout } = options;
  if (signal !== undefined && signal !== null && !isAbortSignal(signal)) {
    throw new TypeError(msg(Q10, method, describe(signal)));
  }
  if (timeout !== undefined && timeout !== null && !(typeof timeout === 'number' && timeout >= 0)) {
    checkOptions(`${NAME}.${method}`, options); // throws, naming options.timeout
  }
}

function isAbortSignal(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const signal = value as Signal;
  return (
    typeof signal.aborted === 'boolean' &&
    typeof signal.addEventListener === 'function' &&
    typeof signal.removeEventListener === 'function'
  );
}
