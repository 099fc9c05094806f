// The signal traps. Kept apart from the scheduler so a program that never watches signals
// does not bundle them. They need the host's `process.on` (Node, Deno, Bun).
import { CurioError } from './errors.js';
import { host } from './host.js';
import type { ExternalWait, Kernel } from './kernel.js';
import type { Task, TimeoutOptions } from './task.js';
import { type Coro, callWith, refused, type Trap, TrapKind } from './trap.js';
import { checkTimeout, describe } from './validate.js';

/** A set of signals for `sigwatch` / `sigwait`, by name (`'SIGUSR1'`). */
export interface SignalSetLike {
  readonly signals: readonly string[];
}

// One signal set's queue in one kernel, while it is watched or waited on. As the wait a
// blocked sigwait parks on, it keeps the host alive (signal handlers alone do not).
class SignalState implements ExternalWait {
  readonly pending: string[] = [];
  waiting: Task | null = null;
  watching = false;
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
      throw new CurioError(
        'signals need the host to offer process.on (Node.js, Deno, Bun); this runtime has none',
      );
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
        this.kernel._wakeExternal(waiter, received, false);
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

function watchHandler(kernel: Kernel, task: Task, trap: Trap): void {
  const state = registry(kernel).state(trap.a as SignalSetLike);
  if (!state.watching) {
    if (state.waiting === null) state.registry.listen(state);
    state.watching = true;
  }
  kernel._resume(task, undefined);
}

function unwatchHandler(kernel: Kernel, task: Task, trap: Trap): void {
  const state = registry(kernel).state(trap.a as SignalSetLike);
  if (state.watching) {
    state.watching = false;
    state.pending.length = 0;
    if (state.waiting === null) state.registry.unlisten(state);
  }
  kernel._resume(task, undefined);
}

function waitHandler(kernel: Kernel, task: Task, trap: Trap): void {
  const state = registry(kernel).state(trap.a as SignalSetLike);
  if (state.pending.length > 0) {
    kernel._resume(task, state.pending.shift());
    return;
  }
  if (state.waiting !== null) {
    throw new CurioError(`sigwait: ${state.waiting.name} is already waiting on this signal set`);
  }
  if (!state.watching) state.registry.listen(state);
  state.waiting = task;
  kernel._blockExternal(task, 'SIGNAL_WAIT', state, trap.b as number | undefined);
}

function checkSigset(fn: string, sigset: unknown): void {
  const signals = (sigset as SignalSetLike | null)?.signals;
  if (
    !Array.isArray(signals) ||
    signals.some((s) => typeof s !== 'string' || !s.startsWith('SIG'))
  ) {
    throw new TypeError(
      `${fn}(sigset): sigset.signals must be an array of signal names like 'SIGUSR1', got ${describe(signals)}`,
    );
  }
}

/**
 * Start queuing the signals of `sigset` for this kernel (until `sigunwatch`).
 * @example
 * yield* sigwatch(sigset);
 */
export function sigwatch(sigset: SignalSetLike): Coro<void> {
  try {
    checkSigset('sigwatch', sigset);
    return callWith(watchHandler, TrapKind.SIGWATCH, sigset);
  } catch (err) {
    return refused(err);
  }
}

/**
 * Stop queuing the signals of `sigset`; pending ones are dropped.
 * @example
 * yield* sigunwatch(sigset);
 */
export function sigunwatch(sigset: SignalSetLike): Coro<void> {
  try {
    checkSigset('sigunwatch', sigset);
    return callWith(unwatchHandler, TrapKind.SIGUNWATCH, sigset);
  } catch (err) {
    return refused(err);
  }
}

/**
 * Wait for a signal of `sigset` and return its name. Signals queued since `sigwatch` come
 * first; without `sigwatch`, only a signal arriving during the wait is caught.
 * @example
 * const name = yield* sigwait(sigset, { timeout: 5000 }); // 'SIGUSR1'
 */
export function sigwait(sigset: SignalSetLike, options?: TimeoutOptions): Coro<string> {
  try {
    checkSigset('sigwait', sigset);
    return callWith(
      waitHandler,
      TrapKind.SIGWAIT,
      sigset,
      checkTimeout('sigwait', options?.timeout),
    );
  } catch (err) {
    return refused(err);
  }
}
