/**
 * Where a queue keeps its items; the store decides the order `get` sees them in.
 * @internal
 */
export interface Store<T> {
  readonly length: number;
  push(item: T): void;
  /** Removes and returns the next item; only called when `length > 0`. */
  take(): T;
}

/** Last in, first out. @internal */
export class Stack<T> implements Store<T> {
  private readonly items: T[] = [];
  get length(): number {
    return this.items.length;
  }
  push(item: T): void {
    this.items.push(item);
  }
  take(): T {
    return this.items.pop() as T;
  }
}
