// What the kernel tells the user when something goes wrong: the deadlock report, a crash
// nobody saw, and how a task's error reads.
//
// How it reads: when a task fails, its error's `stack` is rewritten to the error's message and
// its own frames (the kernel's and the generator machinery's left out; the whole stack is kept
// on its `fullStack`), then the chain of tasks from the one that failed up to its root, one
// line each. That error is what a crash log prints, what `run` rejects with when `main` fails,
// and the `cause` of the TaskError a `join` raises (a TaskError raised by joining a task that
// failed with one has the same cause: the original error, printed once).
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
import { msg } from './explain.js';
import { host } from './host.js';
import { K31 } from './messages.js';
import { siteOf, taskNameOf, userFrame, userStack } from './stacks.js';
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
  return kernelError(CurioError, msg(K31, blocked));
}

/** @internal `task 3 (child), spawned at /app/main.js:12`. */
export function taskLine(task: Task): string {
  const site = task.spawnSite;
  return `task ${task.id} (${task.name})${site === undefined ? '' : `, spawned at ${site}`}`;
}

// Errors whose stack already shows the task they failed (an error may fail several tasks).
const told = new WeakSet<object>();

// Rewrite `err`'s stack as it should read (see the module comment): `task` failed with it.
function tell(task: Task, err: unknown): void {
  if (!(err instanceof Error) || err instanceof CancelledError || err instanceof TaskError) return;
  if (told.has(err)) return;
  told.add(err);
  // The error's stack was taken in the task: an unnamed task takes its generator's name.
  if (task._extras?.name === undefined) {
    const name = taskNameOf(err.stack);
    if (name !== undefined) task._extra().name = name;
  }
  const lines = [userStack(err)];
  for (let t: Task | null = task; t !== null; t = t._parent) lines.push(`    in ${taskLine(t)}`);
  try {
    Object.defineProperty(err, 'fullStack', {
      value: err.stack,
      configurable: true,
      writable: true,
    });
    err.stack = lines.join('\n');
  } catch {
    // A frozen error keeps its stack.
  }
}

/**
 * @internal The TaskError `join` raises for `target`'s failure: its printed form shows the
 * task's error and the chain of tasks. Its `cause` is the task's own error, or that error's
 * cause when it is a TaskError itself (the failure came from a join). Whoever gets it has the
 * failure: the kernel will not log it.
 */
export function joinFailure(target: Task): TaskError {
  claim(target);
  let cause = target._outcome;
  let what: string;
  if (cause instanceof TaskError) {
    what = cause.message;
    cause = cause.cause;
  } else {
    what = cause instanceof Error ? `${cause.name}: ${cause.message}` : describe(cause);
  }
  return kernelError(TaskError, `${target.name} failed: ${what}`, { cause });
}

// A failure nobody has joined yet, logged when nobody can any more (once).
/** @internal */
export interface Unjoined {
  readonly header: string;
  readonly error: unknown;
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

  /** True while a failure may wait to be reported (checked as each task ends: a field read). */
  waiting = false;

  /**
   * `task` ended with `err`: make the error tell it, and if `unwatched` (no group, no submit,
   * not `main`) and nobody waits to join it, log it once nobody can.
   */
  failed(task: Task, err: unknown, unwatched: boolean): void {
    tell(task, err);
    if (!unwatched || err instanceof CancelledError) return;
    for (let t = task._run?._joiners?._head ?? null; t !== null; t = t._run!._qNext) {
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
    this.waiting = true;
    const report = { header: crashHeader(task), error: err, pending };
    pending.add(report);
    task._extra().unjoined = report;
    if (typeof FinalizationRegistry === 'function') {
      collected ??= new FinalizationRegistry(log);
      collected.register(task, report, report);
    }
  }

  /** `task` ended: log the failures of its children that it never joined. */
  ended(task: Task | null): void {
    const pending = this.#byParent.get(task);
    if (pending === undefined) return;
    this.#byParent.delete(task);
    this.waiting = this.#byParent.size > 0;
    for (const report of pending) log(report);
  }

  /** The kernel finished: log every failure still waiting. */
  finish(): void {
    for (const task of [...this.#byParent.keys()]) this.ended(task);
  }

  /** Log `task`'s failure now: nobody will see it (once per failure). */
  report(task: Task, err: unknown): void {
    claim(task);
    this.#breakHere();
    if (this.log) host.console?.error(crashHeader(task), err);
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
