import { running } from './current.js';
import { msg } from './explain.js';
import type { Kernel } from './kernel.js';
import { K28, K29, K30 } from './messages.js';
import type { Task } from './task.js';

// A trap is a request from a task to its kernel: one small object naming its spec (the trap's
// entry in the trap table, see traps.ts) and up to three typed operands. `defineTrap` is the
// one way to make a trap's issuing function; `yield*` of what it returns is the one way to
// issue it.

/**
 * @internal How the kernel treats a trap (a const enum, inlined by the build).
 * - INLINE: answered by the trap itself where it is `yield*`ed, never handed to the kernel: no
 *   switch, no cancellation point. Its handler gets the running task (null outside a task) and
 *   no kernel (`task._kernel` is the task's).
 * - IMMEDIATE: answered at once; the task goes on without a switch.
 * - SWITCH: answered at once; the task goes to the back of the ready queue. Never a
 *   cancellation point: a pending cancel waits for the next BLOCK trap.
 * - BLOCK: a cancellation point. A pending cancel or an expired `timeoutAfter` deadline is
 *   raised first; then the handler suspends the task or answers (the task goes to the back).
 */
// biome-ignore lint/suspicious/noConstEnum: internal to this package; inlined by the build.
export const enum TrapMode {
  INLINE = -1,
  IMMEDIATE = 0,
  SWITCH = 1,
  BLOCK = 2,
}

/** @internal What a handler returns when it has suspended the task (no answer yet). */
export const SUSPENDED: unique symbol = Symbol('suspended') as never;

/**
 * @internal Answers a trap: returns the answer (the value `yield*` gives the task), returns
 * `SUSPENDED` after `kernel._suspend(...)`, or throws to raise an error in the task (before
 * changing any state).
 */
export type TrapHandler<A, B, C> = (kernel: Kernel, task: Task, trap: Trap<A, B, C>) => unknown;

/** @internal One entry of the trap table. */
export interface TrapSpec<A = unknown, B = unknown, C = unknown> {
  readonly name: string;
  readonly mode: TrapMode;
  readonly handle: TrapHandler<A, B, C>;
}

// Number of kernels whose monitor wants the stack of every trap call, and those stacks
// (formatted only when read). Off, a trap carries no field for it.
let tracing = 0;
const traces = new WeakMap<object, Error>();
type CaptureStack = (target: object, below: (...args: never[]) => unknown) => void;
const captureStack = (Error as { captureStackTrace?: CaptureStack }).captureStackTrace;

/** @internal The caller's stack at a trap, recorded while a monitor watches. */
export function traceOf(trap: object): Error | undefined {
  return traces.get(trap);
}

/** @internal Count a kernel in (+1) or out (-1) of trap stack recording. */
export function traceTraps(delta: 1 | -1): void {
  tracing += delta;
}

// Debug mode's watch on the traps it traces (to tell one never run), if any.
let watcher: ((trap: Trap, where: Error) => void) | undefined;

/** @internal Debug mode: be told of each trap traced, with its stack. */
export function watchTraps(fn: ((trap: Trap, where: Error) => void) | undefined): void {
  watcher = fn;
}

/**
 * @internal The stack from the caller of `below` down (`below` and what it called are left out
 * where the host can, as V8 does), deep enough to reach a task's own frames below a long chain
 * of `yield*`.
 */
export function stackBelow(below: (...args: never[]) => unknown): Error {
  const ErrorCtor = Error as { stackTraceLimit?: number };
  const limit = ErrorCtor.stackTraceLimit;
  ErrorCtor.stackTraceLimit = 50;
  const where = captureStack === undefined ? new Error('where') : ({} as Error);
  captureStack?.(where, below);
  ErrorCtor.stackTraceLimit = limit;
  return where;
}

// Record where `trap` was issued: the stack from the caller of `issue` down.
function trace(trap: Trap, issue: (...args: never[]) => unknown): void {
  const where = stackBelow(issue);
  traces.set(trap, where);
  watcher?.(trap, where);
}

const BRAND: unique symbol = Symbol.for('curio.trap') as never;

/**
 * A request from a task to its kernel: what `yield` hands over inside every coroutine.
 * Users never build traps; they `yield*` the coroutines that do (`sleep`, `readWait`, ...).
 *
 * A trap is also its own one-step iterator, so `yield* sleep(0)` allocates one object: the
 * first `next()` hands the trap to the kernel, the second returns the kernel's answer.
 */
export class Trap<A = unknown, B = unknown, C = unknown> {
  /** Marks traps, so a value yielded by mistake is told apart (type-level only). */
  declare readonly [BRAND]: true;
  // Fields are assigned in the constructor only (`declare`): one shape, no field definitions.
  /** @internal the trap's entry in the trap table */ declare readonly spec: TrapSpec<A, B, C>;
  /** @internal */ declare readonly a: A;
  /** @internal */ declare readonly b: B;
  /** @internal */ declare readonly c: C;
  /** @internal iterator protocol: the trap itself, then the kernel's answer */
  declare value: unknown;
  /** @internal */ declare done: boolean;
  /** @internal 0 not started, 1 handed to the kernel, 2 finished, 3 answered (see `_answer`) */
  declare private stage: number;

