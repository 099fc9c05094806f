// UniversalEvent: an event flag shared by tasks (of any kernel) and plain code.
//
// A waiting task blocks through `readWait` on a waiter record of its own (its readiness
// source): `set()` calls the kernel's `wake` for it synchronously, and a cancel or timeout
// withdraws the record through the canceller we return, so each wait ends exactly once.
// Plain code waits on promises, withdrawn the same way when their signal aborts or they time out.
import {
  CancelledError,
  type Coro,
  type ReadinessSource,
  readWait,
  TaskTimeout,
  type TimeoutOptions,
} from '@curio/kernel';
import { msg } from './message.js';
import { S9, S10, S11 } from './messages.js';
import { checkOptions, describe } from './validate.js';

/**
 * Options of {@link UniversalEvent.waitAsync}.
 * @example
 * ```ts run
 * import { TaskTimeout } from '@curio/kernel';
 * import { UniversalEvent } from '@curio/sync';
 *
 * const ready = new UniversalEvent();
 * try {
 *   await ready.waitAsync({ timeout: 100 });
 * } catch (err) {
 *   if (err instanceof TaskTimeout) console.log('not ready after 100 ms');
 * }
 * ```
 */
export interface UniversalEventAsyncOptions {
  /**
   * An `AbortSignal`. When it aborts before the event is set, the wait is withdrawn and the
   * promise rejects with `signal.reason`. An already aborted signal rejects at once. `null` or
   * absent: no signal.
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
   * Milliseconds (of real time: a host timer) to wait before the promise rejects with
   * `TaskTimeout`. `null` or absent: wait forever.
   */
  timeout?: number | null;
}

type Signal = NonNullable<UniversalEventAsyncOptions['signal']>;

interface HostTimers {
  setTimeout(fn: (waiter: PromiseWaiter) => void, ms: number, arg: unknown): unknown;
  clearTimeout(handle: unknown): void;
}
const host = globalThis as unknown as HostTimers;
// Hosts store timer delays in 32 bits: longer timeouts are armed in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;
const RESOLVED: Promise<void> = /* @__PURE__ */ Promise.resolve();
const noop = (): void => {};

/**
 * An event flag for tasks and plain code at once: `set()`, `clear()` and `isSet()` from
 * anywhere (a task, a callback, an `async` function, a kernel running or not); tasks wait with
 * `yield* wait()`, plain code with `await waitAsync()`. `set()` wakes every waiter of either
 * side, in the order they started waiting. Tasks of several kernels may wait on one event.
 * @example
 * ```ts run
 * import { newTask, run } from '@curio/kernel';
 * import { UniversalEvent } from '@curio/sync';
 *
 * const ready = new UniversalEvent();
 *
 * function* worker() {
 *   yield* ready.wait(); // a task blocks until the event is set
 *   console.log('go');
 * }
 *
 * const running = run(function* () {
 *   const task = yield* newTask(worker());
 *   yield* task.join();
 * }());
 * // plain code, e.g. once a connection is up:
 * setTimeout(() => ready.set(), 10);
 * await ready.waitAsync(); // resolves once the event is set
 * await running;
 * ```
 */
export class UniversalEvent {
  private flag = false;
  // Invariant: waiters are in the line only while the flag is clear.
  private head: Waiter | null = null;
  private tail: Waiter | null = null;

  /**
   * True if the event is set.
   * @example
   * import { UniversalEvent } from '@curio/sync';
   *
   * const event = new UniversalEvent();
   * if (!event.isSet()) console.log('not yet');
   */
  isSet(): boolean {
    return this.flag;
  }

  /**
   * Clear the event: later waits block until the next `set()`. Waiters already woken by a
   * `set()` stay woken.
   * @example
   * import { UniversalEvent } from '@curio/sync';
   *
   * const event = new UniversalEvent();
   * event.set();
   * event.clear(); // waiters block again
   */
  clear(): void {
    this.flag = false;
  }

  /**
   * Set the event and wake every waiter, tasks and promises, in the order they started
   * waiting. A plain call from anywhere: unlike `Event.set` it is not a coroutine and not a
   * switch point; woken tasks run at their kernel's next turn, woken promises settle in a
   * microtask.
   * @example
   * import { UniversalEvent } from '@curio/sync';
   *
   * const event = new UniversalEvent();
   * setTimeout(() => event.set(), 10); // from a callback, an async function or a task
   * await event.waitAsync();
   */
  set(): void {
    this.flag = true;
    for (let waiter = this.head; waiter !== null; waiter = this.head) {
      this._remove(waiter);
      waiter.woken();
    }
  }

  /**
   * In a task: wait until the event is set; returns at once (without a task switch) if it
   * already is. Raises `TaskTimeout` after `timeout` ms and `CancelledError` when the task is
   * cancelled. While it waits, the task's state reads `READ_WAIT`.
   * @example
   * import type { UniversalEvent } from '@curio/sync';
   *
   * function* awaitReady(event: UniversalEvent) {
   *   yield* event.wait({ timeout: 1000 }); // TaskTimeout if not set within a second
   * }
   */
  *wait(options?: TimeoutOptions): Coro<void> {
    checkOptions('UniversalEvent.wait', options);
    if (this.flag) return;
    yield* readWait(new TaskWaiter(this), options);
  }

