// TaskGroup's machinery: which tasks a group holds and in what state, how a task joins (added,
// spawned and watched from its first step, or started) and leaves (collected, or cancelled),
// the queue of tasks that ended, join's wait policies, cancelling what still runs, and what
// happens when the group is joined (the end of an asyncWith body). The public API (the
// documented methods and properties, the context manager, the nextDone that asyncFor reads) is
// TaskGroup, in group.ts. A map for contributors: docs/internals.md.

import { CancelledError, CurioError } from './errors.js';
import type { TaskGroup, WaitPolicy } from './group.js';
import { KernelQueue } from './kqueue.js';
import { waitOnQueue, wakeQueued } from './queue-wait.js';
import { disableCancellation } from './shield.js';
import { type Task, TaskFlag, type TimeoutOptions } from './task.js';
import { type Coro, defineTrap, TrapMode } from './trap.js';
import { cancelTask, getKernel, spawnChild } from './traps.js';
import { checkCoroutine, checkOptions, checkTimeout, describe } from './validate.js';

// How a group takes a task it spawns: `starting` (start, before started()) or as a member.
// The spawning trap fills in `task` before the task's first step.
interface Adoption {
  readonly name: string | undefined;
  starting: boolean;
  task: Task | null;
}

// newTask for a group: the group watches the task from its first step on, so an error there
// is the group's to report (or start's to raise), like any later one.
const spawnTrap = /* @__PURE__ */ defineTrap<Task, Coro, TaskGroup, Adoption>(
  'TaskGroup.spawn',
  TrapMode.SWITCH,
  (kernel, task, trap) => {
    const { a: coro, b: group, c: adoption } = trap;
    const child = spawnChild(kernel, task, coro, false, adoption.name);
    adoption.task = child;
    group._adopt(child, adoption.starting);
    trap._answer(child); // kept by the trap, not sent with the resume (see Trap._answer)
    return undefined;
  },
);

/**
 * @internal A task that exists may join a group (new TaskGroup, addTask): a Task, not a
 * daemon, in no group yet.
 */
export function checkNewMember<T>(fn: string, value: unknown): asserts value is Task<T> {
  if (value === null || typeof value !== 'object' || !('_kernel' in value) || !('coro' in value)) {
    throw new TypeError(`${fn}: a task must be a Task, got ${describe(value)}`);
  }
  const task = value as Task;
  if (task.daemon) throw new TypeError(`${fn}: a daemon task cannot join a group`);
  if (task._watcher !== null) {
    throw new CurioError(`${fn}: ${task.name} already belongs to a task group`);
  }
}

/** @internal A task that ended with an error other than a cancellation. */
export function failed(task: Task): boolean {
  return (task._flags & TaskFlag.FAILED) !== 0 && !(task._outcome instanceof CancelledError);
}

/** @internal curio's `task.result`: the task's value, or its error raised as it is. */
export function outcome<T>(task: Task<T>): T {
  if ((task._flags & TaskFlag.FAILED) !== 0) throw task._outcome;
  return task._outcome as T;
}

/**
 * The bookkeeping of one {@link TaskGroup}: its tasks and the queue of those that ended, the
 * wait of `join` and the end of the group. Each TaskGroup holds one and is its public API; the
 * kernel tells it, as the tasks' watcher, when a task ends.
 */
export class GroupMembers<T> {
  // The group this is the bookkeeping of: the spawn trap's operand (traptrace shows it).
  readonly #group: TaskGroup<T>;
  readonly #wait: WaitPolicy;
  // The group's tasks, in the order they joined; a task leaves when it is collected
  // (nextDone, nextResult, asyncFor, a failed start) or cancelled by cancelRemaining.
  readonly #members = new Set<Task<T>>();
  // Tasks of the group, and tasks still starting, that have not ended.
  readonly #running = new Set<Task>();
  // Members that ended and that neither nextDone nor join has taken yet, in the order they
  // ended; `#failures` counts the failed ones.
  readonly #finished = new Set<Task<T>>();
  #failures = 0;
  // Failed members whose end the group saw and that nobody has collected: join logs them.
  readonly #unreported = new Set<Task>();
  // Tasks spawned by `start` that have not called `started` yet: not members.
  readonly #starting = new Set<Task>();
  // Tasks waiting in join, nextDone or start.
  readonly #waiting = new KernelQueue();
  #joined = false;
  #completed: Task<T> | undefined = undefined;

