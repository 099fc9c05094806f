import type { AsyncContextManager } from './context.js';
import { CancelledError, CurioError } from './errors.js';
import { KernelQueue } from './kqueue.js';
import { waitOnQueue, wakeQueued } from './queue-wait.js';
import { disableCancellation } from './shield.js';
import { type Task, TaskFlag, type TimeoutOptions } from './task.js';
import { type Coro, defineTrap, TrapMode } from './trap.js';
import {
  cancelTask,
  checkSpawnOptions,
  getKernel,
  type SpawnOptions,
  spawnChild,
} from './traps.js';
import { checkCoroutine, checkFunction, checkOptions, checkTimeout, describe } from './validate.js';

/**
 * How {@link TaskGroup.join} waits (curio 1.x's `wait=`): `'all'` for every task (the
 * default), `'any'` for the first task to end, `'object'` for the first task to return
 * something other than `undefined` or `null`, `'none'` for nobody. Under every policy a task
 * that fails ends the wait, and the tasks still running when the wait ends are cancelled.
 */
export type WaitPolicy = 'all' | 'any' | 'object' | 'none';

/** Options of `new TaskGroup(tasks, options)`. */
export interface TaskGroupOptions {
  /** How `join` (and leaving `asyncWith`) waits; default `'all'`. */
  wait?: WaitPolicy;
}

const POLICIES: readonly string[] = ['all', 'any', 'object', 'none'];

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
  (kernel, task, { a: coro, b: group, c: adoption }) => {
    const child = spawnChild(kernel, task, coro, false, adoption.name);
    adoption.task = child;
    group._adopt(child, adoption.starting);
    return child;
  },
);

// A task that ended with an error other than a cancellation.
function failed(task: Task): boolean {
  return (task._flags & TaskFlag.FAILED) !== 0 && !(task._outcome instanceof CancelledError);
}

// curio's `task.result`: the task's value, or its error raised as it is.
function outcome<T>(task: Task<T>): T {
  if ((task._flags & TaskFlag.FAILED) !== 0) throw task._outcome;
  return task._outcome as T;
}

/**
 * A group of tasks that end together (curio 1.x's `TaskGroup`). Tasks join it by `spawn`,
 * `start`, `addTask` or the constructor. `join()` (or leaving `asyncWith(group, ...)`) waits
 * for them as the `wait` policy says, then cancels and waits for the ones still running:
 * no task of a group outlives its block, whichever way the block is left.
 *
 * As in curio 1.x, a task's failure does not raise out of `join`: it ends the wait (the
 * other tasks are cancelled) and is read from the group afterwards (`result`, `results`,
 * `exception`, `exceptions`). A failure nobody collects (with `nextDone`, `nextResult` or
 * `asyncFor`) is logged by the group's `join`, as the kernel logs any crashed task. Tasks
 * that end by cancellation are not failures and end no wait.
 * @example
 * import { asyncWith, run, sleep, TaskGroup } from '@curio/kernel';
 *
 * function* fetchOne(n: number) {
 *   yield* sleep(10 * n);
 *   return n;
 * }
 *
 * await run(function* () {
 *   const g = new TaskGroup<number>();
 *   yield* asyncWith(g, function* () {
 *     yield* g.spawn(fetchOne(2));
 *     yield* g.spawn(fetchOne(1));
 *   });
 *   console.log(g.results); // [2, 1]: spawn order
 * }());
 */
export class TaskGroup<T = unknown> implements AsyncContextManager<TaskGroup<T>> {
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

