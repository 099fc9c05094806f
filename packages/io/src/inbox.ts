import type { ReadinessSource } from '@curio/kernel';

/**
 * A FIFO of arrivals from Node callbacks (accepted connections, datagrams) that the kernel
 * can `readWait` on. Invariant: `wake` is set only while a task waits and nothing is queued.
 * @internal
 */
export class Inbox<T> implements ReadinessSource {
  private items: T[] = [];
  private head = 0;
  private wake: (() => void) | null = null;
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

  /** True while a task waits on this inbox (only one may). */
  get busy(): boolean {
    return this.wake !== null;
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

  onReadable(wake: () => void): () => void {
    if (this.length > 0 || this.closed || this.error !== null) {
      wake();
      return noop;
    }
    this.wake = wake;
    return () => {
      if (this.wake === wake) this.wake = null;
    };
  }

  private notify(): void {
    const wake = this.wake;
    if (wake !== null) {
      this.wake = null;
      wake();
    }
  }
}

function noop(): void {}
