import { CancelledError, CurioError, kernelError, TaskError, TaskTimeout } from './errors.js';
import { afterIO, host, hostNow, soon, yieldToHost } from './host.js';
import { KernelQueue } from './kqueue.js';
import { loadMonitor, type MonitorFactory } from './monitor-loader.js';
import { HostSelector, type Selector } from './selector.js';
import { TimerHeap } from './structures.js';
import { Task, TaskFlag, TimerSlot, WaitKind } from './task.js';
import { type Coro, isTrap, type Trap, TrapKind, traceOf, traceTraps } from './trap.js';
import type { SpawnOptions } from './traps.js';
import { checkSpawnOptions } from './traps.js';
import { checkCoroutine, checkOptions, describe } from './validate.js';

/** Options of `new Kernel()`. */
export interface KernelOptions {
  /** Source of time and timer wake-ups. Default: {@link HostSelector}. */
  selector?: Selector;
  /**
   * Run the monitor in the background: `true` loads the `@curio/monitor` package as seen
   * from the kernel, then from the program's entry script, never from the working directory
   * (a clear error names it when it is not installed); or pass a monitor factory yourself.
   */
  withMonitor?: boolean | MonitorFactory;
}

/** Options of `Kernel.run` and `run`. */
export interface RunOptions {
  /** Break into an attached debugger (a `debugger` statement) when a task crashes. */
  pdb?: boolean;
  /** Log tasks that crash with an uncaught error, with their name and stack. Default true. */
  logErrors?: boolean;
}

// Steps between looks at the clock (timer expiry and the host's turn).
const CHECK_EVERY = 64;
// Longest stretch of task steps before the host gets a turn (I/O callbacks, timers).
const SLICE_MS = 1;
// With at least this many tasks waiting outside the kernel, a wake-up by I/O readiness waits
// for the rest of the host's pending I/O events, so that the tasks they wake share one slice
// (one host callback instead of one per event). With fewer, it runs at once, in a microtask:
// a lone stream is not worth an extra turn of the host's event loop.
const BATCH_WAITERS = 8;

// Trap kinds that may block: a pending cancellation or an expired timeout is delivered there.
const BLOCKING: readonly boolean[] = [];
for (const k of [
  TrapKind.SLEEP,
  TrapKind.JOIN,
  TrapKind.CANCEL,
  TrapKind.READ_WAIT,
  TrapKind.WRITE_WAIT,
  TrapKind.FUTURE_WAIT,
  TrapKind.QUEUE_WAIT,
  TrapKind.SIGWAIT,
]) {
  (BLOCKING as boolean[])[k] = true;
}

/**
 * @internal Something outside the kernel a task waits on (I/O readiness, a promise, a signal):
 * `withdraw` undoes the wait on cancel or timeout; `keepAlive` holds the host's event loop
 * open while a task waits (for waits that no host handle keeps alive, like signals).
 */
export interface ExternalWait {
  withdraw(task: Task): void;
  readonly keepAlive?: boolean;
}

/** A timeoutAfter scope, as the kernel records it on the task. @internal */
export interface TimeoutScope {
  prevDeadline: number;
  prevToken: unknown;
}

// The kernel whose tasks are running right now (inside a slice), if any.
let activeKernel: Kernel | null = null;

/**
 * @internal Refuse to start a kernel from inside a running task: the inner kernel would
 * block nothing and its failures would escape as unhandled rejections (curio refuses too).
 */
