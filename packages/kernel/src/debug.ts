// curio's debug.py: activations that log what the kernel does. Install them with
// `run(coro, { activations: [...] })` or `new Kernel({ activations: [...] })`.
import type { Activation } from './activations.js';
import { CancelledError } from './errors.js';
import { msg } from './explain.js';
import { host } from './host.js';
import type { Kernel } from './kernel.js';
import { K54, K55, K56 } from './messages.js';
import { userFrame } from './stacks.js';
import { Task } from './task.js';
import { type Trap, traceOf, traceTraps } from './trap.js';
import { checkOptions, describe, isCoroutine } from './validate.js';

/** Options of {@link logcrash}, {@link schedtrace} and {@link traptrace}. */
export interface DebugOptions {
  /** Only the tasks with this name, or one of these names, or for which this returns true. */
  filter?: string | readonly string[] | ((task: Task) => boolean);
  /**
   * Where each line goes. Default: the console (`console.warn` for longblock, `console.error`
   * for logcrash, `console.log` for the traces).
   */
  log?: (line: string) => void;
}

/** Options of {@link longblock}. */
export interface LongblockOptions extends DebugOptions {
  /** Warn when one step of a task runs longer than this many ms. Default 50. */
  maxMs?: number;
}

type Console = 'warn' | 'error' | 'log';

// What every debug activation shares (curio's DebugBase): its filter and its log.
abstract class DebugActivation {
  readonly #filter: (task: Task) => boolean;
  readonly #log: (line: string) => void;

  constructor(fn: string, options: DebugOptions | undefined, level: Console) {
    checkOptions(fn, options);
    const { filter, log } = options ?? {};
    if (log !== undefined && typeof log !== 'function') {
      throw new TypeError(msg(K54, fn, describe(log)));
    }
    this.#filter = checkFilter(fn, filter);
    const console = host.console as Partial<Record<Console, (line: string) => void>> | undefined;
    this.#log = log ?? ((line) => console?.[level]?.(line));
  }

  /** Log `line` about `task` if the filter takes it. */
  protected say(task: Task, line: string): void {
    if (this.#filter(task)) this.#log(`curio: ${line}`);
  }
}

function checkFilter(fn: string, filter: DebugOptions['filter']): (task: Task) => boolean {
  if (filter === undefined) return () => true;
  if (typeof filter === 'function') return filter;
  if (typeof filter === 'string') return (task) => task.name === filter;
  if (Array.isArray(filter) && filter.every((name) => typeof name === 'string')) {
    return (task) => filter.includes(task.name);
  }
  throw new TypeError(msg(K55, fn, describe(filter)));
}

// The kernel's clock, for the traces: virtual time under a VirtualTimeSelector.
function stamp(task: Task): string {
  return `${task._kernel.selector.now().toFixed(3)} ms`;
}

// Record the stack of every kernel call while installed in `kernel` (to name the user's frame).
function traceWhileIn(kernel: Kernel): void {
  traceTraps(1);
  kernel._onShutdown(() => traceTraps(-1));
}

class LongBlock extends DebugActivation {
  readonly #maxMs: number;
  #start = 0; // steps never nest

  constructor(options: LongblockOptions | undefined) {
    super('longblock', options, 'warn');
    const maxMs = options?.maxMs ?? 50;
    if (typeof maxMs !== 'number' || !(maxMs >= 0) || maxMs === Infinity) {
      throw new TypeError(msg(K56, describe(maxMs)));
    }
    this.#maxMs = maxMs;
  }

  activate(kernel: Kernel): void {
    traceWhileIn(kernel);
  }

  running(task: Task): void {
    this.#start = task._kernel.selector.now();
  }

  suspended(task: Task, trap: Trap | undefined): void {
    const frame = trap === undefined ? undefined : userFrame(traceOf(trap)?.stack);
    const at = trap === undefined ? 'its yield' : `${trap.name}()`;
    this.#check(task, frame === undefined ? at : `${at} at ${frame}`);
  }

  terminated(task: Task): void {
    this.#check(task, 'its end');
  }

  #check(task: Task, until: string): void {
    const ms = task._kernel.selector.now() - this.#start;
    if (ms > this.#maxMs) {
      const who = `task ${task.id} (${task.name})`;
      this.say(
        task,
        `longblock: ${who} held the loop for ${ms.toFixed(1)} ms (maxMs ${this.#maxMs}), until ${until}`,
      );
    }
  }
}