  /**
   * Make a group, optionally of tasks that already exist, with the `wait` policy of its
   * `join` (default `'all'`).
   * @example
   * import { TaskGroup } from '@curio/kernel';
   *
   * const firstWins = new TaskGroup([], { wait: 'any' });
   */
  constructor(tasks: readonly Task<T>[] = [], options?: TaskGroupOptions) {
    if (!Array.isArray(tasks)) {
      const hint =
        tasks !== null && typeof tasks === 'object' && 'wait' in tasks
          ? ' (options go second: new TaskGroup([], { wait }))'
          : '';
      throw new TypeError(
        `new TaskGroup(tasks): tasks must be an array of Tasks, got ${describe(tasks)}${hint}`,
      );
    }
    checkOptions('new TaskGroup', options);
    const wait = options?.wait ?? 'all';
    if (!POLICIES.includes(wait)) {
      throw new TypeError(
        `new TaskGroup(tasks, { wait }): wait must be 'all', 'any', 'object' or 'none', got ${describe(wait)}`,
      );
    }
    this.#wait = wait;
    for (const task of tasks) this.#checkNew('new TaskGroup', task);
    if (new Set(tasks).size !== tasks.length) {
      throw new CurioError('new TaskGroup(tasks): a task is listed twice');
    }
    for (const task of tasks) this.#admit(task);
  }