export function refuseNestedRun(fn: string): void {
  if (activeKernel !== null) {
    throw new CurioError(
      `${fn}: called from inside a running task; a task cannot start a nested kernel (call the coroutine with yield*, or start it with yield* newTask(coro))`,
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
  // The ready queue, linked through Task._qNext (a ready task waits on no KernelQueue).
  // Invariant: every task in it has _waitKind NONE and appears there once.
  #readyHead: Task | null = null;
  #readyTail: Task | null = null;
  // Invariant: a task is in `timers` iff it is blocked with a finite deadline.
  readonly #timers = new TimerHeap();
  // Every task that has not ended, by id.
  // Invariant: liveHead.._nextLive links the liveCount tasks that have not ended, oldest first.
  #liveHead: Task | null = null;
  #liveTail: Task | null = null;
  #liveCount = 0;
  #running = false;
  #inSlice = false;
  #scheduled = false;
  #interrupt = false;
  #stopRequested = false;
  #shuttingDown = false;
  #jobs = 0; // non-daemon tasks not yet ended
  #externalWaits = 0; // tasks blocked on I/O, promises or signals
  #keepAliveWaits = 0; // of those, waits no host handle keeps alive
  #keepAlive: unknown = undefined;
  #mainTask: Task | null = null;
  #settle: ((ok: boolean, value: unknown) => void) | null = null;
  #logErrors = true;
  #monitoring = false;
  #pdb = false;
  readonly #cleanups: (() => void)[] = [];

  constructor(options?: KernelOptions) {
    checkOptions('new Kernel(options)', options);
    const selector = options?.selector;
    if (
      selector !== undefined &&
      (typeof selector?.now !== 'function' || typeof selector.wait !== 'function')
    ) {
      throw new TypeError(
        `new Kernel(options): options.selector must implement Selector (now, wait, cancelWait), got ${describe(selector)}`,
      );
    }
    this.selector = selector ?? new HostSelector();
    this.#monitor = options?.withMonitor ?? false;
  }

  /** Every task of this kernel that has not ended, by id (for monitors and debugging). */
  get tasks(): ReadonlyMap<number, Task> {
    const table = new Map<number, Task>();
    for (let t = this.#liveHead; t !== null; t = t._nextLive) table.set(t.id, t);
    return table;
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
    if (this.#monitor !== false && !this.#monitorStarted) await this.#startMonitor();
    if (coro !== undefined) this.#mainTask = this._spawn(coro as Coro, false, undefined, null);
    return new Promise<T>((resolve, reject) => {
      if (this.#jobs === 0) return resolve(undefined as T);
      this.#settle = (ok, value) => (ok ? resolve(value as T) : reject(value));
      this.#running = true;
      this.#interrupt = false;
      this.#stopRequested = false;
      this.#schedule();
    });
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

  /** Ask the kernel to stop: `run` returns once the running task yields. */
  stop(): void {
    this.#stopRequested = true;
    this.#interrupt = true;
    if (this.#running && !this.#inSlice) this.#schedule();
  }

  /**
   * Cancel every remaining task, daemons included, and resolve when all have ended.
   * Refused while the kernel is running.
   * @example
   * await kernel.shutdown();
   */
  async shutdown(): Promise<void> {
    if (this.#running) throw new CurioError('Kernel.shutdown: refused while the kernel is running');
    if (this.#liveCount > 0) {
      this.#shuttingDown = true;
      try {
        this.#cancelAll();
        await new Promise<void>((resolve, reject) => {
          this.#settle = (ok, value) => (ok ? resolve() : reject(value));
          this.#running = true;
          this.#interrupt = false;
          this.#schedule();
        });
      } finally {
        this.#shuttingDown = false;
      }
    }
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#setKeepAlive(false);
  }

  // ---- scheduling -------------------------------------------------------------------

  /** @internal Make a task of `coro`, ready to run. */
  _spawn(coro: Coro, daemon: boolean, name: string | undefined, parent: Task | null): Task {
    const task = new Task(this, coro, daemon, name, parent);
    task._prevLive = this.#liveTail;
    if (this.#liveTail === null) this.#liveHead = task;
    else this.#liveTail._nextLive = task;
    this.#liveTail = task;
    this.#liveCount++;
    if (!daemon) this.#jobs++;
    if (parent !== null) {
      const first = parent._firstChild;
      task._nextSibling = first;
      if (first !== null) first._prevSibling = task;
      parent._firstChild = task;
    }
    task.state = 'READY';
    this.#pushReady(task);
    return task;
  }

  // Run a slice soon: at once after the current host callback, or with `batch`, after the
  // host's pending I/O events (see BATCH_WAITERS).
  #schedule(batch = false): void {
    if (this.#inSlice || this.#scheduled || !this.#running) return;
    this.#scheduled = true;
    this.selector.cancelWait();
    (batch ? afterIO : soon)(this.#runSlice);
  }

  readonly #runSlice = (): void => {
    this.#scheduled = false;
    if (!this.#running) return;
    this.#inSlice = true;
    const outer = activeKernel;
    activeKernel = this;
    try {
      this.#loop();
    } finally {
      this.#inSlice = false;
      activeKernel = outer;
    }
  };

  // The scheduler: take a ready task, resume it, handle the trap it yields.
  #loop(): void {
    const timers = this.#timers;
    // The slice's clock starts at its second step: a lone wake-up reads no clock.
    let start = -1;
    let untilCheck = CHECK_EVERY;
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
        if ((this.#readyHead = task._qNext) === null) this.#readyTail = null;
        task._qNext = null;
        if (start < 0 && untilCheck !== CHECK_EVERY) start = hostNow();
        if (this.#monitoring) this.#monitoredStep(task);
        else this.#step(task);
        if (--untilCheck === 0) {
          untilCheck = CHECK_EVERY;
          if (timers.size > 0) this.#expireTimers();
          if (hostNow() - start >= SLICE_MS) {
            this.#scheduled = true;
            yieldToHost(this.#runSlice);
            return;
          }
        }
        continue;
      }
      if (timers.size > 0 && this.#expireTimers()) continue;
      if (this.#idle()) continue;
      return;
    }
  }

  // Nothing is ready. Returns true if the selector advanced time (go on at once).
  #idle(): boolean {
    const deadline = this.#timers.peekDeadline();
    if (deadline === Infinity && this.#externalWaits === 0) {
      if (this.#shuttingDown) {
        this.#cancelAll(true);
        return this.#readyHead !== null;
      }
      this.#deadlock();
      return false;
    }
    if (this.selector.wait(deadline, this.#externalWaits, this.#wakeFromHost)) return true;
    this.#setKeepAlive(this.#keepAliveWaits > 0);
    return false;
  }

  #liveTasks(): Task[] {
    const list: Task[] = [];
    for (let t = this.#liveHead; t !== null; t = t._nextLive) list.push(t);
    return list;
  }

  readonly #wakeFromHost = (): void => {
    this.#schedule();
  };

  #deadlock(): void {
    const blocked = this.#liveTasks()
      .slice(0, 10)
      .map((t) => `${t.name} (${t.state})`)
      .join(', ');
    this.#finish(
      false,
      new CurioError(`deadlock: every task is blocked and nothing can wake them: ${blocked}`),
    );
  }

  #finish(ok: boolean, value: unknown): void {
    this.#running = false;
    this.#interrupt = true;
    this.selector.cancelWait();
    this.#setKeepAlive(false);
    const settle = this.#settle;
    this.#settle = null;
    settle?.(ok, value);
  }

  #setKeepAlive(on: boolean): void {
    if (on && this.#keepAlive === undefined) {
      this.#keepAlive = host.setInterval(() => {}, 1 << 30);
    } else if (!on && this.#keepAlive !== undefined) {
      host.clearInterval(this.#keepAlive);
      this.#keepAlive = undefined;
    }
  }

  #expireTimers(): boolean {
    const timers = this.#timers;
    const now = this.selector.now();
    let fired = false;
    while (timers.peekDeadline() <= now) {
      const slot = timers.pop()!;
      const task = slot.task;
      fired = true;
      if (task._waitKind === WaitKind.SLEEP && slot.trapDeadline <= slot.scopeDeadline) {
        this.#unblock(task);
        this.#makeReady(task, undefined);
      } else {
        const scoped = slot.scopeDeadline <= slot.trapDeadline;
        const err = kernelError(
          TaskTimeout,
          scoped ? 'timeoutAfter: deadline expired' : `${task.state} timed out`,
        );
        if (scoped) err.scope = slot.scopeToken;
        this.#unblock(task);
        this.#throwInto(task, err);
      }
    }
    return fired;
  }

  #makeReady(task: Task, value: unknown): void {
    task._send = value;
    task.state = 'READY';
    this.#pushReady(task);
  }

  #throwInto(task: Task, err: unknown): void {
    task._send = err;
    task._flags |= TaskFlag.SEND_EXC;
    task.state = 'READY';
    this.#pushReady(task);
  }

  #pushReady(task: Task): void {
    const tail = this.#readyTail;
    if (tail === null) this.#readyHead = task;
    else tail._qNext = task;
    this.#readyTail = task;
  }

  // Park `task`: record what it waits on and arm its deadline (trap timeout or scope).
  #block(
    task: Task,
    kind: WaitKind,
    state: string,
    obj: unknown,
    timeout: number | undefined,
  ): void {
    task._waitKind = kind;
    task._waitObj = obj;
    task.state = state;
    const timer = task._timer;
    if (timeout === undefined && (timer === null || timer.scopeDeadline === Infinity)) return;
    const slot = timer ?? (task._timer = new TimerSlot(task));
    const trapDeadline = timeout === undefined ? Infinity : this.selector.now() + timeout;
    slot.trapDeadline = trapDeadline;
    const deadline = Math.min(trapDeadline, slot.scopeDeadline);
    if (deadline !== Infinity) this.#timers.insert(slot, deadline);
  }

  // The one cancel path: withdraw whatever `task` is blocked on. `withdraw` is false when
  // an external wait has already ended by itself (data arrived, the promise settled).
  #unblock(task: Task, withdraw = true): void {
    const obj = task._waitObj;
    switch (task._waitKind) {
      case WaitKind.QUEUE:
        (obj as KernelQueue)._remove(task);
        break;
      case WaitKind.EXTERNAL: {
        const wait = obj as ExternalWait;
        this.#externalWaits--;
        if (wait.keepAlive === true) this.#keepAliveWaits--;
        if (withdraw) wait.withdraw(task);
        break;
      }
    }
    const timer = task._timer;
    if (timer !== null && timer.index >= 0) this.#timers.remove(timer);
    task._waitKind = WaitKind.NONE;
    task._waitObj = null;
  }

  /** @internal Park `task` on something outside the kernel (see `ExternalWait`). */
  _blockExternal(task: Task, state: string, wait: ExternalWait, timeout: number | undefined): void {
    this.#block(task, WaitKind.EXTERNAL, state, wait, timeout);
    this.#externalWaits++;
    if (wait.keepAlive === true) this.#keepAliveWaits++;
  }

  /** @internal Park `task` on `kqueue`, last in line. */
  _blockQueue(task: Task, state: string, kqueue: KernelQueue, timeout: number | undefined): void {
    this.#block(task, WaitKind.QUEUE, state, kqueue, timeout);
    kqueue._push(task);
  }

  /**
   * @internal The external wait of `task` ended: resume it with `value`, or raise it. `io`:
   * woken by I/O readiness (see BATCH_WAITERS).
   */
  _wakeExternal(task: Task, value: unknown, failed: boolean, io = false): void {
    if (task._waitKind !== WaitKind.EXTERNAL) return;
    const batch = io && this.#externalWaits >= BATCH_WAITERS;
    this.#unblock(task, false);
    if (failed) this.#throwInto(task, value);
    else this.#makeReady(task, value);
    this.#schedule(batch);
  }

  /** @internal A trap handler answers at once: `task` goes to the back of the ready queue. */
  _resume(task: Task, value: unknown): void {
    this.#makeReady(task, value);
  }

  /** @internal Run `cleanup` when the kernel shuts down (extensions release host resources). */
  _onShutdown(cleanup: () => void): void {
    this.#cleanups.push(cleanup);
  }

  // ---- running a task ---------------------------------------------------------------

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
      if (!isTrap(trap)) {
        this.#throwInto(
          task,
          new TypeError(
            `${task.name} yielded ${describe(trap)}, which is not a kernel trap: call coroutines with yield*, not yield`,
          ),
        );
        return;
      }
      if (trap.kind >= TrapKind.CURRENT) {
        // Immediate traps (all answered by handlers): the task goes on at once.
        trap.h!(this, task, trap);
        continue;
      }
      this.#dispatch(task, trap);
      return;
    }
  }

  #monitoredStep(task: Task): void {
    const start = hostNow();
    this.#step(task);
    task._extra().runTime += hostNow() - start;
  }

  #dispatch(task: Task, trap: Trap): void {
    const kind = trap.kind;
    if (this.#monitoring) task._extra().where = traceOf(trap);
    if (BLOCKING[kind] === true) {
      const flags = task._flags;
      if ((flags & (TaskFlag.CANCEL | TaskFlag.SHIELDED)) === TaskFlag.CANCEL) {
        const err = task._outcome;
        task._flags &= ~TaskFlag.CANCEL;
        task._outcome = undefined;
        this.#throwInto(task, err);
        return;
      }
      const timer = task._timer;
      if (
        timer !== null &&
        timer.scopeDeadline !== Infinity &&
        this.selector.now() >= timer.scopeDeadline
      ) {
        const err = kernelError(TaskTimeout, 'timeoutAfter: deadline expired');
        err.scope = timer.scopeToken;
        this.#throwInto(task, err);
        return;
      }
    }
    try {
      const handler = trap.h;
      if (handler !== undefined) {
        handler(this, task, trap);
        return;
      }
      switch (kind) {
        case TrapKind.SLEEP: {
          const ms = trap.a as number;
          if (ms === 0) this.#makeReady(task, undefined);
          else this.#block(task, WaitKind.SLEEP, 'SLEEP', null, ms);
          return;
        }
        case TrapKind.JOIN:
          this.#trapJoin(task, trap.a as Task, trap.b as number | undefined);
          return;
        case TrapKind.CANCEL:
          this.#trapCancel(task, trap.a as Task, trap.b as number | undefined, trap.c);
          return;
        default:
          throw new TypeError(`${task.name} yielded an unknown trap kind ${kind}`);
      }
    } catch (err) {
      // A handler refused the request before changing any state: the task gets the error.
      this.#throwInto(task, err);
    }
  }

  #checkOwnTask(fn: string, task: Task, target: Task): void {
    if (target._kernel !== this) {
      throw new CurioError(`${fn}: ${target.name} belongs to another kernel`);
    }
    if (target === task) {
      throw new CurioError(
        `${fn}: ${task.name} cannot ${fn === 'joinTask' ? 'join' : 'cancel'} itself`,
      );
    }
  }

  #trapJoin(task: Task, target: Task, timeout: number | undefined): void {
    this.#checkOwnTask('joinTask', task, target);
    if (target.terminated) {
      this.#deliverJoin(task, target);
      return;
    }
    this._blockQueue(task, 'TASK_JOIN', (target._joiners ??= new KernelQueue()), timeout);
  }

  #deliverJoin(task: Task, target: Task): void {
    if ((target._flags & TaskFlag.FAILED) !== 0) {
      const cause = target._outcome;
      const what = cause instanceof Error ? `${cause.name}: ${cause.message}` : describe(cause);
      this.#throwInto(task, kernelError(TaskError, `${target.name} failed: ${what}`, { cause }));
    } else {
      this.#makeReady(task, target._outcome);
    }
  }

  #trapCancel(task: Task, target: Task, timeout: number | undefined, exc: unknown): void {
    this.#checkOwnTask('cancelTask', task, target);
    if (target.terminated) {
      this.#makeReady(task, undefined);
      return;
    }
    let err: unknown;
    if (exc === undefined) err = kernelError(CancelledError, `${target.name} cancelled`);
    else if (typeof exc === 'function')
      err = kernelError(exc as new (m: string) => unknown, `${target.name} cancelled`);
    else err = exc;
    this.#requestCancel(target, err);
    this._blockQueue(task, 'CANCEL_WAIT', (target._joiners ??= new KernelQueue()), timeout);
  }

  // Deliver `err` now if `target` is blocked, else at its next blocking trap.
  #requestCancel(target: Task, err: unknown, force = false): void {
    const shielded = (target._flags & TaskFlag.SHIELDED) !== 0 && !force;
    if (target._waitKind !== WaitKind.NONE && !shielded) {
      this.#unblock(target);
      this.#throwInto(target, err);
    } else if ((target._flags & TaskFlag.CANCEL) === 0) {
      target._flags |= TaskFlag.CANCEL;
      target._outcome = err;
    }
  }

  // Shutdown cancels every task; `force` also reaches tasks in disableCancellation (used
  // only when nothing else could ever end them).
  #cancelAll(force = false): void {
    for (const task of this.#liveTasks().reverse()) {
      this.#requestCancel(
        task,
        kernelError(CancelledError, `${task.name} cancelled by kernel shutdown`),
        force,
      );
    }
  }

  /**
   * @internal Wake `task`, taken off a kernel queue, with `value` or raising `exc` (an error
   * or an error class). The queue may be shared with another kernel: the task's own wakes it.
   */
  _wakeQueued(task: Task, value: unknown, exc: unknown): void {
    this.#unblock(task);
    if (exc === undefined) this.#makeReady(task, value);
    else this.#throwInto(task, typeof exc === 'function' ? new (exc as new () => unknown)() : exc);
    this.#schedule();
  }

  // ---- ending a task ----------------------------------------------------------------

  #terminate(task: Task, outcome: unknown, failed: boolean): void {
    task.state = 'TERMINATED';
    task._flags =
      (task._flags & TaskFlag.DAEMON) | TaskFlag.TERMINATED | (failed ? TaskFlag.FAILED : 0);
    task._outcome = outcome;
    const timer = task._timer;
    if (timer !== null) timer.scopeDeadline = Infinity;
    const { _prevLive: prevLive, _nextLive: nextLive } = task;
    if (prevLive === null) this.#liveHead = nextLive;
    else prevLive._nextLive = nextLive;
    if (nextLive === null) this.#liveTail = prevLive;
    else nextLive._prevLive = prevLive;
    task._prevLive = task._nextLive = null;
    this.#liveCount--;
    const parent = task._parent;
    if (parent !== null) {
      const { _prevSibling: prev, _nextSibling: next } = task;
      if (prev === null) parent._firstChild = next;
      else prev._nextSibling = next;
      if (next !== null) next._prevSibling = prev;
      task._prevSibling = task._nextSibling = null;
      task._parent = null;
    }
    if (
      failed &&
      !(outcome instanceof CancelledError) &&
      task !== this.#mainTask &&
      task._extras?.group == null
    ) {
      this.#reportCrash(task, outcome);
    }
    const joiners = task._joiners;
    if (joiners !== null) {
      for (let waiter = joiners._shift(); waiter !== null; waiter = joiners._shift()) {
        const cancelling = waiter.state === 'CANCEL_WAIT';
        this.#unblock(waiter);
        if (cancelling) this.#makeReady(waiter, undefined);
        else this.#deliverJoin(waiter, task);
      }
    }
    const group = task._extras?.group;
    if (group != null) group._taskDone(task);
    if (this.#shuttingDown) {
      if (this.#liveCount === 0) this.#finish(true, undefined);
    } else if (!task.daemon && --this.#jobs === 0 && this.#running) {
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

  async #startMonitor(): Promise<void> {
    const factory = await loadMonitor(this.#monitor as true | MonitorFactory);
    this.#monitorStarted = true;
    this._spawn(factory(this), true, 'monitor', null);
  }
}
