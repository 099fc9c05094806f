// The kernel: the scheduler loop, one suspend and one wake, one cancel path, and the end of a
// task. What each trap does is in the trap table (traps.ts); how the kernel shares the host's
// event loop is in host.ts. A map for contributors: docs/internals.md.
import { armDeadline, scopeExpired, timeoutError } from './deadlines.js';
import { CancelledError, CurioError, kernelError } from './errors.js';
import { HostTurns, host, hostNow } from './host.js';
import { loadMonitor, type MonitorFactory } from './monitor-loader.js';
import { checkKernelOptions, type KernelOptions, type RunOptions } from './options.js';
import { HostSelector, type Selector } from './selector.js';
import { LiveTasks, TimerHeap } from './structures.js';
import { type SubmitOptions, submitTask } from './submit.js';
import { installTaskInspect, Task, TaskFlag, type Waiter } from './task.js';
import {
  type Coro,
  isTrap,
  SUSPENDED,
  TrapMode,
  traceOf,
  traceTraps,
  yieldMistake,
} from './trap.js';
import { checkSpawnOptions, joinFailure, type SpawnOptions } from './traps.js';
import { checkCoroutine, checkOptions } from './validate.js';

/** @internal What a sleeping task waits on: nothing but its deadline. */
export const SLEEPING: Waiter = { withdraw() {} };

// The task running right now (set for each step of a slice; null between slices).
let current: Task | null = null;

/** @internal The task whose code is running right now, or null (plain code). */
export function runningTask(): Task | null {
  return current;
}

/**
 * @internal Refuse to start a kernel from inside a running task: the inner kernel would
 * block nothing and its failures would escape as unhandled rejections (curio refuses too).
 */
export function refuseNestedRun(fn: string): void {
  if (current !== null) {
    throw new CurioError(
      `${fn}: a task cannot start a nested kernel: yield* the coroutine, or yield* newTask(coro)`,
    );
  }
}

/**
 * The curio kernel: runs tasks, answers their traps, owns every suspension point.
 * @example
 * const kernel = new Kernel();
 * const result = await kernel.run(main());
 * await kernel.shutdown();
 */
