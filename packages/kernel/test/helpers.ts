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
