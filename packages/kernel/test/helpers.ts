import {
  type Coro,
  getKernel,
  type RunOptions,
  run,
  sleep,
  VirtualTimeSelector,
} from '../src/index.js';

/** Run `coro` on a fresh kernel in virtual time, crash logs off. */
export function vrun<T>(coro: Coro<T>, options?: RunOptions): Promise<T> {
  return run(coro, { selector: new VirtualTimeSelector(), logErrors: false, ...options });
}

/** Capture the error a coroutine raises (fails the test if it does not raise). */
export function* catching(coro: Coro<unknown>): Coro<unknown> {
  try {
    yield* coro;
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

/** Sleep `ms`; if the sleep raises, record `"<name> <error name>"` in `events` and re-raise. */
export function* sleepRecording(events: string[], name: string, ms = 1000): Coro<void> {
  try {
    yield* sleep(ms);
  } catch (err) {
    events.push(`${name} ${(err as Error).name}`);
    throw err;
  }
}

/** The running kernel's clock (virtual time under `vrun`). */
export function* now(): Coro<number> {
  return (yield* getKernel()).selector.now();
}

/** What a {@link scripted} task does besides sleeping. */
export interface Script {
  /** raise this after the sleep instead of returning */
  fail?: Error;
  /** its finally sleeps this long (and records it) */
  cleanupMs?: number;
  /** record `"<name> starts"` first */
  announce?: boolean;
}

/**
 * Sleeps `ms`, then returns `value` (or raises `fail`); its finally takes `cleanupMs`. Each step
 * is recorded in `events` with the kernel's clock: `"a done at 10"`, `"b raises at 20"`,
 * `"c CancelledError at 20"`, `"c finally at 25"`.
 */
export function* scripted<T>(
  events: string[],
  name: string,
  ms: number,
  value: T,
  script: Script = {},
): Coro<T> {
  if (script.announce === true) events.push(`${name} starts`);
  try {
    yield* sleep(ms);
    if (script.fail !== undefined) {
      events.push(`${name} raises at ${yield* now()}`);
      throw script.fail;
    }
    events.push(`${name} done at ${yield* now()}`);
    return value;
  } catch (err) {
    if (err !== script.fail) events.push(`${name} ${(err as Error).name} at ${yield* now()}`);
    throw err;
  } finally {
    if (script.cleanupMs !== undefined) {
      yield* sleep(script.cleanupMs);
      events.push(`${name} finally at ${yield* now()}`);
    }
  }
}
