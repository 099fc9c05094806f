// Feature detection of the host runtime. The kernel imports nothing from `node:`; it uses
// what the global scope offers and says clearly when something is missing.

interface HostGlobals {
  setImmediate?: (fn: () => void) => unknown;
  MessageChannel?: new () => {
    port1: { onmessage: (() => void) | null };
    port2: { postMessage(v: unknown): void };
  };
  performance?: { now(): number };
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  process?: {
    on?(event: string, listener: () => void): unknown;
    removeListener?(event: string, listener: () => void): unknown;
  };
  AbortController?: new () => AbortController;
  console?: { error(...args: unknown[]): void };
}

/** @internal */
export const host = globalThis as unknown as HostGlobals;

/** @internal Milliseconds from a monotonic clock where the host has one. */
export const hostNow: () => number =
  host.performance && typeof host.performance.now === 'function'
    ? host.performance.now.bind(host.performance)
    : Date.now;

/** @internal Run `fn` after the host has had a turn (I/O callbacks and timers). */
export const yieldToHost: (fn: () => void) => void = (() => {
  if (typeof host.setImmediate === 'function') {
    const setImmediate = host.setImmediate;
    return (fn: () => void) => {
      setImmediate(fn);
    };
  }
  if (typeof host.MessageChannel === 'function') {
    const channel = new host.MessageChannel();
    const pending: (() => void)[] = [];
    channel.port1.onmessage = () => pending.shift()?.();
    return (fn: () => void) => {
      pending.push(fn);
      channel.port2.postMessage(0);
    };
  }
  return (fn: () => void) => {
    host.setTimeout(fn, 0);
  };
})();

/**
 * @internal Run `fn` soon, before the host's next macrotask. A resolved promise's reaction
 * rather than `queueMicrotask`: Node wraps each queueMicrotask callback in an async resource,
 * which costs more than the kernel's whole wake-up path.
 */
export const soon: (fn: () => void) => void = (() => {
  const resolved = Promise.resolve();
  return (fn: () => void) => {
    resolved.then(fn);
  };
})();

/**
 * @internal Run `fn` once the host has delivered the I/O events at hand: in Node, right after
 * its poll phase (`setImmediate`), so the wake-ups of one poll become one slice of the
 * scheduler. Elsewhere as `soon`.
 */
export const afterIO: (fn: () => void) => void =
  typeof host.setImmediate === 'function' ? yieldToHost : soon;

// ---- how a kernel shares the host's event loop (policy, kept out of the scheduler) ------

// Steps between looks at the clock (timer expiry and the host's turn).
const CHECK_EVERY = 64;
// Longest stretch of task steps before the host gets a turn (I/O callbacks, timers).
const SLICE_MS = 1;
// With at least this many tasks waiting outside the kernel, a wake-up by I/O readiness waits
// for the rest of the host's pending I/O events, so that the tasks they wake share one slice
// (one host callback instead of one per event). With fewer, it runs at once, in a microtask:
// a lone stream is not worth an extra turn of the host's event loop.
const BATCH_WAITERS = 8;

/**
 * @internal When a kernel runs a slice of task steps, when it gives the host a turn, and when
 * it holds the host open. One per kernel; `runSlice` runs the scheduler's loop.
 */
export class HostTurns {
  // 0: no slice requested; 1: one runs soon; 2: one waits for the host's pending I/O events.
  #scheduled = 0;
  #start = -1;
  #untilCheck = CHECK_EVERY;
  #keepAlive: unknown;
  readonly #run: () => void;
  // The batched request's callback: nothing to do if a wake-up brought the slice forward.
  readonly #runBatch = (): void => {
    if (this.#scheduled === 2) this.#run();
  };

  constructor(runSlice: () => void) {
    this.#run = () => {
      this.#scheduled = 0;
      this.#start = -1;
      this.#untilCheck = CHECK_EVERY;
      runSlice();
    };
  }

  /**
   * Run a slice soon: after the current host callback; or, when woken by I/O readiness while
   * `ioWaiters` tasks wait outside the kernel (see BATCH_WAITERS), after the host's pending
   * I/O events. `now` (a wake-up that brings much work, see ReadinessSource): after the
   * current host callback, bringing a batched slice forward.
   */
  _request(ioWaiters = 0, now = false): void {
    const scheduled = this.#scheduled;
    if (scheduled === 1 || (scheduled === 2 && !now)) return;
    if (!now && ioWaiters >= BATCH_WAITERS) {
      this.#scheduled = 2;
      afterIO(this.#runBatch);
    } else {
      this.#scheduled = 1;
      soon(this.#run);
    }
  }

  /** Run a slice now, from plain code (no slice of any kernel is running). */
  _runNow(selector: { cancelWait(): void }): void {
    selector.cancelWait();
    this.#run();
  }

  /**
   * Count a task step. True every CHECK_EVERY steps: time to expire timers and ask
   * `_yieldIfDue`. The slice's clock starts after its second step: a lone wake-up reads no
   * clock.
   */
  _stepped(): boolean {
    const left = --this.#untilCheck;
    if (left === CHECK_EVERY - 2 && this.#start < 0) this.#start = hostNow();
    if (left !== 0) return false;
    this.#untilCheck = CHECK_EVERY;
    return true;
  }

  /** True when the slice has run long enough: the host gets a turn (the slice goes on after). */
  _yieldIfDue(): boolean {
    if (hostNow() - this.#start < SLICE_MS) return false;
    this.#scheduled = 1;
    yieldToHost(this.#run);
    return true;
  }

  /** Hold the host's event loop open (or let it go) while tasks wait on what no handle holds. */
  _keepAlive(on: boolean): void {
    if (on && this.#keepAlive === undefined) {
      this.#keepAlive = host.setInterval(() => {}, 1 << 30);
    } else if (!on && this.#keepAlive !== undefined) {
      host.clearInterval(this.#keepAlive);
      this.#keepAlive = undefined;
    }
  }
}
