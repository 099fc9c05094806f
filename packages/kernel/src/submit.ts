// Kernel.submit: plain code (a callback, an async function, a timer) hands a running kernel a
// coroutine and gets a promise of its result.
import { CancelledError, CurioError } from './errors.js';
import type { Kernel } from './kernel.js';
import type { Task, TaskWatcher } from './task.js';
import type { Coro } from './trap.js';
import { checkSpawnOptions, joinFailure, type SpawnOptions } from './traps.js';
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
  wake: () => void,
): Promise<T> {
  checkCoroutine('Kernel.submit', 'coro', coro);
  checkSpawnOptions('Kernel.submit', options);
  const signal = options?.signal;
  if (signal !== undefined && typeof signal?.addEventListener !== 'function') {
    throw new TypeError(
      `Kernel.submit: options.signal must be an AbortSignal, got ${describe(signal)}`,
    );
  }
  if (signal?.aborted === true) {
    coro.return(undefined as T);
    return Promise.reject(
      new CancelledError(
        'Kernel.submit: the signal was already aborted; the task was not started',
        {
          cause: signal.reason,
        },
      ),
    );
  }
  return new Promise<T>((resolve, reject) => {
    const task: Task = kernel._spawn(coro, options?.daemon === true, options?.name, null);
    const onAbort = (): void => {
      const why = `${task.name} cancelled: its submit() signal aborted`;
      kernel._requestCancel(task, new CancelledError(why, { cause: signal?.reason }));
      wake();
    };
    const settle = (error: unknown): void => {
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve(task._outcome as T);
      else reject(error);
    };
    const watcher: TaskWatcher = {
      _taskDone: (ended) => settle(ended.excInfo === undefined ? undefined : joinFailure(ended)),
      _kernelStopped: () =>
        settle(new CurioError(`Kernel.submit: the kernel stopped before ${task.name} ended`)),
    };
    task._extra().watcher = watcher;
    signal?.addEventListener('abort', onAbort, { once: true });
    wake();
  });
}
