import type { Task } from './task.js';

/**
 * A growable ring buffer, used as the kernel's ready queue.
 * Invariant: items live at `(head + i) & mask` for `0 <= i < length`.
 */
export class Deque<T> {
  private items: (T | undefined)[] = new Array(16);
  private head = 0;
  private mask = 15;
  /** Number of items. */
  length = 0;

  push(item: T): void {
    if (this.length > this.mask) this.grow();
    this.items[(this.head + this.length) & this.mask] = item;
    this.length++;
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return item;
  }

  private grow(): void {
    const old = this.items;
    const size = old.length;
    const next: (T | undefined)[] = new Array(size * 2);
    for (let i = 0; i < size; i++) next[i] = old[(this.head + i) & this.mask];
    this.items = next;
    this.head = 0;
    this.mask = size * 2 - 1;
  }
}

/**
 * Binary min-heap of tasks keyed by `(_deadline, _timerSeq)`; each task stores its own
 * index so a wait can be withdrawn in O(log n). Invariant: `heap[i]._heapIndex === i`.
 */
export class TimerHeap {
  private heap: Task[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Earliest deadline, or Infinity when empty. */
  peekDeadline(): number {
    return this.heap.length === 0 ? Infinity : this.heap[0]!._deadline;
  }

  peek(): Task | undefined {
    return this.heap[0];
  }

  insert(task: Task, deadline: number): void {
    task._deadline = deadline;
    task._timerSeq = this.seq++;
    const i = this.heap.length;
    this.heap.push(task);
    task._heapIndex = i;
    this.up(i);
  }

  remove(task: Task): void {
    const i = task._heapIndex;
    if (i < 0) return;
    task._heapIndex = -1;
    const last = this.heap.pop()!;
    if (last === task) return;
    this.heap[i] = last;
    last._heapIndex = i;
    this.down(i);
    this.up(last._heapIndex);
  }

  pop(): Task | undefined {
    const top = this.heap[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  private less(a: Task, b: Task): boolean {
    return a._deadline < b._deadline || (a._deadline === b._deadline && a._timerSeq < b._timerSeq);
  }

  private up(i: number): void {
    const heap = this.heap;
    const item = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!this.less(item, p)) break;
      heap[i] = p;
      p._heapIndex = i;
      i = parent;
    }
    heap[i] = item;
    item._heapIndex = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.less(heap[child + 1]!, heap[child]!)) child++;
      const c = heap[child]!;
      if (!this.less(c, item)) break;
      heap[i] = c;
      c._heapIndex = i;
      i = child;
    }
    heap[i] = item;
    item._heapIndex = i;
  }
}