  /** @internal */
  constructor(spec: TrapSpec<A, B, C>, a: A, b: B, c: C) {
    this.spec = spec;
    this.a = a;
    this.b = b;
    this.c = c;
    this.value = this;
    this.done = false;
    this.stage = 0;
  }

  /** The trap's name: the function that issued it (`'sleep'`, `'readWait'`, `'joinTask'`). */
  get name(): string {
    return this.spec.name;
  }

  /** @internal */
  [Symbol.iterator](): this {
    return this;
  }

  /**
   * @internal A handler of a SWITCH trap answers it here and returns nothing: the task's next
   * resume finishes the trap with `answer`. Stored in the trap just made rather than sent with
   * the resume through the task's long-lived run state: a new object stored into an old one
   * costs a write barrier (a spawn's answer is its new task). Only the trap's own copy of the
   * package (its handler) calls this: another copy's kernel resumes the task as usual.
   */
  _answer(answer: unknown): void {
    this.value = answer;
    this.stage = 3;
  }

  /** @internal */
  next(answer?: unknown): IteratorResult<Trap<A, B, C>, unknown> {
    const stage = this.stage;
    if (stage === 3) {
      this.stage = 2;
      this.done = true;
      return this as IteratorResult<Trap<A, B, C>, unknown>;
    }
    if (stage === 2) return { value: undefined, done: true };
    if (stage === 0 && this.spec.mode !== TrapMode.INLINE) {
      this.stage = 1;
      return this as IteratorResult<Trap<A, B, C>, unknown>;
    }
    this.stage = 2;
    // An INLINE trap answers itself (an error its handler throws goes to the caller).
    if (stage === 0) answer = this.spec.handle(undefined as never, running.task as Task, this);
    this.value = answer;
    this.done = true;
    return this as IteratorResult<Trap<A, B, C>, unknown>;
  }

  /** @internal The kernel raised an error at this trap: it propagates to the caller. */
  throw(err: unknown): never {
    this.stage = 2;
    throw err;
  }

  /** @internal */
  return(value?: unknown): IteratorResult<Trap<A, B, C>, unknown> {
    this.stage = 2;
    return { value, done: true };
  }
}
(Trap.prototype as { [BRAND]: true })[BRAND] = true;

// A trap call refused before it reached the kernel: raises `error` where it is `yield*`ed.
function* refused(error: unknown): Coro<never> {
  throw error;
}

/**
 * @internal Define a trap: its entry in the trap table and its issuing function. `check`
 * validates the operands where the trap is issued; an error it throws is raised in the task
 * when the coroutine is `yield*`ed, never at the kernel.
 */
export function defineTrap<R, A = undefined, B = undefined, C = undefined>(
  name: string,
  mode: TrapMode,
  handle: TrapHandler<A, B, C>,
  check?: (a: A, b: B, c: C) => void,
): (a: A, b: B, c: C) => Coro<R> {
  const spec: TrapSpec<A, B, C> = { name, mode, handle };
  const issue = (a: A, b: B, c: C): Coro<R> => {
    if (check !== undefined) {
      try {
        check(a, b, c);
      } catch (err) {
        return refused(err);
      }
    }
    const trap = new Trap(spec, a, b, c);
    if (tracing > 0) trace(trap, issue);
    return trap as unknown as Coro<R>;
  };
  return issue;
}

/** @internal True when `value` is a trap from any copy of this package. */
export function isTrap(value: unknown): value is Trap {
  // This copy's traps by class (fast); another copy's by the registered brand.
  return (
    value instanceof Trap ||
    (value !== null && typeof value === 'object' && (value as { [BRAND]?: true })[BRAND] === true)
  );
}

/**
 * A coroutine: the generator object returned by calling a `function*`. `yield*` of a
 * `Coro<T>` evaluates to `T`.
 */
// biome-ignore lint/suspicious/noExplicitAny: the value sent back into a generator depends on the trap (SPEC: Generator<Trap, T, any>).
export type Coro<T = unknown> = Generator<Trap, T, any>;

/**
 * @internal The error for a task that yielded something the kernel cannot take: a trap or a
 * coroutine with a plain `yield` (the star forgotten), or any other value.
 */
export function yieldMistake(taskName: string, value: unknown): TypeError {
  let text: string;
  if (isTrap(value)) {
    text = msg(K28, taskName, value.spec.name);
  } else if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Iterator<unknown>).next === 'function'
  ) {
    const kind = (value as { constructor?: { name?: string } }).constructor?.name;
    text = msg(K29, taskName, kind ? ` (${kind})` : '');
  } else {
    const what = value === null || typeof value !== 'object' ? String(value) : 'an object';
    text = msg(K30, taskName, what);
  }
  return new TypeError(text);
}
