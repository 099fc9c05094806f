import { constants } from 'node:os';
import {
  type AsyncContextManager,
  type Coro,
  sigunwatch,
  sigwait,
  sigwatch,
  type TimeoutOptions,
} from '@curio/kernel';

const signalNumbers: Readonly<Record<string, number>> = constants.signals;
const signalNames = new Map<number, string>();
for (const [name, number] of Object.entries(signalNumbers)) {
  // Several names can share a number (SIGIOT/SIGABRT, SIGPOLL/SIGIO): keep the first.
  if (!signalNames.has(number)) signalNames.set(number, name);
}

// No process can install a handler for these: the OS always delivers them.
const UNCATCHABLE = new Set(['SIGKILL', 'SIGSTOP']);

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return value.constructor && value.constructor !== Object
    ? `a ${value.constructor.name}`
    : 'an object';
}

function toName(signal: unknown): string {
  if (typeof signal === 'number') {
    const name = signalNames.get(signal);
    if (name === undefined) {
      throw new RangeError(`SignalSet(signals): unknown signal number ${signal}`);
    }
    return name;
  }
  if (typeof signal !== 'string') {
    throw new TypeError(
      `SignalSet(signals): each signal must be a name like 'SIGUSR1' or a number, got ${describe(signal)}`,
    );
  }
  if (!Object.hasOwn(signalNumbers, signal)) {
    throw new RangeError(
      `SignalSet(signals): unknown signal ${JSON.stringify(signal)} (expected a name from os.constants.signals, like 'SIGUSR1')`,
    );
  }
  return signal;
}

/** The `using` context manager returned by {@link SignalSet.ignore}. */
export interface IgnoredSignals extends Disposable {
  /** The signals being ignored, by name. */
  readonly signals: readonly string[];
  /** Stop ignoring: removes the no-op listeners (idempotent). */
  [Symbol.dispose](): void;
}

/**
 * A set of Unix signals a task can wait on. As an async context manager it queues every
 * signal of the set that arrives inside the context; {@link SignalSet.wait} hands them out
 * one at a time. Leaving the context removes its listeners (other listeners of the process
 * are untouched) and drops any signal still queued.
 *
 * Signals are given by name (`'SIGUSR1'`) or number (mapped through `os.constants.signals`).
 * `SIGKILL` and `SIGSTOP` cannot be caught, and are refused with a `TypeError`.
 * @example
 * yield* asyncWith(new SignalSet('SIGUSR1', 'SIGHUP'), function* (sigset) {
 *   const name = yield* sigset.wait(); // 'SIGUSR1'
 *   console.log('got', name);
 * });
 */
export class SignalSet implements AsyncContextManager<SignalSet> {
  /** The signals of the set, by name, in the order given, without duplicates. */
  readonly signals: readonly string[];
  private watched = false;

  constructor(...signals: Array<string | number>) {
    if (signals.length === 0) {
      throw new TypeError('SignalSet(signals): give at least one signal, like "SIGUSR1"');
    }
    const names: string[] = [];
    for (const signal of signals) {
      const name = toName(signal);
      if (UNCATCHABLE.has(name)) {
        throw new TypeError(
          `SignalSet(signals): ${name} cannot be caught, queued or ignored (the OS always delivers it)`,
        );
      }
      if (!names.includes(name)) names.push(name);
    }
    this.signals = Object.freeze(names);
  }

  /**
   * Start queuing the set's signals (the kernel's `sigwatch`). Returns the set itself.
   * @example
   * yield* sigset.enter();
   * try { yield* sigset.wait(); } finally { yield* sigset.exit(); }
   */
  *enter(): Coro<SignalSet> {
    if (this.watched) throw new TypeError('SignalSet.enter(): this set is already entered');
    yield* sigwatch(this);
    this.watched = true;
    return this;
  }

  /**
   * Stop queuing (the kernel's `sigunwatch`); signals still queued are dropped. Never
   * suppresses the body's error.
   * @example
   * yield* sigset.exit();
   */
  *exit(_error?: unknown): Coro<boolean> {
    this.watched = false;
    yield* sigunwatch(this);
    return false;
  }

  /**
   * Wait for a signal of the set and return its name (`'SIGUSR1'`). Inside the context,
   * queued signals are returned first, in arrival order; outside it, only a signal arriving
   * during the wait is caught. Raises `TaskTimeout` after `timeout` ms.
   * @example
   * const name = yield* sigset.wait({ timeout: 5000 });
   */
  wait(options?: TimeoutOptions): Coro<string> {
    return sigwait(this, options);
  }

  /**
   * Ignore the set's signals until the returned object is disposed (`using`): installs a
   * no-op listener per signal so the default action (such as terminating on `SIGINT`) does
   * not run. Node cannot silence other listeners: a `SignalSet` watching the same signal
   * still queues it.
   * @example
   * {
   *   using _ignored = new SignalSet('SIGINT').ignore();
   *   // Ctrl-C does not end the process here
   * }
   */
  ignore(): IgnoredSignals {
    const signals = this.signals;
    const ignoreSignal = (): void => {};
    for (const name of signals) process.on(name as NodeJS.Signals, ignoreSignal);
    let active = true;
    return {
      signals,
      [Symbol.dispose](): void {
        if (!active) return;
        active = false;
        for (const name of signals) process.removeListener(name as NodeJS.Signals, ignoreSignal);
      },
    };
  }
}
