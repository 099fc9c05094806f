import type { Kernel } from './kernel.js';
import { KernelQueue } from './kqueue.js';
import type { Unjoined } from './reports.js';
import type { Coro } from './trap.js';
import { cancelTask, joinTaskOrEnded } from './traps.js';
import { checkTimeout } from './validate.js';

/** Options of `Task.cancel`, `Task.cancelChildren` and `cancelTask`. */
export interface CancelOptions {
  /** Give up waiting for the task to end after this many ms (raises `TaskTimeout`). */
  timeout?: number | null;
  /** Error to raise in the task: an error class or an instance. Default `CancelledError`. */
  exc?: (new (message?: string) => unknown) | Error;
}

/** Options of waits that accept a timeout. */
export interface TimeoutOptions {
  /** Raise `TaskTimeout` if the wait lasts longer than this many ms. `null` waits forever. */
  timeout?: number | null;
}

/**
 * @internal What a blocked task waits on: a `KernelQueue`, the sleeping state, or something
 * outside the kernel (I/O readiness, a promise, a signal). The kernel's one cancel path:
 * on cancel or timeout it calls `withdraw`, after which the waiter never wakes the task.
 * A wake goes through `Kernel._wake(task, waiter, ...)`, which ignores a waiter the task no
 * longer waits on (see docs/internals.md, "exactly one wake per wait").
 */
export interface Waiter {
  /** Undo the wait of `task` (it was cancelled or timed out). */
  withdraw(task: Task): void;
  /** Waits on something outside the kernel: the kernel is not deadlocked while one is pending. */
  readonly external?: boolean;
  /** Of those, a wait no host handle keeps alive (signals): the kernel holds the host open. */
  readonly keepAlive?: boolean;
  /** Woken by I/O readiness: wake-ups of one poll share a slice when many tasks wait. */
  readonly io?: boolean;
  /** The source may still fire after `withdraw` (a promise cannot be unsubscribed). */
  readonly lateWakes?: boolean;
}

/**
 * @internal Told when a task it watches ends (a TaskGroup watches its tasks). A watched
 * task's crash is the watcher's to report, not the kernel's.
 */
export interface TaskWatcher {
  _taskDone(task: Task): void;
  /** The kernel stopped (or shut down) before the task ended. */
  _kernelStopped?(task: Task): void;
}

const NO_CHILDREN: ReadonlySet<Task> = new Set();

/** @internal Bits of `Task._flags`. */
// biome-ignore lint/suspicious/noConstEnum: internal to this package; inlined by the build.
export const enum TaskFlag {
  DAEMON = 1,
  TERMINATED = 2,
  FAILED = 4,
  SEND_EXC = 8, // `_run._send` is an error to throw at the next resume
  SHIELDED = 16, // inside disableCancellation: cancels and timeoutAfter deadlines wait
  UNLISTED = 32, // submitted, in its first step: not yet among the live tasks (see LiveTasks)
}

/**
 * @internal A task's timer and timeoutAfter state, made on first use and kept: tasks that
 * never wait with a deadline do not pay for it. Invariant: in the kernel's heap iff
 * `_index >= 0` (the heap keeps its deadline; ties go by `_seq`).
 */
export class TimerSlot {
  _trapDeadline = Infinity;
  _scopeDeadline = Infinity;
  _scopeToken: unknown;
  _seq = 0;
  _index = -1;
  readonly _task: Task;
  constructor(task: Task) {
    this._task = task; // not a parameter property: see TaskRun
  }
}

/** @internal Rarely used task state, made on first use. */
export interface TaskExtras {
  name: string | undefined;
  where: Error | undefined;
  runTime: number;
  shieldDepth: number;
  shieldSaved: { prevDeadline: number; prevToken: unknown } | null;
  /** TaskLocal values, shared with the parent until either sets one (copy on write). */
  locals: Map<object, unknown> | undefined;
  /** Debug mode: `file:line` of the call that spawned the task. */
  spawnSite: string | undefined;
  /** Its failure, while nobody has joined it and it is not yet logged (see reports.ts). */
  unjoined: Unjoined | undefined;
}

