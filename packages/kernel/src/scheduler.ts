// The scheduler: the loop, one suspend and one wake, one cancel path, and the end of a task.
// What each trap does is in the trap table (traps.ts); how the kernel shares the host's event
// loop is in host.ts; the public API (run, submit, shutdown) is Kernel, in kernel.ts.
// A map for contributors: docs/internals.md.

import { type Activation, notify } from './activations.js';
import { running } from './current.js';
import { armDeadline, expireTimers, scopeExpired } from './deadlines.js';
import { CancelledError, kernelError } from './errors.js';
import { HostTurns } from './host.js';
import type { Kernel } from './kernel.js';
import { Crashes, deadlockError } from './reports.js';
import type { Selector } from './selector.js';
import { LiveTasks, TimerHeap } from './structures.js';
import { coroOf, Task, TaskFlag, TaskRun, type TaskWatcher, type Waiter } from './task.js';
import { type Coro, isTrap, SUSPENDED, type Trap, TrapMode, yieldMistake } from './trap.js';
import { wakeJoiners } from './traps.js';

/**
 * The scheduler under {@link Kernel}: the loop and its state. Kernel adds the public API
 * (run, addTask, runForever, submit, shutdown) on top.
 */
export class Scheduler {
  /** The kernel's source of time and timer wake-ups. */
  readonly selector: Selector;
  readonly #turns = new HostTurns(() => this.#runSlice());
  /** @internal Request a slice from a host callback (I/O, timers, promises, submit). */
  readonly _wakeFromHost = (): void => this.#schedule();
  readonly #now = (): number => this.selector.now();
  // The ready queue, linked through the tasks' `_run._readyNext`. Invariant: every task in it has no
  // waiter and appears there once.
  #readyHead: Task | null = null;
  #readyTail: Task | null = null;
  // Invariant: a task is in `timers` iff it is blocked with a finite deadline.
  readonly #timers = new TimerHeap();
  // The run state the last task to end let go of (cleared): the next task made takes it. A task
  // that ends at once (spawn then join, submit) costs one allocation fewer.
  #spareRun: TaskRun | null = null;
  /** @internal Every task that has not ended. */
  readonly _live = new LiveTasks();
  #running = false; // from the start of run/runForever/shutdown to its end
  #inSlice = false;
  #interrupt = false;
  #stopRequested = false;
  #shuttingDown = false;
  #forever = false; // runForever: no task of its own, serving submit
  #jobs = 0; // non-daemon tasks not yet ended
  #externalWaits = 0; // tasks blocked on I/O, promises or signals
  #keepAliveWaits = 0; // of those, waits no host handle keeps alive
  #mainTask: Task | null = null; // the task whose result run settles with
  #settle: ((ok: boolean, value: unknown) => void) | null = null;
  readonly #crashes = new Crashes(); // failures nobody joined, until they are logged
  /** @internal The installed activations (Kernel installs them); null while there are none. */
  _activations: Activation[] | null = null;
  /** @internal With activations: the trap the running step is at (or ended at). */
  _trapInHand: Trap | undefined;
  // The Kernel this scheduler is (Kernel is its only subclass): what trap handlers receive.
  readonly #kernel = this as unknown as Kernel;

  constructor(selector: Selector) {
    this.selector = selector;
  }

  /** True while `run`, `runForever` or `shutdown` is in progress. */
  get isRunning(): boolean {
    return this.#running;
  }

  /** Ask the kernel to stop: `run` returns once the running task yields. */
  stop(): void {
    this.#stopRequested = true;
    this.#interrupt = true;
    this.#schedule();
  }

  /** @internal Run until the non-daemon tasks have ended (`forever`: until stopped). */
  _runUntilDone<T>(main: Task | null, forever: boolean, logErrors = true, pdb = false): Promise<T> {
    this.#forever = forever;
    this.#crashes.log = logErrors;
    this.#crashes.pdb = pdb;
    if (main !== null) this.#mainTask = main;
    return this.#runUntil<T>(this.#jobs === 0 && !forever);
  }

