// Which task's code is running right now: the scheduler sets it for each step of a slice.
import { CurioError } from './errors.js';
import { msg } from './explain.js';
import { K14 } from './messages.js';
import type { Task } from './task.js';

/** @internal The task running right now (set for each step of a slice; null between slices). */
export const running: { task: Task | null } = { task: null };

/** @internal The task whose code is running right now, or null (plain code). */
export function runningTask(): Task | null {
  return running.task;
}

/** @internal Refuse to start a kernel inside a task: it would block nothing (curio refuses too). */
export function refuseNestedRun(fn: string): void {
  if (running.task !== null) throw new CurioError(msg(K14, fn));
}
