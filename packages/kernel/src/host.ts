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