/**
 * @internal What a task needs only while it runs: made with the task, let go when it ends (a
 * finished task keeps its result, not its links or timer; its generator, a field of the task,
 * is let go of too), then reused, cleared, by the next task the kernel makes.
 */
export class TaskRun {
  // Fields are assigned in the constructor only (`declare`; `_reset` assigns most of them, in
  // the same order every time), as in Trap: no initializer function runs per task.
  /** what `Task.state` reads while the task runs */
  declare _state: string;
  /** what the task is blocked on; null when not blocked */
  declare _waiter: Waiter | null;
  /** the value (or error, with SEND_EXC) for the task's next resume */
  declare _send: unknown;
  /** the next task in the ready queue (the scheduler's link only) */
  declare _readyNext: Task | null;
  /** a cancellation waiting for the next blocking trap */
  declare _pendingCancel: unknown;
  declare _timer: TimerSlot | null;
  /** the previous and next task in the KernelQueue the task waits in (the queue's links only) */
  declare _qPrev: Task | null;
  declare _qNext: Task | null;
  /** tasks waiting in join or cancel */
  declare _joiners: KernelQueue | null;
  /** newest child; children link through _nextSibling (see LiveTasks) */
  declare _firstChild: Task | null;
  declare _prevSibling: Task | null;
  declare _nextSibling: Task | null;
  constructor() {
    this._reset();
    this._readyNext = null;
    this._qPrev = null;
    this._qNext = null;
    this._firstChild = null;
    this._prevSibling = null;
    this._nextSibling = null;
  }

  /**
   * Start afresh: let go of what an ended task held (its timer, joiners, a cancel it never
   * reached), for the next task made to reuse. Its links are null
   * already: an ended task is in no queue and, when its run state is let go of, has no children.
   */
  _reset(): void {
    this._state = 'INITIAL';
    this._waiter = null;
    this._send = undefined;
    this._pendingCancel = undefined;
    this._timer = null;
    this._joiners = null;
  }
}

let nextId = 1;

// The last kernel made, with a task (its run state, timer slot and join queue) and a trap that
// never run. V8 lets go of an object layout (hidden class) once no object of it is alive, and
// gives the next object a new one. A program that runs one kernel after another (a test suite,
// `run` in a loop, a benchmark's warm-up then its run) would otherwise lose, at each new kernel,
// the code optimized for the old layouts (`--trace-deopt`: "weak objects"), and after a few
// kernels the new code stayed slow: submit round trips ran at half speed from the 7th kernel on,
// and a run after a warm-up run was ~1.1-1.4x slower. Kept from the first kernel's constructor
// on: the kept task's `_kernel`, stored again for each new kernel, is then a field V8 knows to
// change before any code is optimized (done at the first kernel's shutdown, that store threw
// away the code optimized for tasks during its run: ~10 functions, optimized again in the next).
let kept: { task: Task; trap: Coro } | undefined;

/** @internal The generator of `task`, which has not ended (see `Task._outcome`). */
export function coroOf(task: Task): Coro {
  return task._outcome as Coro;
}

/** @internal Keep `kernel`, just made, and the layouts of its tasks (see `kept`). */
export function keepLayouts(kernel: Kernel): void {
  if (kept === undefined) {
    const run = new TaskRun();
    const task = new Task(kernel, run, null as never, true, undefined, null);
    nextId--; // it takes no id from the tasks that run
    run._timer = new TimerSlot(task);
    run._joiners = new KernelQueue();
    const trap = task.join();
    // A trap's answer may be any value, a small integer too: store one now, before any code is
    // optimized. Else the first such answer (a join of a task that returned 1, after thousands of
    // spawns answered with a Task) changed the field's representation mid-run and threw away the
    // scheduler's optimized step and loop.
    (trap as unknown as { value: unknown }).value = 0;
    task._outcome = 0; // the same for a task's outcome, a field that held a generator before
    kept = { task, trap };
  }
  kept.task._kernel = kernel;
}

