// The kernel's public face: run, addTask, runForever, submit, stop and shutdown. The scheduler
// underneath (the loop, suspend and wake, the one cancel path) is in scheduler.ts; what each
// trap does is in the trap table (traps.ts). A map for contributors: docs/internals.md.
import { type Activation, monitoring, notify } from './activations.js';
import { refuseNestedRun } from './current.js';
import { debugFromEnv, debugging } from './debug-mode.js';
import { CurioError } from './errors.js';
import { msg } from './explain.js';
import { K15, K16, K17, K18 } from './messages.js';
import { loadMonitor, type MonitorFactory } from './monitor-loader.js';
import { checkKernelOptions, type KernelOptions, type RunOptions } from './options.js';
import { Scheduler } from './scheduler.js';
import { HostSelector } from './selector.js';
import { type SubmitOptions, submitTask } from './submit.js';
import { installTaskInspect, keepLayouts, type Task } from './task.js';
import { type Coro, traceTraps } from './trap.js';
import { checkSpawnOptions, type SpawnOptions } from './traps.js';
import { checkCoroutine, checkOptions } from './validate.js';

/**
 * The curio kernel: runs tasks, answers their traps, owns every suspension point.
 * @example
 * ```ts run
 * import { Kernel, sleep } from '@curio/kernel';
 *
 * function* main() {
 *   yield* sleep(10);
 *   return 'done';
 * }
 *
 * const kernel = new Kernel(); // Python: curio.Kernel()
 * console.log(await kernel.run(main())); // done
 * await kernel.shutdown();
 * ```
 */
export class Kernel extends Scheduler {
  readonly #monitor: boolean | MonitorFactory;
  #monitorStarted = false;
  readonly #cleanups: (() => void)[] = [];
  #serving: Promise<void> | null = null; // runForever in progress
  #monitoring = false;

  constructor(options?: KernelOptions) {
    super(checkKernelOptions(options)?.selector ?? new HostSelector());
    installTaskInspect();
    keepLayouts(this);
    this.#monitor = options?.withMonitor ?? false;
    if (options?.debug ?? debugFromEnv()) this._activate(debugging);
    for (const activation of options?.activations ?? []) this._activate(activation);
  }

  /** @internal Install `activation` (see Activation). */
  _activate(activation: Activation): void {
    const list = (this._activations ??= []);
    if (list.includes(activation)) return;
    list.push(activation);
    notify(list, 'activate', this);
  }

  /** @internal Remove `activation`; with none left, the loop runs without hooks again. */
  _deactivate(activation: Activation): void {
    const list = this._activations;
    if (list?.includes(activation)) list.splice(list.indexOf(activation), 1);
    if (list?.length === 0) this._activations = null;
  }

  /** Every task of this kernel that has not ended, by id (for monitors and debugging). */
  get tasks(): ReadonlyMap<number, Task> {
    return new Map(this._liveTasks().map((t) => [t.id, t]));
  }

