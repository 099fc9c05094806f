import type { Task, TimerSlot } from './task.js';

/**
 * Binary min-heap of timer slots keyed by `(deadline, seq)`; each slot stores its own
 * index so a wait can be withdrawn in O(log n). Invariant: `heap[i].index === i`.
 */
export class TimerHeap {
  #heap: TimerSlot[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  /** Earliest deadline, or Infinity when empty. */
  peekDeadline(): number {
    return this.#heap.length === 0 ? Infinity : this.#heap[0]!.deadline;
  }

  insert(slot: TimerSlot, deadline: number): void {
    slot.deadline = deadline;
    slot.seq = this.#seq++;
    const i = this.#heap.length;
    this.#heap.push(slot);
    slot.index = i;
    this.#up(i);
  }

  remove(slot: TimerSlot): void {
    const i = slot.index;
    if (i < 0) return;
    slot.index = -1;
    const last = this.#heap.pop()!;
    if (last === slot) return;
    this.#heap[i] = last;
    last.index = i;
    this.#down(i);
    this.#up(last.index);
  }

  pop(): TimerSlot | undefined {
    const top = this.#heap[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  #less(a: TimerSlot, b: TimerSlot): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  }

  #up(i: number): void {
    const heap = this.#heap;
    const item = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!this.#less(item, p)) break;
      heap[i] = p;
      p.index = i;
      i = parent;
    }
    heap[i] = item;
    item.index = i;
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
      c.index = i;
      i = child;
    }
    heap[i] = item;
    item.index = i;
  }
}

/**
 * The tasks of a kernel that have not ended, oldest first, linked through their run state's
 * `prevLive` / `nextLive`. Invariant: `head..nextLive` links exactly `count` tasks.
 */
export class LiveTasks {
  head: Task | null = null;
  #tail: Task | null = null;
  count = 0;

  add(task: Task): void {
    const tail = this.#tail;
    task._run!.prevLive = tail;
    if (tail === null) this.head = task;
    else tail._run!.nextLive = task;
    this.#tail = task;
    this.count++;
  }

  remove(task: Task): void {
    const run = task._run!;
    const { prevLive: prev, nextLive: next } = run;
    if (prev === null) this.head = next;
    else prev._run!.nextLive = next;
    if (next === null) this.#tail = prev;
    else next._run!.prevLive = prev;
    run.prevLive = run.nextLive = null;
    this.count--;
  }

  /** A snapshot, oldest first. */
  list(): Task[] {
    const tasks: Task[] = [];
    for (let t = this.head; t !== null; t = t._run!.nextLive) tasks.push(t);
    return tasks;
  }
}
