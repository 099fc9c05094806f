import { constants } from 'node:os';
import {
  type AsyncContextManager,
  type Coro,
  getKernel,
  sigwait,
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

// Signal names under ignore(), each with how many ignore() contexts hold it (they nest). Every
// SignalSet drops a signal that arrives while its name is here, as SIG_IGN would.
const ignoredSignals = new Map<string, number>();

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

// The kernel's rule (null or Infinity: no timeout), checked before anything is waited on.
function checkTimeout(timeout: unknown): number | undefined {
  if (timeout === undefined || timeout === null || timeout === Infinity) return undefined;
  if (typeof timeout !== 'number' || !(timeout >= 0)) {
    const Err = typeof timeout === 'number' ? RangeError : TypeError;
    throw new Err(
      `SignalSet.wait(options): options.timeout must be a number of milliseconds >= 0 or null, got ${describe(timeout)}`,
    );
  }
  return timeout;
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
 * signal of the set that arrives inside the context, except those that arrive while they
 * are ignored ({@link SignalSet.ignore}); {@link SignalSet.wait} hands them out one at a
 * time. Leaving the context removes its listener (other listeners of the process are
 * untouched) and drops any signal still queued.
 *
 * Signals are given by name (`'SIGUSR1'`) or number (mapped through `os.constants.signals`).
 * `SIGKILL` and `SIGSTOP` cannot be caught, and are refused with a `TypeError`.
 * @example
 * ```ts run
 * import { asyncWith, run } from '@curio/kernel';
 * import { SignalSet } from '@curio/signal';
 *
 * await run(
 *   asyncWith(new SignalSet('SIGUSR1', 'SIGHUP'), function* (sigset) {
 *     process.kill(process.pid, 'SIGUSR1'); // queued until someone waits
 *     const name = yield* sigset.wait(); // 'SIGUSR1'
 *     console.log('got', name);
 *   }),
 * );
 * ```
 */
export class SignalSet implements AsyncContextManager<SignalSet> {
  /** The signals of the set, by name, in the order given, without duplicates. */
  readonly signals: readonly string[];
  private entered = false;
  // How many reasons the set has to listen: the context, and a wait in progress.
  private listening = 0;
  // Signals received and not yet handed out, oldest first; empty whenever the set does not
  // listen. The set queues them itself (the kernel's sigwait only parks a waiting task) so
  // that a signal ignored when it arrives is never queued.
  private readonly pending: string[] = [];
  private readonly receive = (name: string): void => {
    if (!ignoredSignals.has(name)) this.pending.push(name);
  };

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
   * Start queuing the set's signals: installs the set's listener. Returns the set itself.
   * @example
   * import type { SignalSet } from '@curio/signal';
   *
   * function* nextSignal(sigset: SignalSet) {
   *   yield* sigset.enter(); // what asyncWith does for you
   *   try {
   *     return yield* sigset.wait();
   *   } finally {
   *     yield* sigset.exit();
   *   }
   * }
   */
  *enter(): Coro<SignalSet> {
    if (this.entered) throw new TypeError('SignalSet.enter(): this set is already entered');
    this.entered = true;
    this.listen();
    return this;
  }

  /**
   * Stop queuing: removes the set's listener; signals still queued are dropped. Never
   * suppresses the body's error.
   * @example
   * import type { SignalSet } from '@curio/signal';
   *
   * function* stopWatching(sigset: SignalSet) {
   *   yield* sigset.exit(); // the set's listener is removed and its queue dropped
   * }
   */
  *exit(_error?: unknown): Coro<boolean> {
    if (this.entered) {
      this.entered = false;
      this.unlisten();
    }
    return false;
  }

  /**
   * Wait for a signal of the set and return its name (`'SIGUSR1'`). Inside the context,
   * queued signals are returned first, in arrival order; outside it, only a signal arriving
   * during the wait is caught. Signals that arrive while ignored do not count. Raises
   * `TaskTimeout` after `timeout` ms.
   * @example
   * import { asyncWith } from '@curio/kernel';
   * import { SignalSet } from '@curio/signal';
   *
   * function* untilStopped() {
   *   return yield* asyncWith(new SignalSet('SIGINT', 'SIGTERM'), function* (sigset) {
   *     return yield* sigset.wait({ timeout: 5000 }); // TaskTimeout if none arrives within 5 s
   *   });
   * }
   */
  *wait(options?: TimeoutOptions): Coro<string> {
    const timeout = checkTimeout(options?.timeout);
    this.listen();
    try {
      if (this.pending.length === 0) yield* this.untilQueued(timeout);
      return this.pending.shift()!;
    } finally {
      this.unlisten();
    }
  }

  // Park in the kernel's sigwait until a signal is queued. An ignored signal wakes it too,
  // with nothing queued: it waits again, for what is left of the timeout.
  private *untilQueued(timeout: number | undefined): Coro<void> {
    if (timeout === undefined) {
      while (this.pending.length === 0) yield* sigwait(this);
      return;
    }
    const clock = (yield* getKernel()).selector;
    const deadline = clock.now() + timeout;
    while (this.pending.length === 0) {
      yield* sigwait(this, { timeout: Math.max(0, deadline - clock.now()) });
    }
  }

  private listen(): void {
    if (this.listening++ > 0) return;
    for (const name of this.signals) process.on(name as NodeJS.Signals, this.receive);
  }

  private unlisten(): void {
    if (--this.listening > 0) return;
    for (const name of this.signals) process.removeListener(name as NodeJS.Signals, this.receive);
    this.pending.length = 0;
  }

  /**
   * Ignore the set's signals until the returned object is disposed (`using`), as curio's
   * `SIG_IGN`: a signal that arrives meanwhile is gone. No `SignalSet` (this one or another)
   * queues it or wakes a wait with it, then or later. A no-op listener per signal keeps the
   * default action (such as terminating on `SIGINT`) from running. Node cannot silence
   * listeners added with `process.on`: those still see the signal.
   * @example
   * ```ts run
   * import { SignalSet } from '@curio/signal';
   *
   * {
   *   using _ignored = new SignalSet('SIGINT').ignore();
   *   // Ctrl-C does not end the process here, and no SignalSet ever sees it
   * }
   * ```
   */
  ignore(): IgnoredSignals {
    const signals = this.signals;
    const ignoreSignal = (): void => {};
    for (const name of signals) {
      ignoredSignals.set(name, (ignoredSignals.get(name) ?? 0) + 1);
      process.on(name as NodeJS.Signals, ignoreSignal);
    }
    let active = true;
    return {
      signals,
      [Symbol.dispose](): void {
        if (!active) return;
        active = false;
        for (const name of signals) {
          process.removeListener(name as NodeJS.Signals, ignoreSignal);
          const holders = ignoredSignals.get(name)! - 1;
          if (holders === 0) ignoredSignals.delete(name);
          else ignoredSignals.set(name, holders);
        }
      },
    };
  }
}
