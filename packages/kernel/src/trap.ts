// The kernel's traps are data: one small class, a numeric kind, up to three operands.
// Every trap a task can yield is listed here; the kernel has one handler per kind.

/** Kinds of trap. Blocking kinds deliver a pending cancellation before they run. */
export const TrapKind = {
  SLEEP: 0,
  SPAWN: 1,
  JOIN: 2,
  CANCEL: 3,
  READ_WAIT: 4,
  WRITE_WAIT: 5,
  FUTURE_WAIT: 6,
  QUEUE_WAIT: 7,
  RESCHEDULE: 8,
  SIGWATCH: 9,
  SIGUNWATCH: 10,
  SIGWAIT: 11,
  // Immediate traps: answered at once, the task keeps running (no switch).
  CURRENT: 12,
  SCOPE_PUSH: 13,
  SCOPE_POP: 14,
  KERNEL: 15,
} as const;

/** The numeric kind of a {@link Trap}. */
export type TrapKind = (typeof TrapKind)[keyof typeof TrapKind];

const BRAND: unique symbol = Symbol.for('curio.trap') as never;

/**
 * A request from a task to its kernel: what `yield` hands over inside every coroutine.
 * Users never build traps; they `yield*` the coroutines that do (`sleep`, `readWait`, ...).
 */
export class Trap {
  /** @internal */
  declare readonly [BRAND]: true;
  /** @internal */
  constructor(
    /** @internal */ readonly kind: TrapKind,
    /** @internal */ readonly a: unknown = undefined,
    /** @internal */ readonly b: unknown = undefined,
    /** @internal */ readonly c: unknown = undefined,
  ) {}
}
(Trap.prototype as { [BRAND]: true })[BRAND] = true;

/** @internal True when `value` is a trap from any copy of this package. */
export function isTrap(value: unknown): value is Trap {
  return (
    value !== null && typeof value === 'object' && (value as { [BRAND]?: true })[BRAND] === true
  );
}

/**
 * A coroutine: the generator object returned by calling a `function*`. `yield*` of a
 * `Coro<T>` evaluates to `T`.
 */
// biome-ignore lint/suspicious/noExplicitAny: the value sent back into a generator depends on the trap (SPEC: Generator<Trap, T, any>).
export type Coro<T = unknown> = Generator<Trap, T, any>;

/** A trap the kernel answers without a task switch. */
export const SLEEP_ZERO = new Trap(TrapKind.SLEEP, 0);
/** @internal */
export const CURRENT_TRAP = new Trap(TrapKind.CURRENT);
/** @internal */
export const KERNEL_TRAP = new Trap(TrapKind.KERNEL);
