import type { AsyncContextManager } from './context.js';
import { CancelledError, CurioError, TaskError } from './errors.js';
import { KernelQueue } from './kqueue.js';
import { disableCancellation } from './shield.js';
import type { Task } from './task.js';
import type { Coro } from './trap.js';
import {
  cancelTask,
  getKernel,
  newTask,
  type SpawnOptions,
  waitOnQueue,
  wakeQueued,
} from './traps.js';
import { checkTimeout } from './validate.js';

/**
 * Structured spawning: tasks started with `spawn` belong to the group; `join` (or leaving
 * `asyncWith(group, ...)`) waits for all of them. When one fails, the group cancels the
 * rest and raises `TaskError` whose `cause` is the first failure. Tasks that end by
 * cancellation do not count as failures.
 * @example
 * yield* asyncWith(new TaskGroup(), function* (g) {
 *   yield* g.spawn(fetchOne(1));
 *   yield* g.spawn(fetchOne(2));
 * }); // both done here
 */
export class TaskGroup implements AsyncContextManager<TaskGroup> {
  private readonly live = new Set<Task>();
  private readonly waiting = new KernelQueue();
  private firstError: { error: unknown; task: Task } | null = null;

  /** Tasks of the group that have not ended. */
  get tasks(): ReadonlySet<Task> {
    return this.live;
  }

  /**
   * Start `coro` as a task of this group (see `newTask`).
   * @example
   * const t = yield* group.spawn(worker());
   */
  *spawn<T>(coro: Coro<T>, options?: SpawnOptions): Coro<Task<T>> {
    if (options?.daemon) throw new TypeError('TaskGroup.spawn: a group task cannot be a daemon');
    if (this.firstError !== null)
      throw new CurioError('TaskGroup.spawn: the group has already failed');
    const task = yield* newTask(coro, options);
    if (task.terminated) {
      this.record(task);
    } else {
      task._watcher = this;
      this.live.add(task);
    }
    return task;
  }

  /** @internal Called by the kernel when a task of the group ends. */
  _taskDone(task: Task): void {
    this.live.delete(task);
    this.record(task);
    if (this.waiting.length > 0) wakeQueued(this.waiting, Infinity);
  }

  private record(task: Task): void {
    if (
      task.excInfo !== undefined &&
      !(task.excInfo instanceof CancelledError) &&
      this.firstError === null
    ) {
      this.firstError = { error: task.excInfo, task };
    }
  }

  /**
   * Wait until every task of the group has ended. If one fails, cancel the others and
   * raise `TaskError` (its `cause` is the failure). On timeout or cancellation of the waiter,
   * the group's tasks are cancelled too.
   * @example
   * yield* group.join({ timeout: 5000 });
   */
  *join(options?: { timeout?: number | null }): Coro<void> {
    const timeout = checkTimeout('TaskGroup.join', options?.timeout);
    const kernel = yield* getKernel();
    const deadline = timeout === undefined ? undefined : kernel.selector.now() + timeout;
    try {
      while (this.live.size > 0 && this.firstError === null) {
        const left =
          deadline === undefined ? undefined : Math.max(0, deadline - kernel.selector.now());
        yield* waitOnQueue(this.waiting, 'TASKGROUP_JOIN', { timeout: left });
      }
    } catch (err) {
      yield* this.cancelRemaining();
      throw err;
    }
    if (this.firstError !== null) {
      yield* this.cancelRemaining();
      const { error, task } = this.firstError;
      const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new TaskError(`TaskGroup: ${task.name} failed: ${what}`, { cause: error });
    }
  }

  /**
   * Cancel every task of the group that is still running and wait for them to end. The
   * teardown runs under {@link disableCancellation}: an expired `timeoutAfter` deadline or a
   * cancel of the caller does not cut it short; it is delivered once every task has ended.
   * @example
   * yield* group.cancelRemaining();
   */
  cancelRemaining(): Coro<void> {
    return disableCancellation(this.cancelAll());
  }

  private *cancelAll(): Coro<void> {
    for (const task of [...this.live]) yield* cancelTask(task);
  }

  /** Entering returns the group itself. */
  *enter(): Coro<TaskGroup> {
    return this;
  }

  /** Leaving waits for the tasks; if the body failed, cancels them and lets the error through. */
  *exit(error?: unknown): Coro<boolean> {
    if (error !== undefined) {
      yield* this.cancelRemaining();
      return false;
    }
    yield* this.join();
    return false;
  }
}
