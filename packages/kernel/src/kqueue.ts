import type { Task } from './task.js';

/**
 * A kernel wait queue: tasks parked by `waitOnQueue` and woken, first in first out, by
 * `rescheduleTasks`. This is what synchronization primitives are built from.
 *
 * Invariant: the tasks linked from `_head` (through their run state's `_qNext`, a link of its
 * own, apart from the ready queue's) are exactly the `length` tasks whose waiter is this queue.
 * @example
 * ```ts run
 * import { KernelQueue, newTask, rescheduleTasks, run, waitOnQueue } from '@curio/kernel';
 *
 * const waiting = new KernelQueue();
 *
 * function* waiter() {
 *   const value = yield* waitOnQueue(waiting, 'MY_WAIT'); // the task's state while it waits
 *   console.log('woken with', value);
 * }
 *
 * await run(function* () {
 *   const task = yield* newTask(waiter());
 *   yield* rescheduleTasks(waiting, { n: 1, value: 42 }); // woken with 42
 *   yield* task.join();
 * }());
 * ```
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
    for (let t = this._head; t !== null; t = t._run!._qNext) yield t;
  }

  /** @internal */
  _push(task: Task): void {
    const tail = this._tail;
    task._run!._qPrev = tail; // its own link, apart from the ready queue's
    if (tail === null) this._head = task;
    else tail._run!._qNext = task;
    this._tail = task;
    this.length++;
  }

  /** @internal */
  _shift(): Task | null {
    const task = this._head;
    if (task !== null) this.withdraw(task);
    return task;
  }

  /** @internal Take `task` out of the line (woken, or withdrawn by a cancel or timeout). */
  withdraw(task: Task): void {
    const run = task._run!;
    const { _qPrev: prev, _qNext: next } = run;
    if (prev === null) this._head = next;
    else prev._run!._qNext = next;
    if (next === null) this._tail = prev;
    else next._run!._qPrev = prev;
    run._qPrev = run._qNext = null;
    this.length--;
  }
}
