// What the kernel tells the user when something goes wrong: the deadlock report and the crash
// log of a task whose error nobody will see.
import { CurioError } from './errors.js';
import { host } from './host.js';
import type { Task } from './task.js';

/** @internal Every task is blocked and nothing can wake them: name (up to) ten of them. */
export function deadlockError(tasks: Task[]): CurioError {
  const blocked = tasks
    .slice(0, 10)
    .map((t) => `${t.name} (${t.state})`)
    .join(', ');
  return new CurioError(`deadlock: every task is blocked and nothing can wake them: ${blocked}`);
}

/** @internal `task` failed with `err` and no joiner or group will see it. */
export function reportCrash(task: Task, err: unknown, pdb: boolean, log: boolean): void {
  if (pdb) {
    // biome-ignore lint/suspicious/noDebugger: run(coro, { pdb: true }) asks to break here.
    debugger;
  }
  if (log) host.console?.error(`curio: task ${task.id} (${task.name}) crashed:`, err);
}
