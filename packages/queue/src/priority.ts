import { msg } from './message.js';
import { Q4, Q5, Q6 } from './messages.js';
import { Queue } from './queue.js';
import type { Store } from './store.js';
import { describe } from './validate.js';

/** Options of {@link PriorityQueue}. */
export interface PriorityQueueOptions<T> {
  /**
   * Orders items: negative when `a` comes first. Default: numbers, strings and bigints by `<`,
   * arrays element by element (like Python tuples: `[priority, data]`).
   */
  compare?: (a: T, b: T) => number;
}

/**
 * A {@link Queue} that returns the smallest item first. Items that compare equal come out in
 * the order they were put (stable).
 * @example
 * ```ts run
 * import { run } from '@curio/kernel';
 * import { PriorityQueue } from '@curio/queue';
 *
 * interface Job {
 *   deadline: number;
 *   name: string;
 * }
 *
 * await run(function* () {
 *   const jobs = new PriorityQueue<[number, string]>();
 *   yield* jobs.put([2, 'later']);
 *   yield* jobs.put([1, 'first']);
 *   console.log(yield* jobs.get()); // [ 1, 'first' ]
 *
 *   const byDeadline = new PriorityQueue<Job>(0, { compare: (a, b) => a.deadline - b.deadline });
 *   yield* byDeadline.put({ deadline: 20, name: 'b' });
 *   yield* byDeadline.put({ deadline: 10, name: 'a' });
 *   console.log((yield* byDeadline.get()).name); // a
 * }());
 * ```
 */
export class PriorityQueue<T> extends Queue<T> {
  private readonly natural: boolean;

  /**
   * @param maxsize the most items held, an integer >= 0 (default 0: unbounded).
   * @param options `compare` orders the items (default: natural order, see
   * {@link PriorityQueueOptions}).
   */
  constructor(maxsize = 0, options?: PriorityQueueOptions<T>) {
    super(maxsize);
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new TypeError(msg(Q4, describe(options)));
    }
    const compare = options?.compare;
    if (compare !== undefined && typeof compare !== 'function') {
      throw new TypeError(msg(Q5, describe(compare)));
    }
    this.natural = compare === undefined;
    this._store = new Heap<T>(compare ?? (naturalCompare as (a: T, b: T) => number));
  }

  /** @internal */
  override _check(item: T): void {
    if (this.natural && !isComparable(item)) {
      throw new TypeError(msg(Q6, describe(item)));
    }
  }
}

function isComparable(value: unknown): boolean {
  switch (typeof value) {
    case 'number':
      return !Number.isNaN(value);
    case 'string':
    case 'bigint':
      return true;
    default:
      return Array.isArray(value) && value.every(isComparable);
  }
}

/** Natural order: primitives by `<`, arrays lexicographically (shorter prefix first). */
function naturalCompare(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = naturalCompare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/**
 * A binary min-heap ordered by `compare`, ties broken by insertion order.
 * Invariant: entry i is not greater than its children 2i+1 and 2i+2. Each operation makes
 * every comparison before it moves anything, so a throwing `compare` leaves the heap intact.
 * @internal
 */
class Heap<T> implements Store<T> {
  private readonly items: T[] = [];
  private readonly seqs: number[] = [];
  private nextSeq = 0;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get length(): number {
    return this.items.length;
  }

  // True if (a, seqA) comes out before (b, seqB). A NaN from compare counts as equal.
  private before(a: T, seqA: number, b: T, seqB: number): boolean {
    const c = this.compare(a, b);
    return c < 0 || (!(c > 0) && seqA < seqB);
  }

  push(item: T): void {
    const { items, seqs } = this;
    const seq = this.nextSeq++;
    let i = items.length;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(item, seq, items[parent], seqs[parent])) break;
      i = parent;
    }
    // Comparisons done: shift the parents on the path down, then place the item.
    let hole = items.length;
    items.push(item);
    seqs.push(seq);
    while (hole > i) {
      const parent = (hole - 1) >> 1;
      items[hole] = items[parent];
      seqs[hole] = seqs[parent];
      hole = parent;
    }
    items[i] = item;
    seqs[i] = seq;
  }

  take(): T {
    const { items, seqs } = this;
    const top = items[0];
    const last = items.length - 1;
    const item = items[last];
    const seq = seqs[last];
    // Find where the last entry settles, comparing among the first `last` entries.
    const path: number[] = [];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (
        child + 1 < last &&
        this.before(items[child + 1], seqs[child + 1], items[child], seqs[child])
      ) {
        child++;
      }
      if (!this.before(items[child], seqs[child], item, seq)) break;
      path.push(child);
      i = child;
    }
    let hole = 0;
    for (const child of path) {
      items[hole] = items[child];
      seqs[hole] = seqs[child];
      hole = child;
    }
    items[hole] = item;
    seqs[hole] = seq;
    items.pop();
    seqs.pop();
    return top;
  }
}