  /** @internal Cancel every task, daemons included, and run until all have ended. */
  async _shutdownTasks(): Promise<void> {
    if (this._live._count > 0) {
      this.#shuttingDown = true;
      try {
        this._cancelAll();
        await this.#runUntil<void>(false);
      } finally {
        this.#shuttingDown = false;
      }
    }
    this.#turns._keepAlive(false);
  }

  /** @internal True between run's start and end, shutdown excluded: submit is accepted. */
  get _accepting(): boolean {
    return this.#running && !this.#shuttingDown;
  }

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

  /** @internal Make a task of `coro`, ready to run. */
  _spawn(coro: Coro, daemon: boolean, name: string | undefined, parent: Task | null): Task {
    const task = this._newTask(coro, daemon, name, parent, null);
    this.#makeReady(task, undefined);
    return task;
  }

  /**
   * @internal Make a task of `coro`, told to `watcher` when it ends, not yet ready. `unlisted`
   * (a submit, see `_start`): not yet among the live tasks either, unless activations watch.
   */
  _newTask(
    coro: Coro,
    daemon: boolean,
    name: string | undefined,
    parent: Task | null,
    watcher: TaskWatcher | null,
    unlisted = false,
  ): Task {
    let run = this.#spareRun;
    if (run === null) run = new TaskRun();
    else this.#spareRun = null;
    const task = new Task(this.#kernel, run, coro, daemon, name, parent);
    task._watcher = watcher;
    if (unlisted && this._activations === null) task._flags |= TaskFlag.UNLISTED;
    else this._live._add(task, parent);
    if (!daemon) this.#jobs++;
    if (this._activations !== null) notify(this._activations, 'created', task);
    return task;
  }

  /**
   * @internal Start a submitted task made by `_newTask`. From plain code with nothing ready and no
   * activations it runs at once, alone, without passing through the ready queue: the slice
   * ends after its step if that left no work (a task ready, a stop). It joins the live tasks
   * after that step, if it has not ended there (a quick answer never does); else at once.
   */
  _start(task: Task): void {
    const plain = running.task === null && !this.#inSlice;
    if (plain && this.#running && this.#readyHead === null && this._activations === null) {
      this.#inSlice = true;
      running.task = task;
      try {
        this.#step(task);
      } finally {
        this.#inSlice = false;
        running.task = null;
      }
      if (!task.terminated) this.#list(task);
      else if (this.#readyHead === null && !this.#interrupt) return; // no pass through #idle
      this.#runSlice();
      return;
    }
    if ((task._flags & TaskFlag.UNLISTED) !== 0) this.#list(task);
    this.#makeReady(task, undefined);
    if (plain) this.#turns._runNow(this.selector);
    else this.#schedule();
  }

  // Run a slice soon, unless one is running (see HostTurns._request for `ioWaiters`, `now`).
  #schedule(ioWaiters = 0, now = false): void {
    if (this.#inSlice || !this.#running) return;
    this.selector.cancelWait();
    this.#turns._request(ioWaiters, now);
  }

  #runSlice(): void {
    if (!this.#running) return;
    // Slices never nest: one kernel's wake-ups of another's tasks only request a slice.
    this.#inSlice = true;
    try {
      this.#loop();
    } finally {
      this.#inSlice = false;
      running.task = null;
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
        const run = task._run!;
        if ((this.#readyHead = run._readyNext) === null) this.#readyTail = null;
        run._readyNext = null;
        running.task = task;
        if (this._activations === null) this.#step(task);
        else this.#observedStep(task, this._activations);
        if (turns._stepped()) {
          if (timers._size > 0) expireTimers(this, this.#timers);
          if (turns._yieldIfDue()) return;
        }
        continue;
      }
      if (timers._size > 0 && expireTimers(this, this.#timers)) continue;
      if (this.#idle()) continue;
      return;
    }
  }

  // A submitted task joins the live tasks (see _newTask).
  #list(task: Task): void {
    task._flags &= ~TaskFlag.UNLISTED;
    this._live._add(task, null);
  }

  /**
   * @internal Every task that has not ended, oldest first (a snapshot): with the submitted task
   * in its first step, not yet listed, when it asks.
   */
  _liveTasks(): Task[] {
    const task = running.task;
    const unlisted = task !== null && (task._flags & TaskFlag.UNLISTED) !== 0;
    return this._live._list(unlisted && task._kernel === this.#kernel ? task : null);
  }

  // Resume `task` and answer its traps until it blocks, switches or ends.
  #step(task: Task): void {
    const run = task._run!;
    run._state = 'RUNNING';
    task.cycles++;
    const coro = coroOf(task);
    for (;;) {
      let r: IteratorResult<unknown, unknown>;
      try {
        const send = run._send;
        run._send = undefined;
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
        if (this._activations !== null) this._trapInHand = trap;
        if (
          mode === TrapMode.BLOCK &&
          (run._pendingCancel !== undefined || run._timer !== null) &&
          this.#deliverPending(task)
        ) {
          return;
        }
      }
      let answer: unknown;
      try {
        answer = spec.handle(this.#kernel, task, trap);
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
      run._send = answer;
    }
  }

  #observedStep(task: Task, activations: Activation[]): void {
    notify(activations, 'running', task);
    this._trapInHand = undefined;
    this.#step(task);
    if (!task.terminated) notify(activations, 'suspended', task, this._trapInHand);
  }

  #makeReady(task: Task, value: unknown): void {
    const run = task._run!;
    run._send = value;
    run._state = 'READY';
    const tail = this.#readyTail;
    if (tail === null) this.#readyHead = task;
    else tail._run!._readyNext = task;
    this.#readyTail = task;
  }

  #throwInto(task: Task, err: unknown): void {
    task._flags |= TaskFlag.SEND_EXC;
    this.#makeReady(task, err);
  }

  // Nothing is ready. Returns true if the selector advanced time (go on at once).
  #idle(): boolean {
    const deadline = this.#timers._peekDeadline();
    if (deadline === Infinity && this.#externalWaits === 0 && !this.#forever) {
      if (this.#shuttingDown) {
        this._cancelAll(true);
        return this.#readyHead !== null;
      }
      this.#finish(false, deadlockError(this._live._list()));
      return false;
    }
    if (this.selector.wait(deadline, this.#externalWaits, this._wakeFromHost)) return true;
    this.#turns._keepAlive(this.#forever || this.#keepAliveWaits > 0);
    return false;
  }

  #finish(ok: boolean, value: unknown): void {
    this.#crashes.finish();
    for (const task of this._live._list()) task._watcher?._kernelStopped?.(task);
    this.#running = false;
    this.#forever = false;
    this.#interrupt = true;
    this.selector.cancelWait();
    this.#turns._keepAlive(false);
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
    const run = task._run!;
    run._waiter = waiter;
    run._state = state;
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
   * it) is ignored here, and only here: returns false. `now`: a readiness source's wake that
   * brings much work (see ReadinessSource): the slice runs in a microtask, never batched.
   */
  _wake(task: Task, waiter: Waiter, value: unknown, failed = false, now = false): boolean {
    if (task._run?._waiter !== waiter) return false;
    const ioWaiters = waiter.io === true ? this.#externalWaits : 0;
    this.#endWait(task, waiter);
    if (failed) this.#throwInto(task, value);
    else this.#makeReady(task, value);
    this.#schedule(ioWaiters, now);
    return true;
  }

  #endWait(task: Task, waiter: Waiter): void {
    const run = task._run!;
    run._waiter = null;
    if (waiter.external === true) {
      this.#externalWaits--;
      if (waiter.keepAlive === true) this.#keepAliveWaits--;
    }
    const timer = run._timer;
    if (timer !== null && timer._index >= 0) this.#timers._remove(timer);
  }

  /**
   * @internal The one cancel path: raise `err` in `target` now if it is blocked (its wait is
   * withdrawn), else at its next blocking trap. Inside `disableCancellation` it waits too,
   * unless `force` (a timeout set inside the shield, or the last resort of shutdown).
   */
  _requestCancel(target: Task, err: unknown, force = false): void {
    const run = target._run!;
    const waiter = run._waiter;
    if (waiter !== null && (force || (target._flags & TaskFlag.SHIELDED) === 0)) {
      this.#endWait(target, waiter);
      waiter.withdraw(target);
      this.#throwInto(target, err);
    } else if (run._pendingCancel === undefined) {
      run._pendingCancel = err;
    }
  }

  // At a blocking trap: raise a pending cancel or an expired timeoutAfter deadline, if any.
  #deliverPending(task: Task): boolean {
    const run = task._run!;
    const pending = run._pendingCancel;
    if (pending !== undefined && (task._flags & TaskFlag.SHIELDED) === 0) {
      run._pendingCancel = undefined;
      this.#throwInto(task, pending);
      return true;
    }
    const timeout = scopeExpired(task, this.#now);
    if (timeout === undefined) return false;
    this.#throwInto(task, timeout);
    return true;
  }

  /** @internal Cancel every task; `force`: even in disableCancellation (shutdown's last resort). */
  _cancelAll(force = false): void {
    for (const task of this._live._list().reverse()) {
      const err = kernelError(CancelledError, `${task.name} cancelled by kernel shutdown`);
      this._requestCancel(task, err, force);
    }
  }

  // ---- the end of a task --------------------------------------------------------------

  #terminate(task: Task, outcome: unknown, failed: boolean): void {
    const flags = task._flags;
    task._flags = (flags & TaskFlag.DAEMON) | TaskFlag.TERMINATED | (failed ? TaskFlag.FAILED : 0);
    task._outcome = outcome; // in place of its generator
    // Unlisted, it ended in its first step as a submit: with no child (a spawn ends a step).
    const run = (flags & TaskFlag.UNLISTED) === 0 ? this._live._remove(task) : task._run!;
    const watcher = task._watcher;
    if (failed || this._activations !== null) this.#told(task, outcome, failed, watcher);
    if (run._joiners !== null) wakeJoiners(this.#kernel, task, failed);
    watcher?._taskDone(task);
    if (run._firstChild === null) {
      task._run = null; // nor its links or timer
      run._reset();
      this.#spareRun = run;
    }
    if (this.#crashes.waiting) this.#crashes.ended(task);
    if (this.#shuttingDown) {
      if (this._live._count === 0) this.#finish(true, undefined);
    } else if ((flags & TaskFlag.DAEMON) === 0 && --this.#jobs === 0) this.#lastJobEnded();
  }

  // The rare part of a task's end, out of line (the common one stays small enough to be
  // inlined into the step): a failure is noted, activations are told.
  #told(task: Task, outcome: unknown, failed: boolean, watcher: TaskWatcher | null): void {
    if (failed) this.#crashes.failed(task, outcome, watcher === null && task !== this.#mainTask);
    if (this._activations !== null) notify(this._activations, 'terminated', task);
  }

  // The last non-daemon task ended: run settles (runForever goes on serving).
  #lastJobEnded(): void {
    if (!this.#running || this.#forever) return;
    const main = this.#mainTask;
    this.#mainTask = null;
    if (main === null) this.#finish(true, undefined);
    else this.#finish((main._flags & TaskFlag.FAILED) === 0, main._outcome);
  }

  /** @internal Log now that `task` failed with `err`: nobody will see it (once per failure). */
  _reportCrash(task: Task, err: unknown): void {
    this.#crashes.report(task, err);
  }
}
