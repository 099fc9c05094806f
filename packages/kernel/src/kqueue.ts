import type { Task } from './task.js';

/**
 * A kernel wait queue: tasks parked by `waitOnQueue` and woken, first in first out, by
 * `rescheduleTasks`. This is what synchronization primitives are built from.
 *
 * Invariant: the tasks linked from `_head` are exactly the `length` tasks whose
 * `_waitObj` is this queue; a task waits on at most one queue at a time.
 * @example
 * const waiting = new KernelQueue();
 * // in one task:   yield* waitOnQueue(waiting, 'MY_WAIT');
 * // in another:    yield* rescheduleTasks(waiting, { n: 1 });
 */
export class KernelQueue {
  /** @internal */ _head: Task | null = null;
  /** @internal */ _tail: Task | null = null;
  /** Number of tasks waiting. */
  length = 0;

  /** True when no task waits here. */
  isEmpty(): boolean {
    return this.length === 0;
  }

  /** The waiting tasks, first to be woken first. */
  *[Symbol.iterator](): IterableIterator<Task> {
    for (let t = this._head; t !== null; t = t._qNext) yield t;
  }

  /** @internal */
  _push(task: Task): void {
    task._qNext = null;
    task._qPrev = this._tail;
    if (this._tail === null) this._head = task;
    else this._tail._qNext = task;
    this._tail = task;
    this.length++;
  }

  /** @internal */
  _shift(): Task | null {
    const task = this._head;
    if (task !== null) this._remove(task);
    return task;
  }

  /** @internal */
  _remove(task: Task): void {
    if (task._qPrev === null && this._head !== task) return; // not (or no longer) here
    const { _qPrev: prev, _qNext: next } = task;
    if (prev === null) this._head = next;
    else prev._qNext = next;
    if (next === null) this._tail = prev;
    else next._qPrev = prev;
    task._qPrev = task._qNext = null;
    this.length--;
  }
}