/**
 * A task: a coroutine run by a kernel. Made by `newTask` (or `Kernel.addTask`), never by
 * `new Task`.
 * @example
 * ```ts run
 * import { newTask, run, sleep } from '@curio/kernel';
 *
 * function* worker() {
 *   yield* sleep(10);
 *   return 42;
 * }
 *
 * await run(function* () {
 *   const t = yield* newTask(worker(), { name: 'worker' });
 *   console.log(t.name, t.state); // worker SLEEP
 *   console.log(yield* t.join()); // 42
 * }());
 * ```
 */
export class Task<T = unknown> {
  // Only what a task keeps once it has ended is a field here (a finished task is what a program
  // holds on to, often by the thousand): what it needs only while it runs is in `_run`.
  /** The task's integer id, unique in this process. */
  declare readonly id: number;
  /** Number of times the task has been resumed. */
  declare cycles: number;

  /** @internal TaskFlag bits */ declare _flags: number;
  /**
   * @internal While the task runs: its generator (see `coroOf`). Once ended: its result, or its
   * error when FAILED (the generator is let go of). Read as an outcome only once `terminated`.
   */
  declare _outcome: unknown;
  /** @internal */ declare _kernel: Kernel;
  /** @internal the task that spawned it (kept once it ends, for crash reports) */
  declare _parent: Task | null;
  /** @internal told when the task ends (a TaskGroup, a submit); kept once it ends */
  declare _watcher: TaskWatcher | null;
  /** @internal */ declare _extras: TaskExtras | null;
  /**
   * @internal The task's state while it runs; null once it has ended (kept only while it has
   * children still running, whose sibling links it holds).
   */
  declare _run: TaskRun | null;

  /** @internal */
  constructor(
    kernel: Kernel,
    run: TaskRun,
    coro: Coro,
    daemon: boolean,
    name: string | undefined,
    parent: Task | null,
  ) {
    this.id = nextId++;
    this.cycles = 0;
    this._flags = daemon ? TaskFlag.DAEMON : 0;
    // A field of the task, not of its reused run state: a new generator stored into an old
    // object costs a write barrier, and one field serves the generator and then the outcome.
    this._outcome = coro;
    this._kernel = kernel;
    this._parent = parent;
    this._watcher = null;
    this._extras = null;
    this._run = run;
    if (name !== undefined) this._extra().name = name;
  }

  /** Readable name of the task's current state (`'READY'`, `'SLEEP'`, `'TASK_JOIN'`, ...). */
  get state(): string {
    return this.terminated ? 'TERMINATED' : this._run!._state;
  }

  /**
   * The coroutine the task runs. Once the task has ended its coroutine is released (a finished
   * task keeps its result, not its generator and what that holds) and this is a finished
   * stand-in coroutine.
   */
  get coro(): Coro<T> {
    return (this.terminated ? endedCoro() : coroOf(this)) as Coro<T>;
  }

  /**
   * The task that spawned this one, while both run; `null` for a daemon or a top-level task
   * (made by `run`, `addTask` or `submit`).
   */
  get parent(): Task | null {
    return this.terminated ? null : this._parent;
  }

  /** True for a daemon task: no parent, does not keep the kernel running. */
  get daemon(): boolean {
    return (this._flags & TaskFlag.DAEMON) !== 0;
  }

  /** True once the task has ended. */
  get terminated(): boolean {
    return (this._flags & TaskFlag.TERMINATED) !== 0;
  }

  /** The error the task ended with (a `CancelledError` if cancelled), or `undefined`. */
  get excInfo(): unknown {
    return (this._flags & TaskFlag.FAILED) !== 0 ? this._outcome : undefined;
  }

  /** @internal */
  _extra(): TaskExtras {
    if (this._extras === null)
      this._extras = {
        name: undefined,
        where: undefined,
        runTime: 0,
        shieldDepth: 0,
        shieldSaved: null,
        locals: undefined,
        spawnSite: undefined,
        unjoined: undefined,
      };
    return this._extras;
  }

  /**
   * The `name` option given at spawn. Without one, in debug mode and while the monitor runs,
   * the name of the generator function the task runs (`function* fetchUser` gives
   * `fetchUser`, read from the task's first recorded stack); a task that failed, the name read
   * from its error's stack; else `task-<id>`.
   */
  get name(): string {
    return this._extras?.name ?? `task-${this.id}`;
  }

