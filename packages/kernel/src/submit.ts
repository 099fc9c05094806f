// Kernel.submit: plain code (a callback, an async function, a timer) hands a running kernel a
// coroutine and gets a promise of its result.
import { CancelledError, CurioError } from './errors.js';
import { msg } from './explain.js';
import type { Kernel } from './kernel.js';
import { K19, K20, K21, K22 } from './messages.js';
import { joinFailure } from './reports.js';
import type { Task, TaskWatcher } from './task.js';
import type { Coro } from './trap.js';
import { checkSpawnOptions, type SpawnOptions } from './traps.js';
import { checkCoroutine, describe } from './validate.js';

/** Options of `Kernel.submit`. */
export interface SubmitOptions extends SpawnOptions {
  /** Cancels the task when it aborts (the promise then rejects with its `TaskError`). */
  signal?: AbortSignal;
}

/** @internal The body of `Kernel.submit` once the kernel is known to be running. */
export function submitTask<T>(
  kernel: Kernel,
  coro: Coro<T>,
  options: SubmitOptions | undefined,
): Promise<T> {
  checkCoroutine('Kernel.submit', 'coro', coro);
  checkSpawnOptions('Kernel.submit', options);
  const signal = options?.signal;
  if (signal !== undefined && typeof signal?.addEventListener !== 'function') {
    throw new TypeError(msg(K19, describe(signal)));
  }
  if (signal?.aborted === true) {
    coro.return(undefined as T);
    return Promise.reject(new CancelledError(msg(K20), { cause: signal.reason }));
  }
  const task = kernel._newTask(coro, options?.daemon === true, options?.name, null, STARTING, true);
  if (signal !== undefined) {
    const submission = new Submission(kernel, task, signal);
    kernel._start(task);
    return submission._promise as Promise<T>;
  }
  // From plain code the task's first step runs inside _start: a task that ends there (most
  // quick answers do) settles its promise without a Submission.
  kernel._start(task);
  if (task.terminated) {
    return task.excInfo === undefined
      ? Promise.resolve(task._outcome as T)
      : Promise.reject(joinFailure(task));
  }
  const submission = new Submission(kernel, task, undefined);
  if (!kernel._accepting) submission._kernelStopped(task); // its first step stopped the kernel
  return submission._promise as Promise<T>;
}

// Watches a submitted task through its first step (see submitTask); a Submission takes over.
const STARTING: TaskWatcher = { _taskDone() {} };

// One submitted task: settles its promise when the task ends, or when the kernel stops first.
class Submission implements TaskWatcher {
  readonly _promise: Promise<unknown>;
  #resolve!: (value: unknown) => void;
  #reject!: (error: unknown) => void;
  readonly #kernel: Kernel;
  readonly #task: Task;
  readonly #signal: AbortSignal | undefined;

  constructor(kernel: Kernel, task: Task, signal: AbortSignal | undefined) {
    this.#kernel = kernel;
    this.#task = task;
    this.#signal = signal;
    this._promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    task._watcher = this;
    signal?.addEventListener('abort', this);
  }

  // The signal aborted: cancel the task (the promise rejects when it has ended).
  handleEvent(): void {
    const task = this.#task;
    const why = msg(K21, task.name);
    this.#kernel._requestCancel(task, new CancelledError(why, { cause: this.#signal?.reason }));
    this.#kernel._wakeFromHost();
  }

  _taskDone(task: Task): void {
    this.#signal?.removeEventListener('abort', this);
    if (task.excInfo === undefined) this.#resolve(task._outcome);
    else this.#reject(joinFailure(task));
  }

  _kernelStopped(task: Task): void {
    this.#signal?.removeEventListener('abort', this);
    this.#reject(new CurioError(msg(K22, task.name)));
  }
}