  constructor(group: TaskGroup<T>, wait: WaitPolicy) {
    this.#group = group;
    this.#wait = wait;
  }

  /** The members, oldest first. */
  tasks(): Task<T>[] {
    return [...this.#members];
  }

  /** The first task join saw end that counts under the wait policy. */
  get completed(): Task<T> | undefined {
    return this.#completed;
  }

  /** join has ended: the group takes no more tasks, and its outcome can be read. */
  get joined(): boolean {
    return this.#joined;
  }

  /** A member failed and nobody has taken it yet: the group takes no more tasks. */
  get failing(): boolean {
    return this.#failures > 0;
  }

  /** A task joins the group; one that has already ended is among the finished at once. */
  admit(task: Task<T>): void {
    task._watcher = this;
    this.#members.add(task);
    if (task.terminated) this.#finish(task);
    else this.#running.add(task);
  }

  /** spawn: `coro` as a member, watched from its first step. */
  spawn(coro: Coro, name: string | undefined): Coro<Task> {
    return spawnTrap(coro, this.#group, { name, starting: false, task: null });
  }

  /** A task the group spawned, before its first step (see spawnTrap). */
  adopt(task: Task, starting: boolean): void {
    task._watcher = this;
    this.#running.add(task);
    if (starting) this.#starting.add(task);
    else this.#members.add(task as Task<T>);
  }

  // A task still starting called `started()`: it becomes a member.
  #started(task: Task): void {
    if (this.#starting.delete(task)) {
      this.#members.add(task as Task<T>);
      if (this.#waiting.length > 0) wakeQueued(this.#waiting, Infinity);
    }
  }

  /**
   * start (Trio's `nursery.start`): spawn `fn(started)`, still starting, and wait for
   * it to call `started(value)` (it becomes a member), fail, or return.
   */
  *start<V>(fn: (started: (value?: V) => void) => Coro<unknown>): Coro<V> {
    const what = fn.name !== '' ? fn.name : 'fn';
    const adoption: Adoption = {
      name: fn.name !== '' ? fn.name : undefined,
      starting: true,
      task: null,
    };
    // 0: waiting for started; 1: started; 2: start is over without it.
    let state = 0;
    let value: V | undefined;
    const started = (v?: V): void => {
      if (state === 1) throw new CurioError(`TaskGroup.start: ${what} called started() twice`);
      if (state === 2) return;
      state = 1;
      value = v;
      const task = adoption.task; // null when fn calls started() before making its coroutine
      if (task !== null) this.#started(task);
    };
    const coro = fn(started);
    checkCoroutine('TaskGroup.start', 'fn(started)', coro);
    adoption.starting = state === 0;
    const child = yield* spawnTrap(coro, this.#group, adoption);
    try {
      while (state === 0 && !child.terminated) {
        yield* waitOnQueue(this.#waiting, 'TASKGROUP_START');
      }
    } catch (err) {
      if (state === 0) {
        state = 2;
        yield* disableCancellation(cancelTask(child));
      }
      throw err;
    }
    if (state === 1) return value as V;
    state = 2;
    if (failed(child)) throw child._outcome;
    const how = child.excInfo === undefined ? 'returned' : 'was cancelled';
    throw new CurioError(`TaskGroup.start: ${what} ${how} without calling started()`);
  }

  /** @internal Called by the kernel when a task of the group ends. */
  _taskDone(task: Task): void {
    this.#running.delete(task);
    if (!this.#starting.delete(task)) {
      if (failed(task)) this.#unreported.add(task);
      this.#finish(task as Task<T>);
    }
    if (this.#waiting.length > 0) wakeQueued(this.#waiting, Infinity);
  }

  /** Members have ended that nobody has taken yet. */
  get hasFinished(): boolean {
    return this.#finished.size > 0;
  }

  #finish(task: Task<T>): void {
    this.#finished.add(task);
    if (failed(task)) this.#failures++;
  }

  // The member that ended first and is not yet taken, taken; undefined if none.
  #take(): Task<T> | undefined {
    const task = this.#finished.values().next().value;
    if (task !== undefined) this.#unfinish(task);
    return task;
  }

  #unfinish(task: Task<T>): void {
    if (this.#finished.delete(task) && failed(task)) this.#failures--;
  }

  /** nextDone: wait for the next member to end and take it out of the group. */
  *nextDone(): Coro<Task<T> | undefined> {
    while (this.#finished.size === 0 && this.#running.size > this.#starting.size) {
      yield* waitOnQueue(this.#waiting, 'TASKGROUP_NEXT');
    }
    const task = this.#take();
    if (task !== undefined) {
      // Its outcome is the collector's.
      this.#members.delete(task);
      this.#unreported.delete(task);
    }
    return task;
  }

  /**
   * join: take the members as they end until the wait policy is met; then, however the wait
   * ended, cancel what still runs and wait for it (shielded), close the group and log the
   * failures nobody collected. TaskGroup.join returns this coroutine as it is (no extra
   * generator to resume at every task's end), so its options are checked here, at its first
   * step as before.
   */
  *join(options: TimeoutOptions | undefined): Coro<void> {
    checkOptions('TaskGroup.join', options);
    const timeout = checkTimeout('TaskGroup.join', options?.timeout);
    const kernel = yield* getKernel();
    const deadline = timeout === undefined ? undefined : kernel.selector.now() + timeout;
    try {
      if (this.#wait !== 'none') {
        for (;;) {
          const task = this.#take();
          if (task === undefined) {
            if (this.#running.size === 0) break;
            const left =
              deadline === undefined ? undefined : Math.max(0, deadline - kernel.selector.now());
            yield* waitOnQueue(this.#waiting, 'TASKGROUP_JOIN', { timeout: left });
          } else if (this.#examine(task)) {
            break;
          }
        }
      }
    } finally {
      yield* disableCancellation(this.#cancelRunning(false));
      this.#joined = true;
      for (const task of [...this.#unreported]) this.#report(task);
    }
  }

  // join meets `task`'s end: true when that ends the wait.
  #examine(task: Task<T>): boolean {
    if ((task._flags & TaskFlag.FAILED) !== 0 && !failed(task)) return false; // cancelled
    const fail = failed(task);
    const counts = fail || this.#wait !== 'object' || task._outcome != null;
    if (counts) this.#completed ??= task;
    return fail || (counts && this.#wait !== 'all');
  }

  /** cancelRemaining: cancel the running members, shielded; they leave the group. */
  cancelRemaining(): Coro<void> {
    return disableCancellation(this.#cancelRunning(true));
  }

  // Cancel the running members one after another; `remove`: they leave the group (a
  // failure other than the cancellation is reported, as nobody can collect it any more).
  *#cancelRunning(remove: boolean): Coro<void> {
    for (const task of [...this.#running] as Task<T>[]) {
      yield* cancelTask(task); // a task still starting too: its start() raises CurioError
      if (remove) {
        this.#members.delete(task);
        this.#unfinish(task);
        this.#report(task);
      }
    }
  }

  // Log the failure of `task` if nobody collected it (once).
  #report(task: Task): void {
    if (this.#unreported.delete(task)) task._kernel._reportCrash(task, task._outcome);
  }
}
