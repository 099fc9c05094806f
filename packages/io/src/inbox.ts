import { type Coro, CurioError, readWait } from '@curio/kernel';
import { closedError } from './errors.js';
import { SingleWaiter } from './waiter.js';

/**
 * A FIFO of arrivals from Node callbacks (accepted connections, datagrams) that one task at
 * a time can `readWait` on. Invariant: `items[head..]` are the arrivals not yet taken.
 * @internal
 */
export class Inbox<T> extends SingleWaiter {
  private items: T[] = [];
  private head = 0;
  /** The first error reported by the Node object, raised by the next take. */
  error: Error | null = null;
  /** Set when the owner closes: wakes the waiter for good. */
  closed = false;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
    this.notify();
  }

  fail(err: Error): void {
    if (this.error === null) this.error = err;
    this.notify();
  }

  close(): T[] {
    this.closed = true;
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.notify();
    return rest;
  }

  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as T;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /**
   * The next arrival, waiting for one (`READ_WAIT`). Raises EBADF once closed, the Node
   * object's error, or a CurioError if another task already waits (as curio's sockets).
   */
  *take(fn: string, timeout: number | undefined): Coro<T> {
    for (;;) {
      const item = this.shift();
      if (item !== undefined) return item;
      if (this.closed) throw closedError(fn);
      if (this.error !== null) throw this.error;
      if (this.busy) {
        throw new CurioError(`${fn}: another task is already waiting to read this socket`);
      }
      yield* readWait(this, timeout === undefined ? undefined : { timeout });
    }
  }

  protected readyNow(): boolean {
    return this.length > 0 || this.closed || this.error !== null;
  }
}