  /**
   * Where the task was spawned: `file:line` of the `newTask`, `spawn` or `run` call that made
   * it, recorded in debug mode (see {@link KernelOptions.debug}); else `undefined`.
   */
  get spawnSite(): string | undefined {
    return this._extras?.spawnSite;
  }

  /** The immediate children still running, oldest first: a snapshot taken when read. */
  get children(): ReadonlySet<Task> {
    const first = this._run?._firstChild;
    if (!first) return NO_CHILDREN;
    const newestFirst: Task[] = [];
    for (let c: Task | null = first; c !== null; c = c._run!._nextSibling) newestFirst.push(c);
    return new Set(newestFirst.reverse());
  }

  /**
   * The stack of the task's last trap call (where it blocks): from the code that issued the
   * trap down to the scheduler, recorded only in debug mode and while the kernel's monitoring
   * is on (see `Kernel.setMonitoring`); else `undefined`. The monitor's `where` shows the task's
   * frames.
   */
  get where(): string | undefined {
    const stack = this._extras?.where?.stack;
    return stack?.slice(stack.indexOf('\n') + 1);
  }

  /** Milliseconds the task has spent running, counted only while monitoring is on. */
  get runTime(): number {
    return this._extras?.runTime ?? 0;
  }

  /**
   * Wait for the task to end and return its result. Raises `TaskError` (its `cause` is the
   * task's error) if the task failed or was cancelled. Joining a task that has already ended
   * answers at once, as in curio: it is not a switch point (nor a cancellation point).
   * @example
   * import type { Task } from '@curio/kernel';
   *
   * function* resultOf(task: Task<number>) {
   *   return yield* task.join({ timeout: 1000 }); // TaskError if it failed, TaskTimeout after 1 s
   * }
   */
  join(options?: TimeoutOptions): Coro<T> {
    return joinTaskOrEnded(this, options);
  }

  /**
   * Cancel the task: raise `exc` (default `CancelledError`) at its blocking point and wait
   * until it has ended. A task that is ready to run gets it at its next blocking operation.
   * @example
   * import type { Task } from '@curio/kernel';
   *
   * function* stop(task: Task) {
   *   yield* task.cancel(); // returns once the task has ended
   * }
   */
  cancel(options?: CancelOptions): Coro<void> {
    return cancelTask(this, options);
  }

  /**
   * Cancel every immediate child of this task, one after another, waiting for each to end.
   * `timeout` bounds the whole operation.
   * @example
   * import type { Task } from '@curio/kernel';
   *
   * function* stopChildren(task: Task) {
   *   yield* task.cancelChildren(); // Python: cancel_children
   * }
   */
  *cancelChildren(options?: CancelOptions): Coro<void> {
    const timeout = checkTimeout('Task.cancelChildren', options?.timeout);
    const kernel = this._kernel;
    const deadline = timeout === undefined ? undefined : kernel.selector.now() + timeout;
    for (const child of [...this.children]) {
      const left =
        deadline === undefined ? undefined : Math.max(0, deadline - kernel.selector.now());
      yield* cancelTask(child, { exc: options?.exc, timeout: left });
    }
  }

  /** A short description for logs: `Task(3, worker, SLEEP)`. */
  toString(): string {
    return `Task(${this.id}, ${this.name}, ${this.state})`;
  }
}

/**
 * @internal Let `console.log(task)` / `util.inspect(task)` (Node) show a task as
 * `Task { id, name, state }`. Installed by the first kernel made: a computed method on the
 * class would keep `Task` in every bundle that imports a trap.
 */
export function installTaskInspect(): void {
  const proto = Task.prototype as unknown as Record<symbol, unknown>;
  const key = Symbol.for('nodejs.util.inspect.custom');
  proto[key] ??= function (this: Task): string {
    return `Task { id: ${this.id}, name: ${JSON.stringify(this.name)}, state: ${JSON.stringify(this.state)} }`;
  };
}

let ended: Coro<unknown> | undefined;
// The stand-in coroutine of an ended task: made once, on first use, already finished.
function endedCoro(): Coro<unknown> {
  if (ended === undefined) {
    ended = (function* (): Coro<undefined> {})();
    ended.next();
  }
  return ended;
}
