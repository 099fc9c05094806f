// The coroutines that issue traps: the only bridge from tasks to the kernel.
import type { KernelQueue } from './kqueue.js';
import type { CancelOptions, Task, TimeoutOptions } from './task.js';
import { type Coro, CURRENT_TRAP, SLEEP_ZERO, Trap, TrapKind } from './trap.js';
import { checkCoroutine, checkDuration, checkTimeout, describe } from './validate.js';

/**
 * An object the kernel can wait on for readiness, for sources that are not Node streams.
 * Each method arranges one call of `wake` when the operation can make progress and returns
 * a function that withdraws the wait.
 */
export interface ReadinessSource {
  /** Call `wake` once when a read would make progress. Returns a canceller. */
  onReadable?(wake: () => void): () => void;
  /** Call `wake` once when a write would make progress. Returns a canceller. */
  onWritable?(wake: () => void): () => void;
}

/** The part of a Node stream the kernel uses: events and readiness flags. */
export interface StreamLike {
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  readonly readableLength?: number;
  readonly readableEnded?: boolean;
  readonly writableNeedDrain?: boolean;
  readonly destroyed?: boolean;
}

/** What `readWait` / `writeWait` accept. */
export type WaitSource = StreamLike | ReadinessSource;

/** A set of signals for `sigwatch` / `sigwait`, by name (`'SIGUSR1'`). */
export interface SignalSetLike {
  readonly signals: readonly string[];
}

/** Options of `newTask` and `Kernel.addTask`. */
export interface SpawnOptions {
  /** A daemon task has no parent and does not keep the kernel running. */
  daemon?: boolean;
  /** The task's name (shown by `Task.name` and the monitor). */
  name?: string;
}

/** Options of `rescheduleTasks`. */
export interface RescheduleOptions {
  /** How many waiters to wake (default 1). */
  n?: number;
  /** Value each woken task's `waitOnQueue` returns. */
  value?: unknown;
  /** Error each woken task's `waitOnQueue` raises instead. */
  exc?: unknown;
}

/**
 * Sleep for `ms` milliseconds. `sleep(0)` only switches to the next ready task.
 * @example
 * yield* sleep(100);
 */
export function* sleep(ms: number): Coro<void> {
  if (ms === 0) {
    yield SLEEP_ZERO;
    return;
  }
  checkDuration('sleep', 'ms', ms);
  yield new Trap(TrapKind.SLEEP, ms);
}

/**
 * Start `coro` as a new task. Returns after the new task has been scheduled and has run
 * for at least one cycle. A daemon task has no parent and does not keep the kernel alive.
 * @example
 * const task = yield* newTask(worker(1), { name: 'worker-1' });
 */
export function* newTask<T>(coro: Coro<T>, options?: SpawnOptions): Coro<Task<T>> {
  checkCoroutine('newTask', 'coro', coro);
  checkSpawnOptions('newTask', options);
  const trap = new Trap(TrapKind.SPAWN, coro, options?.daemon === true, options?.name);
  return (yield trap) as Task<T>;
}

/** @internal */
export function checkSpawnOptions(fn: string, options: SpawnOptions | undefined): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  }
  if (options.name !== undefined && typeof options.name !== 'string') {
    throw new TypeError(`${fn}: options.name must be a string, got ${describe(options.name)}`);
  }
}

/** The task running this coroutine. @example const me = yield* currentTask(); */
export function* currentTask(): Coro<Task> {
  return (yield CURRENT_TRAP) as Task;
}

function checkTask(fn: string, task: unknown): void {
  if (task === null || typeof task !== 'object' || !('_kernel' in task) || !('coro' in task)) {
    throw new TypeError(`${fn}(task): task must be a Task, got ${describe(task)}`);
  }
}

/**
 * Wait for `task` to end: its result, or `TaskError` (with `cause`) if it failed.
 * @example
 * const value = yield* joinTask(task, { timeout: 500 });
 */
export function* joinTask<T>(task: Task<T>, options?: TimeoutOptions): Coro<T> {
  checkTask('joinTask', task);
  return (yield new Trap(TrapKind.JOIN, task, checkTimeout('joinTask', options?.timeout))) as T;
}

/**
 * Cancel `task` (raise `exc` at its blocking point) and wait until it has ended.
 * @example
 * yield* cancelTask(task, { timeout: 1000 });
 */
export function* cancelTask(task: Task, options?: CancelOptions): Coro<void> {
  checkTask('cancelTask', task);
  const timeout = checkTimeout('cancelTask', options?.timeout);
  const exc = options?.exc;
  if (exc !== undefined && typeof exc !== 'function' && !(exc instanceof Error)) {
    throw new TypeError(`cancelTask: exc must be an error class or an Error, got ${describe(exc)}`);
  }
  yield new Trap(TrapKind.CANCEL, task, timeout, exc);
}

function checkSource(fn: string, source: unknown, method: 'onReadable' | 'onWritable'): void {
  const ok =
    source !== null &&
    typeof source === 'object' &&
    (typeof (source as ReadinessSource)[method] === 'function' ||
      (typeof (source as StreamLike).on === 'function' &&
        typeof (source as StreamLike).removeListener === 'function'));
  if (!ok) {
    throw new TypeError(
      `${fn}(source): source must be a Node stream or implement ${method}(wake), got ${describe(source)}`,
    );
  }
}

