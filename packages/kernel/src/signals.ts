// The signal traps. Kept apart from the scheduler so a program that never watches signals
// does not bundle them. They need the host's `process.on` (Node, Deno, Bun).
import { CurioError } from './errors.js';
import { msg } from './explain.js';
import { host } from './host.js';
import type { Kernel } from './kernel.js';
import { K51, K52, K53 } from './messages.js';
import type { Task, TimeoutOptions, Waiter } from './task.js';
import { type Coro, defineTrap, type Trap, TrapMode } from './trap.js';
import { checkTimeout, describe } from './validate.js';

/** A set of signals for `sigwatch` / `sigwait`, by name (`'SIGUSR1'`). */
export interface SignalSetLike {
  readonly signals: readonly string[];
}

// One signal set's queue in one kernel, while it is watched or waited on. As the wait a
// blocked sigwait parks on, it keeps the host alive (signal handlers alone do not).
class SignalState implements Waiter {
  readonly pending: string[] = [];
  waiting: Task | null = null;
  watching = false;
  readonly external = true;
  readonly keepAlive = true;
  constructor(
    readonly set: SignalSetLike,
    readonly registry: SignalRegistry,
  ) {}
  withdraw(): void {
    this.waiting = null;
    if (!this.watching) this.registry.unlisten(this);
  }
}

// A kernel's signal listeners: one host listener per signal name, shared by its sets.
class SignalRegistry {
  private readonly listeners = new Map<
    string,
    { listener: () => void; states: Set<SignalState> }
  >();
  private readonly states = new WeakMap<object, SignalState>();

  constructor(readonly kernel: Kernel) {
    kernel._onShutdown(() => {
      for (const [name, entry] of this.listeners)
        host.process?.removeListener?.(name, entry.listener);
      this.listeners.clear();
    });
  }

  state(set: SignalSetLike): SignalState {
    let state = this.states.get(set);
    if (state === undefined) {
      state = new SignalState(set, this);
      this.states.set(set, state);
    }
    return state;
  }

  listen(state: SignalState): void {
    const proc = host.process;
    if (typeof proc?.on !== 'function' || typeof proc.removeListener !== 'function') {
      throw new CurioError(msg(K51));
    }
    for (const name of state.set.signals) {
      let entry = this.listeners.get(name);
      if (entry === undefined) {
        const listener = () => this.deliver(name);
        entry = { listener, states: new Set() };
        proc.on(name, listener);
        this.listeners.set(name, entry);
      }
      entry.states.add(state);
    }
  }

  unlisten(state: SignalState): void {
    state.pending.length = 0;
    for (const name of state.set.signals) {
      const entry = this.listeners.get(name);
      if (entry === undefined) continue;
      entry.states.delete(state);
      if (entry.states.size === 0) {
        host.process?.removeListener?.(name, entry.listener);
        this.listeners.delete(name);
      }
    }
  }

  private deliver(name: string): void {
    const entry = this.listeners.get(name);
    if (entry === undefined) return;
    for (const state of entry.states) {
      state.pending.push(name);
      const waiter = state.waiting;
      if (waiter !== null) {
        const received = state.pending.shift();
        state.waiting = null;
        if (!state.watching) this.unlisten(state);
        this.kernel._wake(waiter, state, received);
      }
    }
  }
}
const registries = new WeakMap<Kernel, SignalRegistry>();

function registry(kernel: Kernel): SignalRegistry {
  let found = registries.get(kernel);
  if (found === undefined) {
    found = new SignalRegistry(kernel);
    registries.set(kernel, found);
  }
  return found;
}

function watchHandler(kernel: Kernel, _task: Task, trap: Trap<SignalSetLike>): void {
  const state = registry(kernel).state(trap.a);
  if (!state.watching) {
    if (state.waiting === null) state.registry.listen(state);
    state.watching = true;
  }
}

function unwatchHandler(kernel: Kernel, _task: Task, trap: Trap<SignalSetLike>): void {
  const state = registry(kernel).state(trap.a);
  if (state.watching) {
    state.watching = false;
    state.pending.length = 0;
    if (state.waiting === null) state.registry.unlisten(state);
  }
}

function waitHandler(
  kernel: Kernel,
  task: Task,
  { a: sigset, b: options }: Trap<SignalSetLike, TimeoutOptions | undefined>,
): unknown {
  const state = registry(kernel).state(sigset);
  if (state.pending.length > 0) return state.pending.shift();
  if (state.waiting !== null) {
    throw new CurioError(msg(K52, state.waiting.name));
  }
  if (!state.watching) state.registry.listen(state);
  state.waiting = task;
  return kernel._suspend(task, 'SIGNAL_WAIT', state, options?.timeout ?? undefined);
}

function checkSigset(fn: string, sigset: unknown): void {
  const signals = (sigset as SignalSetLike | null)?.signals;
  if (
    !Array.isArray(signals) ||
    signals.some((s) => typeof s !== 'string' || !s.startsWith('SIG'))
  ) {
    throw new TypeError(msg(K53, fn, describe(signals)));
  }
}

const watchTrap = /* @__PURE__ */ defineTrap<void, SignalSetLike>(
  'sigwatch',
  TrapMode.SWITCH,
  watchHandler,
  (s) => checkSigset('sigwatch', s),
);
const unwatchTrap = /* @__PURE__ */ defineTrap<void, SignalSetLike>(
  'sigunwatch',
  TrapMode.SWITCH,
  unwatchHandler,
  (s) => checkSigset('sigunwatch', s),
);
const waitTrap = /* @__PURE__ */ defineTrap<string, SignalSetLike, TimeoutOptions | undefined>(
  'sigwait',
  TrapMode.BLOCK,
  waitHandler,
  (s, options) => {
    checkSigset('sigwait', s);
    checkTimeout('sigwait', options?.timeout);
  },
);

/**
 * Start queuing the signals of `sigset` for this kernel (until `sigunwatch`).
 * @example
 * import { type SignalSetLike, sigwatch } from '@curio/kernel';
 *
 * function* startWatching(sigset: SignalSetLike) {
 *   yield* sigwatch(sigset); // signals of the set are queued from now on
 * }
 */
export function sigwatch(sigset: SignalSetLike): Coro<void> {
  return watchTrap(sigset, undefined, undefined);
}

/**
 * Stop queuing the signals of `sigset`; pending ones are dropped.
 * @example
 * import { type SignalSetLike, sigunwatch } from '@curio/kernel';
 *
 * function* stopWatching(sigset: SignalSetLike) {
 *   yield* sigunwatch(sigset);
 * }
 */
export function sigunwatch(sigset: SignalSetLike): Coro<void> {
  return unwatchTrap(sigset, undefined, undefined);
}

/**
 * Wait for a signal of `sigset` and return its name. Signals queued since `sigwatch` come
 * first; without `sigwatch`, only a signal arriving during the wait is caught.
 * @example
 * import { type SignalSetLike, sigwait } from '@curio/kernel';
 *
 * function* nextSignal(sigset: SignalSetLike) {
 *   return yield* sigwait(sigset, { timeout: 5000 }); // 'SIGUSR1', say
 * }
 */
export function sigwait(sigset: SignalSetLike, options?: TimeoutOptions): Coro<string> {
  return waitTrap(sigset, options, undefined);
}
