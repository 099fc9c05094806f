// What the kernel tells the user when something goes wrong: the deadlock report, a crash
// nobody saw, and the printed form of a task's failure.
//
// The printed form: the error's message and its own frames (the kernel's and the generator
// machinery's left out: the original error, a TaskError's `cause`, keeps them all), then the
// chain of tasks from the one that failed up to its root, one line each.
//
// One report per failure. A failed task's error belongs to whoever joins it (`join`,
// `joinTask`, a TaskGroup, a submit's promise): they get it as a TaskError, and the kernel
// says nothing. If nobody waits for the task when it fails, the kernel waits until nobody can
// join it any more, then logs it once:
// - a daemon (fire and forget, no parent) at once;
// - a child when its parent ends without having joined it, a top-level task when the kernel
//   finishes (`run` returns), or either as soon as its Task object is garbage-collected
//   (then nobody holds it to join it).
import { CancelledError, CurioError, kernelError, TaskError } from './errors.js';
import { host } from './host.js';
import { siteOf, userFrame, userStack } from './stacks.js';
import type { Task } from './task.js';
import { describe } from './validate.js';

/** @internal Every task is blocked and nothing can wake them: name (up to) ten of them. */
export function deadlockError(tasks: Task[]): CurioError {
  const blocked = tasks
    .slice(0, 10)
    .map((t) => {
      const frame = userFrame(t._extras?.where?.stack);
      return `${t.name} (${t.state}${frame === undefined ? '' : ` at ${siteOf(frame)}`})`;
    })
    .join(', ');
  return new CurioError(`deadlock: every task is blocked and nothing can wake them: ${blocked}`);
}

/** @internal `task 3 (child), spawned at /app/main.js:12`. */
export function taskLine(task: Task): string {
  const site = task.spawnSite;
  return `task ${task.id} (${task.name})${site === undefined ? '' : `, spawned at ${site}`}`;
}

// A TaskError made by failureError knows the task whose failure it reports.
type Failure = TaskError & { _task?: Task };

/** @internal The printed form of `err`, the error `task` failed with. */
export function printedForm(err: unknown, task: Task | null): string {
  // A TaskError raised by a join: the failure it reports is further in.
  let cause = err;
  for (let e = err as Failure; e instanceof TaskError && e._task !== undefined; ) {
    task = e._task;
    cause = e.cause;
    e = cause as Failure;
  }
  const lines = [cause instanceof Error ? userStack(cause) : `${describe(cause)} (not an Error)`];
  for (let c = (cause as Error)?.cause, n = 0; c instanceof Error && n < 5; c = c.cause, n++) {
    lines.push(`  [cause]: ${userStack(c).replaceAll('\n', '\n  ')}`);
  }
  for (let t = task; t !== null; t = t._parent) lines.push(`    in ${taskLine(t)}`);
  return lines.join('\n');
}

// A TaskError (or a logged error's view) prints its printed form: stack, toString, inspect.
function printed(this: { _printed?: string; _task?: Task }): string {
  this._printed ??= printedForm(this, this._task ?? null);
  return this._printed;
}
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const PRINTED: PropertyDescriptorMap = {
  stack: {
    get: printed,
    set(this: object, value: unknown) {
      Object.defineProperty(this, 'stack', { value, writable: true, configurable: true });
    },
    configurable: true,
  },
  toString: { value: printed, writable: true, configurable: true },
  [INSPECT]: { value: printed, configurable: true },
};

/**
 * @internal The TaskError `join` raises for `target`'s failure (its `cause` is the task's own
 * error). Whoever gets it has the failure: the kernel will not log it.
 */
export function failureError(target: Task): TaskError {
  claim(target);
  const cause = target._outcome;
  const what = cause instanceof Error ? `${cause.name}: ${cause.message}` : describe(cause);
  const err: Failure = kernelError(TaskError, `${target.name} failed: ${what}`, { cause });
  err._task = target;
  return Object.defineProperties(err, PRINTED);
}

// A view of a failed task's error to log: the error itself (its message, cause, class) printed
// in its printed form.
function view(task: Task, err: unknown): object {
  const printable = Object.create(err !== null && typeof err === 'object' ? err : null);
  printable._printed = printedForm(err, task);
  return Object.defineProperties(printable, PRINTED);
}

// A failure nobody has joined yet, logged when nobody can any more (once).
/** @internal */
export interface Unjoined {
  readonly header: string;
  readonly error: object;
  readonly pending: Set<Unjoined>;
}

let collected: FinalizationRegistry<Unjoined> | undefined;

function log(report: Unjoined): void {
  report.pending.delete(report);
  collected?.unregister(report);
  host.console?.error(report.header, report.error);
}

// Someone has the failure of `task` (a join, a group): it will not be logged.
function claim(task: Task): void {
  const report = task._extras?.unjoined;
  if (report === undefined) return;
  task._extras!.unjoined = undefined;
  report.pending.delete(report);
  collected?.unregister(report);
}

/** @internal The kernel's crash reports: failures nobody joined (see the module comment). */
export class Crashes {
  /** Log crashes (`run(..., { logErrors })`). */
  log = true;
  /** Break into the debugger at a crash nobody waits for (`run(..., { pdb })`). */
  pdb = false;
  // Failures not yet joined, by the parent whose end reports them (null: the kernel's end).
  readonly #byParent = new Map<Task | null, Set<Unjoined>>();

  /** True while a failure waits to be reported (checked as each task ends). */
  get waiting(): boolean {
    return this.#byParent.size > 0;
  }

  /** `task` ended with `err` and is not watched (by a group or a submit). */
  failed(task: Task, err: unknown): void {
    if (err instanceof CancelledError) return;
    for (let t = task._joiners?._head ?? null; t !== null; t = t._qNext) {
      if (t.state === 'TASK_JOIN') return; // the joiner gets it
    }
    if (task.daemon) {
      this.report(task, err);
      return;
    }
    this.#breakHere();
    if (!this.log) return;
    const parent = task._parent;
    let pending = this.#byParent.get(parent);
    if (pending === undefined) this.#byParent.set(parent, (pending = new Set()));
    const report = { header: crashHeader(task), error: view(task, err), pending };
    pending.add(report);
    task._extra().unjoined = report;
    if (typeof FinalizationRegistry === 'function') {
      collected ??= new FinalizationRegistry(log);
      collected.register(task, report, report);
    }
  }

  /** `task` ended: log the failures of its children that it never joined. */
  ended(task: Task): void {
    const pending = this.#byParent.get(task);
    if (pending === undefined) return;
    this.#byParent.delete(task);
    for (const report of pending) log(report);
  }

  /** The kernel finished: log every failure still waiting. */
  finish(): void {
    for (const task of [...this.#byParent.keys()]) this.ended(task as Task);
  }

  /** Log `task`'s failure now: nobody will see it (once per failure). */
  report(task: Task, err: unknown): void {
    claim(task);
    this.#breakHere();
    if (this.log) host.console?.error(crashHeader(task), view(task, err));
  }

  #breakHere(): void {
    if (this.pdb) {
      // biome-ignore lint/suspicious/noDebugger: run(coro, { pdb: true }) asks to break here.
      debugger;
    }
  }
}

function crashHeader(task: Task): string {
  return `curio: task ${task.id} (${task.name}) crashed:`;
}
