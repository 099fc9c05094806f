import { type Task, TaskRun, type TimerSlot } from './task.js';

/**
 * Binary min-heap of timer slots keyed by `(deadline, seq)`. The deadlines live in a typed
 * array beside the slots, so a sift compares keys that sit side by side in memory and touches
 * only the slots it moves (with 100k sleepers, comparing through the slots cost a cache miss
 * per slot read: popping the earliest took 15% of the timers workload). Each slot stores its
 * own index, so a wait can be withdrawn in O(log n). Invariant: for `i < size`,
 * `slots[i]._index === i` and `keys[i]` is its deadline; a slot not in the heap has index -1.
 */
export class TimerHeap {
  #keys = new Float64Array(64);
  #slots: TimerSlot[] = [];
  #seq = 0;

  get _size(): number {
    return this.#slots.length;
  }

  /** Earliest deadline, or Infinity when empty. */
  _peekDeadline(): number {
    return this.#slots.length === 0 ? Infinity : this.#keys[0]!;
  }

  _insert(slot: TimerSlot, deadline: number): void {
    slot._seq = this.#seq++;
    const n = this.#slots.push(slot);
    if (n > this.#keys.length) this.#resize(n * 2);
    this.#place(n - 1, slot, deadline);
  }

  _remove(slot: TimerSlot): void {
    const i = slot._index;
    if (i < 0) return;
    slot._index = -1;
    const last = this.#slots.pop()!;
    const n = this.#slots.length;
    if (i < n) this.#place(i, last, this.#keys[n]!);
    if (n > 64 && n * 4 < this.#keys.length) this.#resize(n * 2);
  }

  _pop(): TimerSlot | undefined {
    const top = this.#slots[0];
    if (top !== undefined) this._remove(top);
    return top;
  }

  #resize(capacity: number): void {
    const keys = new Float64Array(capacity);
    keys.set(this.#keys.subarray(0, this.#slots.length));
    this.#keys = keys;
  }

  // Put `item` (deadline `key`) into the hole at `i`: up while it comes before its parent, then
  // down while a child comes before it (at most one of the two moves it).
  #place(i: number, item: TimerSlot, key: number): void {
    const keys = this.#keys;
    const slots = this.#slots;
    const n = slots.length;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = slots[parent]!;
      if (!before(key, item, keys[parent]!, p)) break;
      keys[i] = keys[parent]!;
      slots[i] = p;
      p._index = i;
      i = parent;
    }
    for (let child = 2 * i + 1; child < n; child = 2 * i + 1) {
      const right = child + 1;
      if (right < n && before(keys[right]!, slots[right]!, keys[child]!, slots[child]!)) {
        child = right;
      }
      const c = slots[child]!;
      if (!before(keys[child]!, c, key, item)) break;
      keys[i] = keys[child]!;
      slots[i] = c;
      c._index = i;
      i = child;
    }
    keys[i] = key;
    slots[i] = item;
    item._index = i;
  }
}

// Whether the entry (ka, a) comes before (kb, b): the earlier deadline, then the earlier insert.
function before(ka: number, a: TimerSlot, kb: number, b: TimerSlot): boolean {
  return ka < kb || (ka === kb && a._seq < b._seq);
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
