import { type Coro, run, VirtualTimeSelector } from '@curio/kernel';

/** Run `main` on a fresh kernel in virtual time (sleeps and timeouts are instant). */
export function runVirtual<T>(main: () => Coro<T>): Promise<T> {
  return run(main(), { selector: new VirtualTimeSelector(), logErrors: false });
}

/** A coroutine that records the error `coro` raises (its name), or 'ok'. */
export function* outcome(coro: Coro<unknown>): Coro<string> {
  try {
    yield* coro;
    return 'ok';
  } catch (err) {
    return err instanceof Error ? err.name : String(err);
  }
}
