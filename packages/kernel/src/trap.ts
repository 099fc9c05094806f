import type { Kernel } from './kernel.js';
import type { Task } from './task.js';

// The kernel's traps are data: one small class, a numeric kind, up to three operands.
// Every trap a task can yield is listed here; the kernel has one handler per kind.

/**
 * @internal Kinds of trap. Blocking kinds deliver a pending cancellation before they run.
 * A const enum: the bundler writes the numbers in place (internal, never crosses packages).
 */
// biome-ignore lint/suspicious/noConstEnum: internal to this package; inlined by the build.
export const enum TrapKind {
  SLEEP = 0,
  SPAWN = 1,
  JOIN = 2,
  CANCEL = 3,
  READ_WAIT = 4,
  WRITE_WAIT = 5,
  FUTURE_WAIT = 6,
  QUEUE_WAIT = 7,
  RESCHEDULE = 8,
  SIGWATCH = 9,
  SIGUNWATCH = 10,
  SIGWAIT = 11,
  // Immediate traps: answered at once, the task keeps running (no switch).
  CURRENT = 12,
  SCOPE_PUSH = 13,
  SCOPE_POP = 14,
  KERNEL = 15,
  SHIELD = 16,
}

// Number of kernels whose monitor wants the stack of every trap call, and those stacks
// (formatted only when read). Off, a trap carries no field for it.
let tracing = 0;
const traces = new WeakMap<object, Error>();

/** @internal The caller's stack at a trap, recorded while a monitor watches. */
export function traceOf(trap: object): Error | undefined {
  return traces.get(trap);
}

/** @internal Count a kernel in (+1) or out (-1) of trap stack recording. */
export function traceTraps(delta: 1 | -1): void {
  tracing += delta;
}

const BRAND: unique symbol = Symbol.for('curio.trap') as never;

/**
 * A request from a task to its kernel: what `yield` hands over inside every coroutine.
 * Users never build traps; they `yield*` the coroutines that do (`sleep`, `readWait`, ...).
 *
 * A trap is also its own one-step iterator, so `yield* sleep(0)` allocates one object: the
 * first `next()` hands the trap to the kernel, the second returns the kernel's answer.
 */
export class Trap {
  /** Marks traps, so a value yielded by mistake is told apart (type-level only). */
  declare readonly [BRAND]: true;
  // Fields are assigned in the constructor only (`declare`): one shape, no field definitions.
  /** @internal */ declare readonly kind: TrapKind;
  /** @internal */ declare readonly a: unknown;
  /** @internal */ declare readonly b: unknown;
  /** @internal */ declare readonly c: unknown;
  /** @internal handler of a trap kind kept outside the scheduler (I/O, promises, signals) */
  declare readonly h: TrapHandler | undefined;
  /** @internal iterator protocol: the trap itself, then the kernel's answer */
  declare value: unknown;
  /** @internal */ declare done: boolean;
  /** @internal 0 not started, 1 handed to the kernel, 2 finished */
  declare private stage: number;

  /** @internal */
  constructor(kind: TrapKind, a?: unknown, b?: unknown, c?: unknown, h?: TrapHandler) {
    this.kind = kind;
    this.a = a;
    this.b = b;
    this.c = c;
    this.h = h;
    this.value = this;
    this.done = false;
    this.stage = 0;
    if (tracing > 0) traces.set(this, new Error('where'));
  }

  /** @internal */
  [Symbol.iterator](): this {
    return this;
  }

  /** @internal */
  next(answer?: unknown): IteratorResult<Trap, unknown> {
    if (this.stage === 0) {
      this.stage = 1;
      return this as IteratorResult<Trap, unknown>;
    }
    if (this.stage === 1) {
      this.stage = 2;
      this.value = answer;
      this.done = true;
      return this as IteratorResult<Trap, unknown>;
    }
    return { value: undefined, done: true };
  }

  /** @internal The kernel raised an error at this trap: it propagates to the caller. */
  throw(err: unknown): never {
    this.stage = 2;
    throw err;
  }

  /** @internal */
  return(value?: unknown): IteratorResult<Trap, unknown> {
    this.stage = 2;
    return { value, done: true };
  }
}
(Trap.prototype as { [BRAND]: true })[BRAND] = true;

/** A trap call refused before it reached the kernel: raises `error` where it is `yield*`ed. */
class RefusedTrap extends Trap {
  declare private readonly error: unknown;
  constructor(error: unknown) {
    super(TrapKind.CURRENT);
    this.error = error;
  }
  override next(): never {
    this.done = true;
    throw this.error;
  }
}

/** @internal Answers a trap kind that lives outside the scheduler's own switch. */
export type TrapHandler = (kernel: Kernel, task: Task, trap: Trap) => void;

/** @internal A coroutine for one trap answered by `handler`. */
export function callWith<T>(
  handler: TrapHandler,
  kind: TrapKind,
  a?: unknown,
  b?: unknown,
  c?: unknown,
): Coro<T> {
  return new Trap(kind, a, b, c, handler) as unknown as Coro<T>;
}

/** @internal A coroutine for one trap. */
export function call<T>(kind: TrapKind, a?: unknown, b?: unknown, c?: unknown): Coro<T> {
  return new Trap(kind, a, b, c) as unknown as Coro<T>;
}

/** @internal A coroutine that raises `error` when run (bad arguments to a trap call). */
export function refused<T>(error: unknown): Coro<T> {
  return new RefusedTrap(error) as unknown as Coro<T>;
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

/** @internal Answers `currentTask()`: the task itself. */
export function answerTask(_kernel: Kernel, task: Task): void {
  task._send = task;
}

function answerKernel(kernel: Kernel, task: Task): void {
  task._send = kernel;
}

/** @internal `yield KERNEL_TRAP` evaluates to the task's kernel (answered at once). */
export const KERNEL_TRAP = /* @__PURE__ */ new Trap(
  TrapKind.KERNEL,
  undefined,
  undefined,
  undefined,
  answerKernel,
);