  /**
   * For monitors: while on, each task's `where` (the stack of its last trap call) and
   * `runTime` are recorded. Costs a stack capture per trap call; off by default.
   */
  setMonitoring(on: boolean): void {
    if (on === this.#monitoring) return;
    this.#monitoring = on;
    traceTraps(on ? 1 : -1);
    if (on) this._activate(monitoring);
    else this._deactivate(monitoring);
  }

  /**
   * Run until every non-daemon task has ended. Resolves with `coro`'s result, or rejects
   * with its error. Without `coro`, runs the tasks added by `addTask`. If `stop()` ends the
   * run early, resolves with `undefined`; tasks stay where they are, and a later `run()`
   * resumes them (resolving with the first `coro`'s result when it ends). Called from inside
   * a running task, it raises `CurioError` at once: kernels do not nest.
   * @example
   * ```ts run
   * import { Kernel } from '@curio/kernel';
   *
   * function* main() {
   *   return 42;
   * }
   *
   * const kernel = new Kernel();
   * const value = await kernel.run(main());
   * console.log(value); // 42
   * await kernel.shutdown();
   * ```
   */
  run<T>(coro?: Coro<T>, options?: RunOptions): Promise<T> {
    refuseNestedRun('Kernel.run');
    return this.#run(coro, options);
  }

  async #run<T>(coro?: Coro<T>, options?: RunOptions): Promise<T> {
    if (this.isRunning) throw new CurioError(msg(K15, 'Kernel.run'));
    if (coro !== undefined) checkCoroutine('Kernel.run', 'coro', coro);
    checkOptions('Kernel.run', options);
    if (this.#monitor !== false && !this.#monitorStarted) {
      const factory = await loadMonitor(this.#monitor);
      this.#monitorStarted = true;
      this._spawn(factory(this), true, 'monitor', null);
    }
    const main = coro === undefined ? null : this._spawn(coro as Coro, false, undefined, null);
    return this._runUntilDone<T>(main, false, options?.logErrors, options?.pdb);
  }

  /**
   * Add a task before the kernel runs. Refused while it is running (use `newTask` inside
   * a task instead).
   * @example
   * ```ts run
   * import { Kernel, sleep } from '@curio/kernel';
   *
   * function* worker() {
   *   for (;;) yield* sleep(1000); // a daemon: run() does not wait for it
   * }
   *
   * const kernel = new Kernel();
   * kernel.addTask(worker(), { daemon: true }); // Python: add_task
   * await kernel.run();
   * await kernel.shutdown(); // cancels the daemon
   * ```
   */
  addTask<T>(coro: Coro<T>, options?: SpawnOptions): Task<T> {
    if (this.isRunning) {
      throw new CurioError(msg(K16));
    }
    checkCoroutine('Kernel.addTask', 'coro', coro);
    checkSpawnOptions('Kernel.addTask', options);
    return this._spawn(coro as Coro, options?.daemon === true, options?.name, null) as Task<T>;
  }

  /**
   * Run with no task of its own, serving {@link Kernel.submit} from plain code, until `stop()`
   * or `shutdown()`. Waiting only for submits is not a deadlock; the kernel holds the host's
   * event loop open meanwhile. Submits still pending when it ends reject with `CurioError`.
   * @example
   * ```ts run
   * import { Kernel, sleep } from '@curio/kernel';
   *
   * function* work() {
   *   yield* sleep(10);
   *   return 'worked';
   * }
   *
   * const kernel = new Kernel();
   * const serving = kernel.runForever();
   * console.log(await kernel.submit(work())); // worked
   * await kernel.shutdown(); // ends runForever, cancels what is left
   * await serving;
   * ```
   */
  runForever(): Promise<void> {
    refuseNestedRun('Kernel.runForever');
    if (this.isRunning) {
      return Promise.reject(new CurioError(msg(K15, 'Kernel.runForever')));
    }
    const done = this._runUntilDone<void>(null, true);
    this.#serving = done.catch(() => {});
    return done;
  }

  /**
   * Start `coro` as a top-level task from plain code (a callback, an async function, a
   * timer) while the kernel runs, within one loop cycle. The promise settles with its result,
   * or rejects with the `TaskError` a `join` would raise. `signal` cancels the task when it
   * aborts (already aborted: rejects with `CancelledError`, the task never starts). Throws
   * `CurioError` when the kernel is not running; pending submits reject with `CurioError`
   * if the kernel stops first.
   * @example
   * ```ts run
   * import { Kernel, sleep } from '@curio/kernel';
   *
   * function* work() {
   *   yield* sleep(10);
   *   return 42;
   * }
   *
   * const kernel = new Kernel();
   * void kernel.runForever();
   * const answer = await kernel.submit(work(), { name: 'work', signal: AbortSignal.timeout(5000) });
   * console.log(answer); // 42
   * await kernel.shutdown();
   * ```
   */
  submit<T>(coro: Coro<T>, options?: SubmitOptions): Promise<T> {
    if (!this._accepting) {
      throw new CurioError(msg(K17));
    }
    return submitTask(this, coro, options);
  }

  /**
   * Cancel every remaining task, daemons included, and resolve when all have ended.
   * Refused while the kernel is running.
   * @example
   * ```ts run
   * import { Kernel, sleep } from '@curio/kernel';
   *
   * const kernel = new Kernel();
   * kernel.addTask(sleep(10));
   * await kernel.run();
   * await kernel.shutdown(); // cancels any task left, then releases the kernel's resources
   * ```
   */
  async shutdown(): Promise<void> {
    const serving = this.#serving;
    if (serving !== null) {
      this.#serving = null;
      this.stop();
      await serving;
    }
    if (this.isRunning) throw new CurioError(msg(K18));
    await this._shutdownTasks();
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }

  /** @internal Run `cleanup` when the kernel shuts down (extensions release host resources). */
  _onShutdown(cleanup: () => void): void {
    this.#cleanups.push(cleanup);
  }
}