  /**
   * From plain code: a promise that resolves once the event is set (at once if it is).
   * Rejects with `signal.reason` when `signal` aborts first and with `TaskTimeout` after
   * `timeout` ms; the wait is then withdrawn. Bad options throw at once (`TypeError` /
   * `RangeError` naming the option), before anything happens.
   * @example
   * import type { UniversalEvent } from '@curio/sync';
   *
   * async function awaitReady(event: UniversalEvent) {
   *   await event.waitAsync({ signal: AbortSignal.timeout(5000) }); // rejects with the reason
   * }
   */
  waitAsync(options?: UniversalEventAsyncOptions): Promise<void> {
    checkAsyncOptions(options);
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.flag) return RESOLVED;
    const timeout = options?.timeout ?? Number.POSITIVE_INFINITY;
    const waiter = new PromiseWaiter(this, timeout);
    const promise = new Promise<void>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
    });
    this._push(waiter);
    if (signal !== undefined && signal !== null) {
      waiter.signal = signal;
      signal.addEventListener('abort', waiter);
    }
    if (timeout !== Number.POSITIVE_INFINITY) {
      waiter.remaining = timeout;
      waiter.arm();
    }
    return promise;
  }

  /** @internal */
  _push(waiter: Waiter): void {
    waiter.queued = true;
    waiter.prev = this.tail;
    if (this.tail === null) this.head = waiter;
    else this.tail.next = waiter;
    this.tail = waiter;
  }

  /** @internal */
  _remove(waiter: Waiter): void {
    const { prev, next } = waiter;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    waiter.prev = waiter.next = null;
    waiter.queued = false;
  }
}

/**
 * @internal One waiting task or promise, linked into its event's line of waiters.
 * Invariant: `queued` is true exactly while it is in the line.
 */
abstract class Waiter {
  prev: Waiter | null = null;
  next: Waiter | null = null;
  queued = false;
  constructor(protected readonly event: UniversalEvent) {}
  /** The event was set (the waiter has left the line). */
  abstract woken(): void;
}

/**
 * @internal A task blocked in `wait` (through `readWait`) on this record as its readiness
 * source. The kernel calls `onReadable` once the task is suspended, so a pending cancel raised
 * before that never leaves the record in the line.
 */
class TaskWaiter extends Waiter implements ReadinessSource {
  private wake: (() => void) | null = null;

  onReadable(wake: () => void): () => void {
    this.wake = wake;
    this.event._push(this);
    return () => this.withdraw();
  }

  // A cancel or timeout withdrew the wait.
  private withdraw(): void {
    if (this.queued) this.event._remove(this);
    this.wake = null;
  }

  woken(): void {
    const wake = this.wake as () => void;
    this.wake = null;
    wake();
  }
}

/** @internal A promise waiting in `waitAsync`. */
class PromiseWaiter extends Waiter {
  resolve: () => void = noop;
  reject: (error: unknown) => void = noop;
  signal: Signal | null = null;
  timer: unknown = undefined;
  remaining = 0; // ms of the timeout not armed yet

  constructor(
    event: UniversalEvent,
    readonly timeout: number,
  ) {
    super(event);
  }

  woken(): void {
    this.settle();
    this.resolve();
  }

  /** The signal aborted (this object is its event listener). */
  handleEvent(): void {
    const signal = this.signal as Signal;
    if (this.withdrawn()) this.reject(abortReason(signal));
  }

  arm(): void {
    const ms = Math.min(this.remaining, MAX_TIMER_MS);
    this.remaining -= ms;
    this.timer = host.setTimeout(expire, ms, this);
  }

  expire(): void {
    this.timer = undefined;
    if (!this.queued) return;
    if (this.remaining > 0) this.arm();
    else if (this.withdrawn()) {
      this.reject(new TaskTimeout(`UniversalEvent.waitAsync: timed out after ${this.timeout} ms`));
    }
  }

  // Leave the line, if still in it (true), and drop the timer and the signal listener.
  private withdrawn(): boolean {
    if (!this.queued) return false;
    this.event._remove(this);
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

function expire(waiter: PromiseWaiter): void {
  waiter.expire();
}

function abortReason(signal: Signal): unknown {
  return signal.reason !== undefined ? signal.reason : new CancelledError(msg(S9));
}

// Reads the options without building strings: messages are made only for bad input.
function checkAsyncOptions(options: UniversalEventAsyncOptions | undefined): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new TypeError(msg(S10, describe(options)));
  }
  const { signal, timeout } = options;
  if (signal !== undefined && signal !== null && !isAbortSignal(signal)) {
    throw new TypeError(msg(S11, describe(signal)));
  }
  if (timeout !== undefined && timeout !== null && !(typeof timeout === 'number' && timeout >= 0)) {
    checkOptions('UniversalEvent.waitAsync', options); // throws, naming options.timeout
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