/**
 * Sleep until reading `source` would make progress (data, end of file or an error).
 * Does no I/O itself. Only one task may wait to read a source at a time.
 * @example
 * while ((chunk = stream.read()) === null) yield* readWait(stream);
 */
export function* readWait(source: WaitSource, options?: TimeoutOptions): Coro<void> {
  checkSource('readWait', source, 'onReadable');
  yield new Trap(TrapKind.READ_WAIT, source, checkTimeout('readWait', options?.timeout));
}

/**
 * Sleep until writing `source` would make progress (its buffer drained, or it closed).
 * @example
 * if (!stream.write(data)) yield* writeWait(stream);
 */
export function* writeWait(source: WaitSource, options?: TimeoutOptions): Coro<void> {
  checkSource('writeWait', source, 'onWritable');
  yield new Trap(TrapKind.WRITE_WAIT, source, checkTimeout('writeWait', options?.timeout));
}

/**
 * Sleep until a Promise settles; returns its value or raises its error. Given a function,
 * calls it with an `AbortSignal` that is aborted if the wait is cancelled or times out.
 * @example
 * const text = yield* futureWait((signal) => fetch(url, { signal }).then((r) => r.text()));
 */
export function* futureWait<T>(
  future: PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T>),
  options?: TimeoutOptions,
): Coro<T> {
  const ok =
    typeof future === 'function' ||
    (future !== null &&
      typeof future === 'object' &&
      typeof (future as PromiseLike<T>).then === 'function');
  if (!ok) {
    throw new TypeError(
      `futureWait(future): future must be a Promise or a function (signal) => Promise, got ${describe(future)}`,
    );
  }
  const timeout = checkTimeout('futureWait', options?.timeout);
  return (yield new Trap(TrapKind.FUTURE_WAIT, future, timeout)) as T;
}

/**
 * Park the current task on `kqueue` until `rescheduleTasks` wakes it; returns the value it
 * was woken with. `stateName` is shown as the task's state.
 * @example
 * yield* waitOnQueue(this.waiting, 'LOCK_ACQUIRE', { timeout });
 */
export function* waitOnQueue<T = unknown>(
  kqueue: KernelQueue,
  stateName: string,
  options?: TimeoutOptions,
): Coro<T> {
  if (kqueue === null || typeof kqueue !== 'object' || !('_head' in kqueue)) {
    throw new TypeError(
      `waitOnQueue(kqueue): kqueue must be a KernelQueue, got ${describe(kqueue)}`,
    );
  }
  if (typeof stateName !== 'string') {
    throw new TypeError(
      `waitOnQueue(stateName): stateName must be a string, got ${describe(stateName)}`,
    );
  }
  return (yield new Trap(
    TrapKind.QUEUE_WAIT,
    kqueue,
    checkTimeout('waitOnQueue', options?.timeout),
    stateName,
  )) as T;
}

/**
 * Move the first `n` tasks waiting on `kqueue` to the back of the ready queue, in order,
 * then the caller behind them. Returns how many were woken.
 * @example
 * yield* rescheduleTasks(this.waiting, { n: 1 });
 */
export function* rescheduleTasks(kqueue: KernelQueue, options?: RescheduleOptions): Coro<number> {
  if (kqueue === null || typeof kqueue !== 'object' || !('_head' in kqueue)) {
    throw new TypeError(
      `rescheduleTasks(kqueue): kqueue must be a KernelQueue, got ${describe(kqueue)}`,
    );
  }
  const n = options?.n ?? 1;
  if (typeof n !== 'number' || !(n >= 0)) {
    throw new RangeError(`rescheduleTasks: n must be a number >= 0, got ${describe(n)}`);
  }
  return (yield new Trap(TrapKind.RESCHEDULE, kqueue, n, options)) as number;
}

function checkSigset(fn: string, sigset: unknown): void {
  const signals = (sigset as SignalSetLike | null)?.signals;
  if (
    !Array.isArray(signals) ||
    signals.some((s) => typeof s !== 'string' || !s.startsWith('SIG'))
  ) {
    throw new TypeError(
      `${fn}(sigset): sigset.signals must be an array of signal names like 'SIGUSR1', got ${describe(signals)}`,
    );
  }
}

/**
 * Start queuing the signals of `sigset` for this kernel (until `sigunwatch`).
 * @example
 * yield* sigwatch(sigset);
 */
export function* sigwatch(sigset: SignalSetLike): Coro<void> {
  checkSigset('sigwatch', sigset);
  yield new Trap(TrapKind.SIGWATCH, sigset);
}

/**
 * Stop queuing the signals of `sigset`; pending ones are dropped.
 * @example
 * yield* sigunwatch(sigset);
 */
export function* sigunwatch(sigset: SignalSetLike): Coro<void> {
  checkSigset('sigunwatch', sigset);
  yield new Trap(TrapKind.SIGUNWATCH, sigset);
}

/**
 * Wait for a signal of `sigset` and return its name. Signals queued since `sigwatch` come
 * first; without `sigwatch`, only a signal arriving during the wait is caught.
 * @example
 * const name = yield* sigwait(sigset, { timeout: 5000 }); // 'SIGUSR1'
 */
export function* sigwait(sigset: SignalSetLike, options?: TimeoutOptions): Coro<string> {
  checkSigset('sigwait', sigset);
  return (yield new Trap(
    TrapKind.SIGWAIT,
    sigset,
    checkTimeout('sigwait', options?.timeout),
  )) as string;
}
