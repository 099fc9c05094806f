// Per-call deadlines on the kernel's clock, so a timeout bounds a whole composite call
// (sendall, readline, ...) rather than each wait inside it.
import { type Coro, getKernel } from '@curio/kernel';

/** The kernel time at which a call with `timeout` ms gives up (Infinity: never). @internal */
export function* deadlineAfter(timeout: number | undefined): Coro<number> {
  if (timeout === undefined) return Infinity;
  const kernel = yield* getKernel();
  return kernel.selector.now() + timeout;
}

/** The `timeout` to give the next wait before `deadline` (undefined: none). @internal */
export function* remaining(deadline: number): Coro<number | undefined> {
  if (deadline === Infinity) return undefined;
  const kernel = yield* getKernel();
  return Math.max(0, deadline - kernel.selector.now());
}
