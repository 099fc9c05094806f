// Activations (curio's debug.py): objects the kernel tells about each task's life. The
// scheduler calls them only while at least one is installed, so they cost nothing otherwise.
// The monitor's bookkeeping (each task's run time and where it waits) is one of them.

import { msg } from './explain.js';
import { host, hostNow } from './host.js';
import type { Kernel } from './kernel.js';
import { K33 } from './messages.js';
import { taskNameOf } from './stacks.js';
import type { Task } from './task.js';
import { type Trap, traceOf } from './trap.js';

/**
 * What the kernel tells an activation, each hook optional: `activate` once when installed,
 * `created` when a task is made, `running` before each of its steps, `suspended` when a step
 * ends at a trap (the task blocked or yielded its turn), `terminated` when it ends.
 * @example
 * import { type Activation, run, sleep } from '@curio/kernel';
 *
 * const steps: Activation = { running: (task) => console.log('step', task.name) };
 * await run(function* main() { yield* sleep(1); }(), { activations: [steps] });
 */
export interface Activation {
  /** Installed in `kernel` (before any other hook). */
  activate?(kernel: Kernel): void;
  /** `task` was made (it has not run yet). */
  created?(task: Task): void;
  /** `task` is about to run a step. */
  running?(task: Task): void;
  /** `task`'s step ended at `trap` (the task did not end). */
  suspended?(task: Task, trap: Trap | undefined): void;
  /** `task` ended (its result or error is set). */
  terminated?(task: Task): void;
}

/**
 * @internal Call `hook` of each installed activation. One that throws is reported once and
 * removed from `list`: the kernel and the other activations go on.
 */
export function notify(
  list: Activation[],
  hook: keyof Activation,
  arg: unknown,
  trap?: Trap,
): void {
  for (const activation of list.slice()) {
    const fn = activation[hook] as ((arg: unknown, trap?: Trap) => void) | undefined;
    if (fn === undefined) continue;
    try {
      fn.call(activation, arg, trap);
    } catch (err) {
      list.splice(list.indexOf(activation), 1);
      host.console?.error(msg(K33, label(activation), hook), err);
    }
  }
}

// An activation as a report names it: its class, or the hooks of a plain object.
function label(activation: Activation): string {
  const name = (activation as { constructor?: { name?: string } }).constructor?.name;
  if (name && name !== 'Object') return name;
  return `{ ${Object.keys(activation).join(', ')} }`;
}

let stepStart = 0; // steps never nest: one start time serves every kernel

/** @internal The monitor's activation: each task's run time and the trap it waits in. */
export const monitoring: Activation = {
  running() {
    stepStart = hostNow();
  },
  suspended(task, trap) {
    task._extra().runTime += hostNow() - stepStart;
    recordWhere(task, trap);
  },
  terminated(task) {
    task._extra().runTime += hostNow() - stepStart;
  },
};

/**
 * @internal Keep `trap`'s stack as the task's `where` (the monitor, debug mode); the first one
 * kept names a task that has no name (after its generator function, when the stack shows it).
 */
export function recordWhere(task: Task, trap: Trap | undefined): void {
  const where = trap === undefined ? undefined : traceOf(trap);
  if (where === undefined) return;
  const extra = task._extra();
  if (extra.where === undefined) extra.name ??= taskNameOf(where.stack);
  extra.where = where;
}
