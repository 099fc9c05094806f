// Debug mode (`new Kernel({ debug: true })`, `run(coro, { debug: true })`, CURIO_DEBUG=1): each
// task records where it was spawned, where it waits (the stack of its last kernel call) and its
// name (its generator function's), and a kernel call made in a task but never run (a `yield*`
// forgotten) is reported. It costs a stack capture per kernel call and per spawn; off, nothing:
// it is an activation, installed only in debug mode.
import { type Activation, notify, recordWhere } from './activations.js';
import { runningTask } from './current.js';
import { msg } from './explain.js';
import { host } from './host.js';
import type { Kernel } from './kernel.js';
import { K32 } from './messages.js';
import { siteOf, userFrame } from './stacks.js';
import { stackBelow, type Trap, TrapMode, traceOf, traceTraps, watchTraps } from './trap.js';

/** @internal CURIO_DEBUG=1 (or true, yes, on) in the environment, where the host has one. */
export function debugFromEnv(): boolean {
  const env = (host as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return /^(?:1|true|yes|on)$/i.test(env?.CURIO_DEBUG ?? '');
}

const debugKernels = new Set<Kernel>();
let unrun: FinalizationRegistry<[string, Error]> | undefined;

/** @internal Debug mode, as an activation: installed by the kernel when asked for. */
export const debugging: Activation = {
  activate(kernel) {
    debugKernels.add(kernel);
    watchTraps(watchIssued);
    traceTraps(1);
    kernel._onShutdown(() => {
      traceTraps(-1);
      debugKernels.delete(kernel);
      if (debugKernels.size === 0) watchTraps(undefined);
    });
  },
  created(task) {
    // Spawned by a task: its spawn trap recorded the call. Else (run, addTask, submit) the
    // caller is on the stack now.
    const trap = runningTask() === null ? undefined : task._kernel._trapInHand;
    const where = (trap && traceOf(trap)) ?? stackBelow(notify);
    const frame = userFrame(where.stack);
    if (frame !== undefined) task._extra().spawnSite = siteOf(frame);
  },
  suspended(task, trap) {
    recordWhere(task, trap);
    if (trap !== undefined) unrun?.unregister(trap);
  },
};

// A trap made in a task of a debug kernel: report it if it is dropped without being run. Traps
// answered without a switch (by the kernel or by themselves) are not watched (the kernel is not
// told when they run).
function watchIssued(trap: Trap, where: Error): void {
  const task = runningTask();
  if (task === null || trap.spec.mode <= TrapMode.IMMEDIATE) return;
  if (!debugKernels.has(task._kernel) || typeof FinalizationRegistry !== 'function') return;
  unrun ??= new FinalizationRegistry(neverRun);
  unrun.register(trap, [trap.spec.name, where], trap);
}

function neverRun([name, where]: [string, Error]): void {
  const frame = userFrame(where.stack);
  const at = frame === undefined ? '' : ` at ${siteOf(frame)}`;
  host.console?.error(msg(K32, name, at));
}