export class Kernel {
  /** The kernel's source of time and timer wake-ups. */
  readonly selector: Selector;
  readonly #monitor: boolean | MonitorFactory;
  #monitorStarted = false;
  readonly #turns = new HostTurns(() => this.#runSlice());
  readonly #wakeFromHost = (): void => this.#schedule();
  readonly #now = (): number => this.selector.now();
  // From plain code outside any slice, a submitted task starts at once (a slice now, as a
  // host callback would run it); from inside a task, at its kernel's next turn.
  readonly #startNow = (): void => {
    if (current !== null || this.#inSlice) {
      this.#schedule();
    } else {
      this.selector.cancelWait();
      this.#turns.runNow();
    }
  };
  // The ready queue, linked through Task._readyNext. Invariant: every task in it has no
  // waiter and appears there once.
  #readyHead: Task | null = null;
  #readyTail: Task | null = null;
  // Invariant: a task is in `timers` iff it is blocked with a finite deadline.
  readonly #timers = new TimerHeap();
  readonly #live = new LiveTasks();
  #running = false;
  #inSlice = false;
  #interrupt = false;
  #stopRequested = false;
  #shuttingDown = false;
  #forever = false; // runForever: no task of its own, serving submit
  #jobs = 0; // non-daemon tasks not yet ended
  #externalWaits = 0; // tasks blocked on I/O, promises or signals
  #keepAliveWaits = 0; // of those, waits no host handle keeps alive
  #mainTask: Task | null = null;
  #settle: ((ok: boolean, value: unknown) => void) | null = null;
  #logErrors = true;
  #monitoring = false;
  #pdb = false;
  readonly #cleanups: (() => void)[] = [];
  #foreverDone: Promise<void> = Promise.resolve();

  constructor(options?: KernelOptions) {
    this.selector = checkKernelOptions(options)?.selector ?? new HostSelector();
    installTaskInspect();
    this.#monitor = options?.withMonitor ?? false;
  }

  /** Every task of this kernel that has not ended, by id (for monitors and debugging). */
  get tasks(): ReadonlyMap<number, Task> {
    return new Map(this.#live.list().map((t) => [t.id, t]));
  }

  /**
   * For monitors: while on, each task's `where` (the stack of its last trap call) and
   * `runTime` are recorded. Costs a stack capture per trap call; off by default.
   */
  setMonitoring(on: boolean): void {
    if (on === this.#monitoring) return;
    this.#monitoring = on;
    traceTraps(on ? 1 : -1);
  }

  /** True while `run` or `shutdown` is in progress. */
  get isRunning(): boolean {
    return this.#running;
  }

  /**
   * Run until every non-daemon task has ended. Resolves with `coro`'s result, or rejects
   * with its error. Without `coro`, runs the tasks added by `addTask`. If `stop()` ends the
   * run early, resolves with `undefined`; tasks stay where they are, and a later `run()`
   * resumes them (resolving with the first `coro`'s result when it ends). Called from inside
   * a running task, it raises `CurioError` at once: kernels do not nest.
   * @example
   * const value = await new Kernel().run(main());
   */
  run<T>(coro?: Coro<T>, options?: RunOptions): Promise<T> {
    refuseNestedRun('Kernel.run');
    return this.#run(coro, options);
  }

  async #run<T>(coro?: Coro<T>, options?: RunOptions): Promise<T> {
    if (this.#running) throw new CurioError('Kernel.run: this kernel is already running');
    if (coro !== undefined) checkCoroutine('Kernel.run', 'coro', coro);
    checkOptions('Kernel.run', options);
    this.#logErrors = options?.logErrors ?? true;
    this.#pdb = options?.pdb ?? false;
    if (this.#monitor !== false && !this.#monitorStarted) {
      const factory = await loadMonitor(this.#monitor);
      this.#monitorStarted = true;
      this._spawn(factory(this), true, 'monitor', null);
    }
    if (coro !== undefined) this.#mainTask = this._spawn(coro as Coro, false, undefined, null);
    return this.#runUntil<T>(this.#jobs === 0);
  }

  /**
   * Add a task before the kernel runs. Refused while it is running (use `newTask` inside
   * a task instead).
   * @example
   * kernel.addTask(worker(), { daemon: true });
   */
  addTask<T>(coro: Coro<T>, options?: SpawnOptions): Task<T> {
    if (this.#running) {
      throw new CurioError(
        'Kernel.addTask: the kernel is running; inside a task use yield* newTask(coro)',
      );
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
   * const kernel = new Kernel();
   * const serving = kernel.runForever();
   * console.log(await kernel.submit(work()));
   * await kernel.shutdown(); // ends runForever, cancels what is left
   */
  runForever(): Promise<void> {
    refuseNestedRun('Kernel.runForever');
    if (this.#running) {
      return Promise.reject(new CurioError('Kernel.runForever: this kernel is already running'));
    }
    this.#forever = true;
    const done = this.#runUntil<void>(false).finally(() => {
      this.#forever = false;
    });
    this.#foreverDone = done.catch(() => {});
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
   * const kernel = new Kernel();
   * void kernel.runForever();
   * const answer = await kernel.submit(work(), { name: 'work', signal: AbortSignal.timeout(5000) });
   */
  submit<T>(coro: Coro<T>, options?: SubmitOptions): Promise<T> {
    if (!this.#running || this.#shuttingDown) {
      throw new CurioError(
        'Kernel.submit: the kernel is not running (start it with run() or runForever())',
      );
    }
    return submitTask(this, coro, options, this.#wakeFromHost, this.#startNow);
  }

  /** Ask the kernel to stop: `run` returns once the running task yields. */
  stop(): void {
    this.#stopRequested = true;
    this.#interrupt = true;
    this.#schedule();
  }

  /**
   * Cancel every remaining task, daemons included, and resolve when all have ended.
   * Refused while the kernel is running.
   * @example
   * await kernel.shutdown();
   */
  async shutdown(): Promise<void> {
    if (this.#forever) {
      this.stop();
      await this.#foreverDone;
    }
    if (this.#running) throw new CurioError('Kernel.shutdown: refused while the kernel is running');
    if (this.#live.count > 0) {
      this.#shuttingDown = true;
      try {
        this.#cancelAll();
        await this.#runUntil<void>(false);
      } finally {
        this.#shuttingDown = false;
      }
    }
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#turns.keepAlive(false);
  }

  // Run slices until #finish settles the promise (at once when `done`).
  #runUntil<T>(done: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (done) return resolve(undefined as T);
      this.#settle = (ok, value) => (ok ? resolve(value as T) : reject(value));
      this.#running = true;
      this.#interrupt = false;
      this.#stopRequested = false;
      this.#schedule();
    });
  }

  /** @internal Run `cleanup` when the kernel shuts down (extensions release host resources). */
  _onShutdown(cleanup: () => void): void {
    this.#cleanups.push(cleanup);
  }

  // ---- the scheduler ----------------------------------------------------------------

  /** @internal Make a task of `coro`, ready to run. */
  _spawn(coro: Coro, daemon: boolean, name: string | undefined, parent: Task | null): Task {
    const task = new Task(this, coro, daemon, name, parent);
    this.#live.add(task);
    if (!daemon) this.#jobs++;
    this.#makeReady(task, undefined);
    return task;
  }

  // Run a slice soon, unless one is running (see HostTurns.request for `ioWaiters`).
  #schedule(ioWaiters = 0): void {
    if (this.#inSlice || !this.#running) return;
    this.selector.cancelWait();
    this.#turns.request(ioWaiters);
  }

  #runSlice(): void {
    if (!this.#running) return;
    // Slices never nest: one kernel's wake-ups of another's tasks only request a slice.
    this.#inSlice = true;
    try {
      this.#loop();
    } finally {
      this.#inSlice = false;
      current = null;
    }
  }

  // The loop: take a ready task, resume it, handle the trap it yields.
  #loop(): void {
    const timers = this.#timers;
    const turns = this.#turns;
    for (;;) {
      if (this.#interrupt) {
        this.#interrupt = false;
        if (this.#stopRequested) {
          this.#stopRequested = false;
          this.#finish(true, undefined);
        }
        if (!this.#running) return;
      }
      const task = this.#readyHead;
      if (task !== null) {
        if ((this.#readyHead = task._readyNext) === null) this.#readyTail = null;
        task._readyNext = null;
        current = task;
        if (this.#monitoring) this.#monitoredStep(task);
        else this.#step(task);
        if (turns.stepped()) {
          if (timers.size > 0) this.#expireTimers();
          if (turns.yieldIfDue()) return;
        }
        continue;
      }
      if (timers.size > 0 && this.#expireTimers()) continue;
      if (this.#idle()) continue;
      return;
    }
  }

  // Resume `task` and answer its traps until it blocks, switches or ends.
  #step(task: Task): void {
    task.state = 'RUNNING';
    task.cycles++;
    const coro = task.coro;
    for (;;) {
      let r: IteratorResult<unknown, unknown>;
      try {
        const send = task._send;
        task._send = undefined;
        if ((task._flags & TaskFlag.SEND_EXC) !== 0) {
          task._flags &= ~TaskFlag.SEND_EXC;
          r = coro.throw(send);
        } else {
          r = coro.next(send);
        }
      } catch (err) {
        this.#terminate(task, err, true);
        return;
      }
      if (r.done === true) {
        this.#terminate(task, r.value, false);
        return;
      }
      const trap = r.value;
      // A trap arrives through yield* (its own next() handed it over: stage 1); anything else
      // is a mistake, reported in the task (a plain yield of a trap or a coroutine).
      if (!isTrap(trap) || (trap as unknown as { stage: number }).stage !== 1) {
        this.#throwInto(task, yieldMistake(task.name, trap));
        return;
      }
      const spec = trap.spec;
      const mode = spec.mode;
      if (mode !== TrapMode.IMMEDIATE) {
        if (this.#monitoring) task._extra().where = traceOf(trap);
        if (
          mode === TrapMode.BLOCK &&
          (task._pendingCancel !== undefined || task._timer !== null) &&
          this.#deliverPending(task)
        ) {
          return;
        }
      }
      let answer: unknown;
      try {
        answer = spec.handle(this, task, trap);
      } catch (err) {
        // The handler refused the request before changing any state: the task gets the error.
        this.#throwInto(task, err);
        return;
      }
      if (answer === SUSPENDED) return;
      if (mode !== TrapMode.IMMEDIATE) {
        this.#makeReady(task, answer);
        return;
      }
      task._send = answer;
    }
  }

  #monitoredStep(task: Task): void {
    const start = hostNow();
    this.#step(task);
    task._extra().runTime += hostNow() - start;
  }

  #makeReady(task: Task, value: unknown): void {
    task._send = value;
    task.state = 'READY';
    const tail = this.#readyTail;
    if (tail === null) this.#readyHead = task;
    else tail._readyNext = task;
    this.#readyTail = task;
  }

  #throwInto(task: Task, err: unknown): void {
    task._flags |= TaskFlag.SEND_EXC;
    this.#makeReady(task, err);
  }

  // Nothing is ready. Returns true if the selector advanced time (go on at once).
  #idle(): boolean {
    const deadline = this.#timers.peekDeadline();
    if (deadline === Infinity && this.#externalWaits === 0 && !this.#forever) {
      if (this.#shuttingDown) {
        this.#cancelAll(true);
        return this.#readyHead !== null;
      }
      const blocked = this.#live
        .list()
        .slice(0, 10)
        .map((t) => `${t.name} (${t.state})`)
        .join(', ');
      this.#finish(
        false,
        new CurioError(`deadlock: every task is blocked and nothing can wake them: ${blocked}`),
      );
      return false;
    }
    if (this.selector.wait(deadline, this.#externalWaits, this.#wakeFromHost)) return true;
    this.#turns.keepAlive(this.#forever || this.#keepAliveWaits > 0);
    return false;
  }

  #finish(ok: boolean, value: unknown): void {
    for (const task of this.#live.list()) task._watcher?._kernelStopped?.(task);
    this.#running = false;
    this.#interrupt = true;
    this.selector.cancelWait();
    this.#turns.keepAlive(false);
    const settle = this.#settle;
    this.#settle = null;
    settle?.(ok, value);
  }

  // ---- suspend, wake, cancel ----------------------------------------------------------

  /**
   * @internal Block `task` on `waiter` in state `state`, with a deadline `timeout` ms away (or
   * the task's `timeoutAfter` deadline, whichever comes first). Trap handlers return this.
   */
  _suspend(
    task: Task,
    state: string,
    waiter: Waiter,
    timeout: number | undefined,
  ): typeof SUSPENDED {
    task._waiter = waiter;
    task.state = state;
    if (waiter.external === true) {
      this.#externalWaits++;
      if (waiter.keepAlive === true) this.#keepAliveWaits++;
    }
    armDeadline(this.#timers, task, timeout, this.#now);
    return SUSPENDED;
  }

  /**
   * @internal The one wake: end `task`'s wait on `waiter` and resume it with `value` (or raise
   * it, when `failed`). A wake that comes after the wait ended (a cancel or timeout withdrew
   * it) is ignored here, and only here: returns false.
   */
  _wake(task: Task, waiter: Waiter, value: unknown, failed = false): boolean {
    if (task._waiter !== waiter) return false;
    const ioWaiters = waiter.io === true ? this.#externalWaits : 0;
    this.#endWait(task, waiter);
    if (failed) this.#throwInto(task, value);
    else this.#makeReady(task, value);
    this.#schedule(ioWaiters);
    return true;
  }

  #endWait(task: Task, waiter: Waiter): void {
    task._waiter = null;
    if (waiter.external === true) {
      this.#externalWaits--;
      if (waiter.keepAlive === true) this.#keepAliveWaits--;
    }
    const timer = task._timer;
    if (timer !== null && timer.index >= 0) this.#timers.remove(timer);
  }

  /**
   * @internal The one cancel path: raise `err` in `target` now if it is blocked (its wait is
   * withdrawn), else at its next blocking trap. Inside `disableCancellation` it waits too,
   * unless `force` (a timeout set inside the shield, or the last resort of shutdown).
   */
  _requestCancel(target: Task, err: unknown, force = false): void {
    const waiter = target._waiter;
    if (waiter !== null && (force || (target._flags & TaskFlag.SHIELDED) === 0)) {
      this.#endWait(target, waiter);
      waiter.withdraw(target);
      this.#throwInto(target, err);
    } else if (target._pendingCancel === undefined) {
      target._pendingCancel = err;
    }
  }

  // At a blocking trap: raise a pending cancel or an expired timeoutAfter deadline, if any.
  #deliverPending(task: Task): boolean {
    const pending = task._pendingCancel;
    if (pending !== undefined && (task._flags & TaskFlag.SHIELDED) === 0) {
      task._pendingCancel = undefined;
      this.#throwInto(task, pending);
      return true;
    }
    const timeout = scopeExpired(task, this.#now);
    if (timeout === undefined) return false;
    this.#throwInto(task, timeout);
    return true;
  }

  // Wake the sleepers whose time has come; a timeout is a cancel request with TaskTimeout.
  #expireTimers(): boolean {
    const timers = this.#timers;
    const now = this.selector.now();
    let fired = false;
    while (timers.peekDeadline() <= now) {
      const slot = timers.pop()!;
      const task = slot.task;
      fired = true;
      if (task._waiter === SLEEPING && slot.trapDeadline <= slot.scopeDeadline) {
        this._wake(task, SLEEPING, undefined);
        continue;
      }
      this._requestCancel(task, timeoutError(slot), true);
    }
    return fired;
  }

  // Shutdown cancels every task; `force` also reaches tasks in disableCancellation (used
  // only when nothing else could ever end them).
  #cancelAll(force = false): void {
    for (const task of this.#live.list().reverse()) {
      this._requestCancel(
        task,
        kernelError(CancelledError, `${task.name} cancelled by kernel shutdown`),
        force,
      );
    }
  }

  // ---- the end of a task --------------------------------------------------------------

  #terminate(task: Task, outcome: unknown, failed: boolean): void {
    task.state = 'TERMINATED';
    task._flags =
      (task._flags & TaskFlag.DAEMON) | TaskFlag.TERMINATED | (failed ? TaskFlag.FAILED : 0);
    task._outcome = outcome;
    task._pendingCancel = undefined;
    const timer = task._timer;
    if (timer !== null) timer.scopeDeadline = Infinity;
    this.#live.remove(task);
    task._leaveParent();
    const watcher = task._watcher;
    if (failed && !(outcome instanceof CancelledError) && task !== this.#mainTask) {
      if (watcher === null) this.#reportCrash(task, outcome);
    }
    const joiners = task._joiners;
    if (joiners !== null) {
      for (let waiter = joiners._shift(); waiter !== null; waiter = joiners._shift()) {
        if (waiter.state === 'CANCEL_WAIT') this._wake(waiter, joiners, undefined);
        else if (failed) this._wake(waiter, joiners, joinFailure(task), true);
        else this._wake(waiter, joiners, outcome);
      }
    }
    watcher?._taskDone(task);
    if (this.#shuttingDown) {
      if (this.#live.count === 0) this.#finish(true, undefined);
    } else if (!task.daemon && --this.#jobs === 0 && this.#running && !this.#forever) {
      const main = this.#mainTask;
      this.#mainTask = null;
      if (main === null) this.#finish(true, undefined);
      else this.#finish((main._flags & TaskFlag.FAILED) === 0, main._outcome);
    }
  }

  #reportCrash(task: Task, err: unknown): void {
    if (this.#pdb) {
      // biome-ignore lint/suspicious/noDebugger: run(coro, { pdb: true }) asks to break here.
      debugger;
    }
    if (this.#logErrors) host.console?.error(`curio: task ${task.id} (${task.name}) crashed:`, err);
  }
}
