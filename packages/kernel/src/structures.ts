import { type Task, TaskRun, type TimerSlot } from './task.js';

/**
 * Binary min-heap of timer slots keyed by `(deadline, seq)`; each slot stores its own
 * index so a wait can be withdrawn in O(log n). Invariant: `heap[i]._index === i`.
 */
export class TimerHeap {
  #heap: TimerSlot[] = [];
  #seq = 0;

  get _size(): number {
    return this.#heap.length;
  }

  /** Earliest deadline, or Infinity when empty. */
  _peekDeadline(): number {
    return this.#heap.length === 0 ? Infinity : this.#heap[0]!._deadline;
  }

  _insert(slot: TimerSlot, deadline: number): void {
    slot._deadline = deadline;
    slot._seq = this.#seq++;
    const i = this.#heap.length;
    this.#heap.push(slot);
    slot._index = i;
    this.#up(i);
  }

  _remove(slot: TimerSlot): void {
    const i = slot._index;
    if (i < 0) return;
    slot._index = -1;
    const last = this.#heap.pop()!;
    if (last === slot) return;
    this.#heap[i] = last;
    last._index = i;
    this.#down(i);
    this.#up(last._index);
  }

  _pop(): TimerSlot | undefined {
    const top = this.#heap[0];
    if (top !== undefined) this._remove(top);
    return top;
  }

  #less(a: TimerSlot, b: TimerSlot): boolean {
    return a._deadline < b._deadline || (a._deadline === b._deadline && a._seq < b._seq);
  }

  #up(i: number): void {
    const heap = this.#heap;
    const item = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!this.#less(item, p)) break;
      heap[i] = p;
      p._index = i;
      i = parent;
    }
    heap[i] = item;
    item._index = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const item = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.#less(heap[child + 1]!, heap[child]!)) child++;
      const c = heap[child]!;
      if (!this.#less(c, item)) break;
      heap[i] = c;
      c._index = i;
      i = child;
    }
    heap[i] = item;
    item._index = i;
  }
}

/**
 * The tasks of a kernel that have not ended, as a tree: each is among the children of the task
 * that spawned it (linked through their run state's `_prevSibling` / `_nextSibling`, newest
 * first); one without a parent is a root. A task that ends while children it spawned still run
 * becomes a root, holding them (and its run state) until the last of them has ended.
 * Invariant: the `_count` tasks not ended are exactly those not ended reachable from the roots.
 * A submitted task joins only after its first step (most end there): until then it has no child
 * (spawning ends a step) and is the running task (see Scheduler._liveTasks).
 */
export class LiveTasks {
  // The roots, as the children of a run state that belongs to no task.
  readonly #roots = new TaskRun();
  _count = 0;

  /** `task` was spawned by `parent` (null: a root). */
  _add(task: Task, parent: Task | null): void {
    link(parent === null ? this.#roots : parent._run!, task);
    this._count++;
  }

  /**
   * `task` ended: it leaves its parent's children (or the roots); if children it spawned still
   * run it stays, as a root. A parent that ended before it lets go of its run state when its
   * last child leaves. Returns `task`'s run state (the caller lets go of it).
   */
  _remove(task: Task): TaskRun {
    const run = task._run!;
    const parent = task._parent;
    unlink(parent === null ? this.#roots : parent._run!, task);
    this._count--;
    if (run._firstChild !== null) link(this.#roots, task);
    if (parent?.terminated === true && parent._run!._firstChild === null) {
      unlink(this.#roots, parent);
      parent._run = null;
    }
    return run;
  }

  /** A snapshot, oldest first; with `extra`, a task not listed (it has no children yet). */
  _list(extra: Task | null = null): Task[] {
    const tasks: Task[] = extra === null ? [] : [extra];
    const lists = [this.#roots._firstChild];
    for (let t = lists.pop(); t !== undefined; t = lists.pop()) {
      for (; t !== null; t = t._run!._nextSibling) {
        if (!t.terminated) tasks.push(t);
        lists.push(t._run!._firstChild);
      }
    }
    return tasks.sort((a, b) => a.id - b.id);
  }
}

function link(list: TaskRun, task: Task): void {
  const run = task._run!;
  const first = list._firstChild;
  run._nextSibling = first;
  if (first !== null) first._run!._prevSibling = task;
  list._firstChild = task;
}

function unlink(list: TaskRun, task: Task): void {
  const run = task._run!;
  const { _prevSibling: prev, _nextSibling: next } = run;
  if (prev === null) list._firstChild = next;
  else prev._run!._nextSibling = next;
  if (next !== null) next._run!._prevSibling = prev;
  run._prevSibling = run._nextSibling = null;
}
