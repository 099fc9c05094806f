// TaskGroup, curio 1.x's task group, as its users see it: the methods and properties SPEC.md
// lists, the checks of their arguments (join's are at the start of its wait), the
// context-manager face of asyncWith, the nextDone that asyncFor reads. Each group holds a
// GroupMembers (group-members.ts), its bookkeeping: which tasks may join and how, the queue of
// those that ended, start's hand-over, join's wait policies, cancelling what still runs, the
// end of the group. A map for contributors: docs/internals.md.

import type { AsyncContextManager } from './context.js';
import { CurioError } from './errors.js';
import { checkNewMember, GroupMembers, outcome } from './group-members.js';
import type { Task, TimeoutOptions } from './task.js';
import type { Coro } from './trap.js';
import { checkSpawnOptions, type SpawnOptions } from './traps.js';
import { checkCoroutine, checkFunction, checkOptions, describe } from './validate.js';

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
  // Its tasks, what they are doing and what join makes of them (the kernel tells it, not the
  // group, when a task ends).
  readonly #members: GroupMembers<T>;

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
    for (const task of tasks) checkNewMember('new TaskGroup', task);
    if (new Set(tasks).size !== tasks.length) {
      throw new CurioError('new TaskGroup(tasks): a task is listed twice');
    }
    this.#members = new GroupMembers<T>(this, wait);
    for (const task of tasks) this.#members.admit(task);
  }

  /** The group's tasks (not those collected or removed by `cancelRemaining`), oldest first. */
  get tasks(): Task<T>[] {
    return this.#members.tasks();
  }

  /**
   * The first task `join` saw end: with `wait: 'object'`, the first that returned something
   * other than `undefined` or `null`; a failed task counts under every policy. `undefined`
   * until then.
   */
  get completed(): Task<T> | undefined {
    return this.#members.completed;
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
    const completed = this.#members.completed;
    if (completed === undefined) {
      throw new CurioError('TaskGroup.result: no task of the group completed');
    }
    return outcome(completed);
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
    return this.#members.completed?.excInfo;
  }

  /** Every task's error (`undefined` for those that returned), in order. Read after `join`. */
  get exceptions(): unknown[] {
    this.#checkJoined('exceptions');
    return this.tasks.map((task) => task.excInfo);
  }

  #checkJoined(what: string): void {
    if (!this.#members.joined) {
      throw new CurioError(
        `TaskGroup.${what}: the group has not been joined yet (read it after join() or after leaving asyncWith)`,
      );
    }
  }

  #checkOpen(fn: string): void {
    if (this.#members.joined) throw new CurioError(`${fn}: the group has already been joined`);
    if (this.#members.failing) throw new CurioError(`${fn}: the group has already failed`);
  }

  /** @internal A task the group spawned, before its first step (its spawn trap calls this). */
  _adopt(task: Task, starting: boolean): void {
    this.#members.adopt(task, starting);
  }

  /** @internal The group's tasks have ended, or started and not yet taken (race, gather). */
  get _hasFinished(): boolean {
    return this.#members.hasFinished;
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
    return (yield* this.#members.spawn(coro, options?.name)) as Task<R>;
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
    checkNewMember('TaskGroup.addTask', task);
    this.#checkOpen('TaskGroup.addTask');
    this.#members.admit(task);
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
    return yield* this.#members.start(fn);
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
  nextDone(): Coro<Task<T> | undefined> {
    return this.#members.nextDone();
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
  join(options?: TimeoutOptions): Coro<void> {
    return this.#members.join(options);
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
    return this.#members.cancelRemaining();
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
