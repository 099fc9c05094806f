import { type Coro, type RunOptions, run, VirtualTimeSelector } from '../src/index.js';

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