  /** The group's tasks (not those collected or removed by `cancelRemaining`), oldest first. */
  get tasks(): Task<T>[] {
    return [...this.#members];
  }

  /**
   * The first task `join` saw end: with `wait: 'object'`, the first that returned something
   * other than `undefined` or `null`; a failed task counts under every policy. `undefined`
   * until then.
   */
  get completed(): Task<T> | undefined {
    return this.#completed;
  }

  /**
   * The result of {@link TaskGroup.completed} (its error is raised as it is). Read after
   * `join`; raises `CurioError` before, or when no task completed.
   * @example
   * import { asyncWith, run, sleep, TaskGroup } from '@curio/kernel';
   *
   * function* after(ms: number, value: string) {
   *   yield* sleep(ms);
   *   return value;
   * }
   *
   * await run(function* () {
   *   const g = new TaskGroup<string>([], { wait: 'any' });
   *   yield* asyncWith(g, function* () {
   *     yield* g.spawn(after(20, 'slow'));
   *     yield* g.spawn(after(10, 'fast'));
   *   });
   *   console.log(g.result); // 'fast'
   * }());
   */
  get result(): T {
    this.#checkJoined('result');
    if (this.#completed === undefined) {
      throw new CurioError('TaskGroup.result: no task of the group completed');
    }
    return outcome(this.#completed);
  }

  /**
   * Every task's result, in the order the tasks joined the group; the first error (a
   * cancellation included) is raised as it is. Read after `join`.
   */
  get results(): T[] {
    this.#checkJoined('results');
    return this.tasks.map(outcome);
  }

  /** The error of {@link TaskGroup.completed}, or `undefined`. Read after `join`. */
  get exception(): unknown {
    this.#checkJoined('exception');
    return this.#completed?.excInfo;
  }

  /** Every task's error (`undefined` for those that returned), in order. Read after `join`. */
  get exceptions(): unknown[] {
    this.#checkJoined('exceptions');
    return this.tasks.map((task) => task.excInfo);
  }

  #checkJoined(what: string): void {
    if (!this.#joined) {
      throw new CurioError(
        `TaskGroup.${what}: the group has not been joined yet (read it after join() or after leaving asyncWith)`,
      );
    }
  }

  #checkOpen(fn: string): void {
    if (this.#joined) throw new CurioError(`${fn}: the group has already been joined`);
    if (this.#failures > 0) throw new CurioError(`${fn}: the group has already failed`);
  }

  #checkNew(fn: string, value: unknown): asserts value is Task<T> {
    if (
      value === null ||
      typeof value !== 'object' ||
      !('_kernel' in value) ||
      !('coro' in value)
    ) {
      throw new TypeError(`${fn}: a task must be a Task, got ${describe(value)}`);
    }
    const task = value as Task;
    if (task.daemon) throw new TypeError(`${fn}: a daemon task cannot join a group`);
    if (task._watcher !== null) {
      throw new CurioError(`${fn}: ${task.name} already belongs to a task group`);
    }
  }

  // A task joins the group; one that has already ended is among the finished at once.
  #admit(task: Task<T>): void {
    task._watcher = this;
    this.#members.add(task);
    if (task.terminated) this.#finish(task);
    else this.#running.add(task);
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

  /** @internal A task the group spawned, before its first step (see spawnTrap). */
  _adopt(task: Task, starting: boolean): void {
    task._watcher = this;
    this.#running.add(task);
    if (starting) this.#starting.add(task);
    else this.#members.add(task as Task<T>);
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

  /** @internal The group's tasks have ended, or started and not yet taken (race, gather). */
  get _hasFinished(): boolean {
    return this.#finished.size > 0;
  }

  /**
   * Start `coro` as a task of this group (see `newTask`). Refused with `CurioError` once the
   * group has been joined, or while a failed task waits in it uncollected.
   * @example
   * import { run, sleep, TaskGroup } from '@curio/kernel';
   *
   * await run(function* () {
   *   const g = new TaskGroup();
   *   const t = yield* g.spawn(sleep(10), { name: 'napper' });
   *   yield* g.join();
   *   console.log(t.terminated); // true
   * }());
   */
  *spawn<R extends T>(coro: Coro<R>, options?: SpawnOptions): Coro<Task<R>> {
    if (options?.daemon) throw new TypeError('TaskGroup.spawn: a group task cannot be a daemon');
    checkCoroutine('TaskGroup.spawn', 'coro', coro);
    checkSpawnOptions('TaskGroup.spawn', options);
    this.#checkOpen('TaskGroup.spawn');
    const adoption: Adoption = { name: options?.name, starting: false, task: null };
    return (yield* spawnTrap(coro, this, adoption)) as Task<R>;
  }

  /**
   * Add a task that already exists to the group (curio's `add_task`). It must not be a
   * daemon nor belong to another group.
   * @example
   * import { newTask, run, sleep, TaskGroup } from '@curio/kernel';
   *
   * await run(function* () {
   *   const t = yield* newTask(sleep(10));
   *   const g = new TaskGroup();
   *   yield* g.addTask(t);
   *   yield* g.join(); // waits for t
   * }());
   */
  *addTask(task: Task<T>): Coro<void> {
    this.#checkNew('TaskGroup.addTask', task);
    this.#checkOpen('TaskGroup.addTask');
    this.#admit(task);
  }

  /**
   * Trio's `nursery.start`: run `fn(started)` as a task of this group and return the value it
   * passes to `started(value)`, once it calls it; the task goes on in the group. Until then
   * the task is the caller's, not the group's: if it fails, `start` raises its error (the
   * group never sees it); if it returns without calling `started`, `start` raises
   * `CurioError`; if the caller is cancelled or times out, the task is cancelled and waited
   * for.
   * @example
   * import { asyncWith, type Coro, run, sleep, TaskGroup } from '@curio/kernel';
   *
   * function* serve(started: (port: number) => void): Coro<void> {
   *   yield* sleep(5); // bind, listen...
   *   started(8080);
   *   yield* sleep(1000); // serve
   * }
   *
   * await run(asyncWith(new TaskGroup([], { wait: 'none' }), function* (g) {
   *   const port = yield* g.start<number>(serve);
   *   console.log('listening on', port);
   * }));
   */
  *start<V = unknown>(fn: (started: (value?: V) => void) => Coro<unknown>): Coro<V> {
    checkFunction('TaskGroup.start(fn)', 'fn', fn, 'a function taking started');
    this.#checkOpen('TaskGroup.start');
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
      if (task !== null && this.#starting.delete(task)) {
        this.#members.add(task as Task<T>);
        if (this.#waiting.length > 0) wakeQueued(this.#waiting, Infinity);
      }
    };
    const coro = fn(started);
    checkCoroutine('TaskGroup.start', 'fn(started)', coro);
    adoption.starting = state === 0;
    const child = yield* spawnTrap(coro, this, adoption);
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

  /**
   * Wait for the next task of the group to end and take it out of the group (its outcome is
   * yours to read: `task.excInfo`, `task.join()`). `undefined` when no task is left.
   * @example
   * import { run, sleep, TaskGroup } from '@curio/kernel';
   *
   * await run(function* () {
   *   const g = new TaskGroup();
   *   yield* g.spawn(sleep(20), { name: 'slow' });
   *   yield* g.spawn(sleep(10), { name: 'fast' });
   *   for (let t = yield* g.nextDone(); t !== undefined; t = yield* g.nextDone()) {
   *     console.log(t.name, t.excInfo ?? 'ok'); // fast ok, then slow ok
   *   }
   * }());
   */
  *nextDone(): Coro<Task<T> | undefined> {
    while (!this._hasFinished && this.#running.size > this.#starting.size) {
      yield* waitOnQueue(this.#waiting, 'TASKGROUP_NEXT');
    }
    const task = this.#take();
    if (task !== undefined) this.#collect(task);
    return task;
  }

  // `task` is taken out of the group: its outcome is the collector's.
  #collect(task: Task<T>): void {
    this.#members.delete(task);
    this.#unreported.delete(task);
  }

  /**
   * The result of the next task of the group to end (see {@link TaskGroup.nextDone}); its
   * error is raised as it is. `CurioError` when no task is left.
   * @example
   * import { run, sleep, TaskGroup } from '@curio/kernel';
   *
   * function* after(ms: number) {
   *   yield* sleep(ms);
   *   return ms;
   * }
   *
   * await run(function* () {
   *   const g = new TaskGroup<number>();
   *   yield* g.spawn(after(20));
   *   yield* g.spawn(after(10));
   *   console.log(yield* g.nextResult()); // 10
   *   yield* g.cancelRemaining();
   * }());
   */
  *nextResult(): Coro<T> {
    const task = yield* this.nextDone();
    if (task === undefined) throw new CurioError('TaskGroup.nextResult: no task left in the group');
    return outcome(task);
  }

  /**
   * Wait for the group's tasks as its `wait` policy says, then cancel the tasks still running
   * and wait for them to end (under {@link disableCancellation}). A failed task ends the wait
   * under every policy; its error is not raised here but kept for `result`, `results`,
   * `exception` and `exceptions`, and logged if nobody collected it. `{ timeout }` bounds the
   * wait: on timeout (`TaskTimeout`) or cancellation of the caller, the tasks are cancelled
   * the same way and the error propagates. Spawning is refused from then on.
   * @example
   * import { run, sleep, TaskGroup } from '@curio/kernel';
   *
   * function* one() {
   *   yield* sleep(10);
   *   return 1;
   * }
   *
   * await run(function* () {
   *   const g = new TaskGroup<number>();
   *   yield* g.spawn(one());
   *   yield* g.join({ timeout: 5000 });
   *   console.log(g.results); // [1]
   * }());
   */
  *join(options?: TimeoutOptions): Coro<void> {
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

  /**
   * Cancel every task of the group that is still running, wait for each to end (one after
   * another, in the order they joined) and take them out of the group. Runs under
   * {@link disableCancellation}: an expired `timeoutAfter` deadline or a cancel of the caller
   * does not cut it short; it is delivered once every task has ended.
   * @example
   * import { run, sleep, TaskGroup } from '@curio/kernel';
   *
   * await run(function* () {
   *   const g = new TaskGroup();
   *   yield* g.spawn(sleep(60_000));
   *   yield* g.cancelRemaining(); // cancelled, and ended
   *   console.log(g.tasks.length); // 0
   * }());
   */
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

  /** Entering returns the group itself. */
  *enter(): Coro<TaskGroup<T>> {
    return this;
  }

  /**
   * Leaving joins the group (see {@link TaskGroup.join}); if the body raised, its running
   * tasks are cancelled first and the body's error goes on.
   */
  *exit(error?: unknown): Coro<boolean> {
    if (error !== undefined) yield* this.cancelRemaining();
    yield* this.join();
    return false;
  }
}