/**
 * Warn when one step of a task (from a resume to its next switch) holds the kernel's loop longer
 * than `maxMs` (default 50 ms): nothing else runs meanwhile. The warning names the task and the
 * kernel call that ended the step, with the user's frame that made it. Measured on the
 * kernel's clock. Records the stack of every kernel call while installed.
 * @example
 * ```ts run
 * import { longblock, run, sleep } from '@curio/kernel';
 *
 * function* cruncher() {
 *   const end = Date.now() + 80;
 *   while (Date.now() < end); // blocks everything else
 *   yield* sleep(0);
 * }
 *
 * await run(cruncher(), { activations: [longblock({ maxMs: 50 })] });
 * // curio: longblock: task 1 (task-1) held the loop for 80.2 ms (maxMs 50), until sleep() at cruncher (file:///app/main.js:5:10)
 * ```
 */
export function longblock(options?: LongblockOptions): Activation {
  return new LongBlock(options);
}

class LogCrash extends DebugActivation {
  constructor(options: DebugOptions | undefined) {
    super('logcrash', options, 'error');
  }

  terminated(task: Task): void {
    const err = task.excInfo;
    if (err !== undefined && !(err instanceof CancelledError)) {
      const printed = err instanceof Error ? err.stack : describe(err);
      this.say(task, `logcrash: task ${task.id} (${task.name}) crashed: ${printed}`);
    }
  }
}

/**
 * Log every task that crashes, when it crashes, joined or not (the kernel itself logs only a
 * crash nobody joins): its error and the chain of tasks. Cancellations are not crashes.
 * @example
 * ```ts run
 * import { logcrash, newTask, run } from '@curio/kernel';
 *
 * function* main() {
 *   const t = yield* newTask(function* () { throw new Error('boom'); }(), { name: 'worker' });
 *   try { yield* t.join(); } catch { console.log('handled'); }
 * }
 *
 * await run(main(), { activations: [logcrash()] });
 * // curio: logcrash: task 2 (worker) crashed: Error: boom ...
 * ```
 */
export function logcrash(options?: DebugOptions): Activation {
  return new LogCrash(options);
}

class SchedTrace extends DebugActivation {
  constructor(fn: string, options: DebugOptions | undefined) {
    super(fn, options, 'log');
  }

  created(task: Task): void {
    this.say(task, `${stamp(task)} CREATE ${task}`);
  }

  running(task: Task): void {
    this.say(task, `${stamp(task)} RUN ${task}`);
  }

  suspended(task: Task, _trap: Trap | undefined): void {
    this.say(task, `${stamp(task)} SUSPEND ${task}`);
  }

  terminated(task: Task): void {
    this.say(task, `${stamp(task)} TERMINATED ${task}`);
  }
}

/**
 * Log when each task is created, runs, suspends and ends, with the kernel's clock and the
 * task's state (curio's `schedtrace`).
 * @example
 * ```ts run
 * import { run, schedtrace, sleep } from '@curio/kernel';
 *
 * await run(sleep(10), { activations: [schedtrace()] });
 * // curio: 0.000 ms CREATE Task(1, task-1, INITIAL)
 * // curio: 0.412 ms RUN Task(1, task-1, READY)
 * // ...
 * ```
 */
export function schedtrace(options?: DebugOptions): Activation {
  return new SchedTrace('schedtrace', options);
}

class TrapTrace extends SchedTrace {
  constructor(options: DebugOptions | undefined) {
    super('traptrace', options);
  }

  suspended(task: Task, trap: Trap | undefined): void {
    if (trap !== undefined) this.say(task, `${stamp(task)} TRAP ${task} ${trapCall(trap)}`);
    super.suspended(task, trap);
  }
}

/**
 * {@link schedtrace}, plus the kernel call (trap) that ended each step, with its arguments
 * (curio's `traptrace`).
 * @example
 * ```ts run
 * import { run, sleep, traptrace } from '@curio/kernel';
 *
 * await run(sleep(10), { activations: [traptrace()] });
 * // ...
 * // curio: 0.412 ms TRAP Task(1, task-1, SLEEP) sleep(10)
 * // curio: 0.412 ms SUSPEND Task(1, task-1, SLEEP)
 * // ...
 * ```
 */
export function traptrace(options?: DebugOptions): Activation {
  return new TrapTrace(options);
}

// `sleep(10)`, `joinTask(Task(3, child, SLEEP))`: a trap as the call that made it.
function trapCall(trap: Trap): string {
  const args = [trap.a, trap.b, trap.c];
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  return `${trap.name}(${args.map(operand).join(', ')})`;
}

function operand(value: unknown): string {
  if (value instanceof Task) return String(value);
  if (isCoroutine(value)) return 'a coroutine';
  if (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    const fields = Object.entries(value).map(([k, v]) => `${k}: ${operand(v)}`);
    return fields.length === 0 ? '{}' : `{ ${fields.join(', ')} }`;
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : describe(value);
}
