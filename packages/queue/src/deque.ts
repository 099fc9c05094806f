/**
 * A double-ended queue on a growable ring buffer: O(1) push, shift and pop.
 * Invariant: the `length` items sit at `buffer[(head + i) & mask]` for i in [0, length).
 * @internal
 */
export class Deque<T> {
  private buffer: (T | undefined)[] = new Array(8);
  private mask = 7;
  private head = 0;
  length = 0;

  push(item: T): void {
    if (this.length === this.buffer.length) this.grow();
    this.buffer[(this.head + this.length) & this.mask] = item;
    this.length++;
  }

  /** Removes and returns the first item (`undefined` when empty). */
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.buffer[this.head];
    this.buffer[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return item;
  }

  /** The next item in first-in, first-out order (the queue's {@link Store} role). */
  take(): T {
    return this.shift() as T;
  }

  /** Removes and returns the last item (`undefined` when empty). */
  pop(): T | undefined {
    if (this.length === 0) return undefined;
    this.length--;
    const index = (this.head + this.length) & this.mask;
    const item = this.buffer[index];
    this.buffer[index] = undefined;
    return item;
  }

  /** Removes the first occurrence of `item`; false if absent. O(n). */
  remove(item: T): boolean {
    const { buffer, mask, head } = this;
    let i = 0;
    while (i < this.length && buffer[(head + i) & mask] !== item) i++;
    if (i === this.length) return false;
    for (; i < this.length - 1; i++) buffer[(head + i) & mask] = buffer[(head + i + 1) & mask];
    this.length--;
    buffer[(head + this.length) & mask] = undefined;
    return true;
  }

  private grow(): void {
    const old = this.buffer;
    const next: (T | undefined)[] = new Array(old.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = old[(this.head + i) & this.mask];
    this.buffer = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}
