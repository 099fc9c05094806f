// readWait / writeWait: the I/O traps. Kept apart from the scheduler so a program that never
// waits on I/O does not bundle them.
import { CurioError } from './errors.js';
import { msg } from './explain.js';
import type { Kernel } from './kernel.js';
import { K40, K41, K42 } from './messages.js';
import type { Task, TimeoutOptions, Waiter } from './task.js';
import { type Coro, defineTrap, type Trap, TrapMode } from './trap.js';
import { checkTimeout, describe } from './validate.js';

/**
 * An object the kernel can wait on for readiness, for sources that are not Node streams.
 * Each method arranges one call of `wake` when the operation can make progress and returns
 * a function that withdraws the wait.
 *
 * `wake(true)` says the wake-up brings a large piece of work (a big read): the task then runs
 * right after the host callback that woke it, while that data is still in the CPU's caches,
 * even where wake-ups by readiness otherwise wait for the host's other I/O events (see "When
 * woken tasks run" in the README).
 */
export interface ReadinessSource {
  /** Call `wake` once when a read would make progress. Returns a canceller. */
  onReadable?(wake: (now?: boolean) => void): () => void;
  /** Call `wake` once when a write would make progress. Returns a canceller. */
  onWritable?(wake: (now?: boolean) => void): () => void;
}

/** The part of a Node stream the kernel uses: events and readiness flags. */
export interface StreamLike {
  /** Subscribe to a stream event (`'readable'`, `'drain'`, `'end'`, `'error'`, `'close'`). */
  on(event: string, listener: (...args: never[]) => void): unknown;
  /** Unsubscribe (part of the shape the kernel checks for). */
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  readonly readableLength?: number;
  readonly readableEnded?: boolean;
  readonly writableNeedDrain?: boolean;
  readonly destroyed?: boolean;
}

/** What `readWait` / `writeWait` accept. */
export type WaitSource = StreamLike | ReadinessSource;

// One side (read or write) of a watched Node stream: at most one task waits on it at a time.
class StreamSide implements Waiter {
  readonly external = true;
  readonly io = true;
  task: Task | null = null;
  withdraw(): void {
    this.task = null;
  }
  // The stream is ready: wake the waiting task, if any.
  readonly ready = (): void => {
    const task = this.task;
    if (task === null) return;
    this.task = null;
    task._kernel._wake(task, this, undefined);
  };
}

// Readiness of one Node stream. Listeners stay attached for the stream's life, so waiting
// costs no listener churn.
class StreamWatcher {
  readonly reader = new StreamSide();
  readonly writer = new StreamSide();
  constructor(stream: StreamLike) {
    const { reader, writer } = this;
    const both = () => {
      reader.ready();
      writer.ready();
    };
    stream.on('readable', reader.ready);
    stream.on('drain', writer.ready);
    stream.on('end', both);
    stream.on('finish', writer.ready);
    stream.on('error', both);
    stream.on('close', both);
  }
}
const watchers = new WeakMap<object, StreamWatcher>();

// A wait on a custom readiness source: withdrawing calls the source's canceller. A source may
// still call `wake` after that (it races the cancel): the kernel ignores such late wakes.
class CustomWait implements Waiter {
  readonly external = true;
  readonly io = true;
  readonly lateWakes = true;
  cancel: (() => void) | null = null;
  withdraw(): void {
    this.cancel?.();
  }
}

type Source = StreamLike & ReadinessSource;

function ioWait(
  kernel: Kernel,
  task: Task,
  trap: Trap<Source, TimeoutOptions | undefined, boolean>,
): unknown {
  const { a: source, b: options, c: forRead } = trap;
  const timeout = options?.timeout ?? undefined;
  const state = forRead ? 'READ_WAIT' : 'WRITE_WAIT';
  const custom = forRead ? source.onReadable : source.onWritable;
  if (typeof custom === 'function') {
    const wait = new CustomWait();
    // The kernel's own marker (another copy of this package has another SUSPENDED).
    const suspended = kernel._suspend(task, state, wait, timeout);
    let cancel: unknown;
    try {
      cancel = custom.call(source, (now?: boolean) =>
        kernel._wake(task, wait, undefined, false, now === true),
      );
    } catch (err) {
      kernel._wake(task, wait, err, true);
      return suspended;
    }
    if (typeof cancel !== 'function') {
      const method = forRead ? 'onReadable' : 'onWritable';
      kernel._wake(task, wait, new TypeError(msg(K40, method)), true);
    } else {
      wait.cancel = cancel as () => void;
    }
    return suspended;
  }
  // A Node stream: ready now, or wait for its events.
  const readyNow = forRead
    ? (source.readableLength ?? 0) > 0 || source.readableEnded === true || source.destroyed === true
    : source.writableNeedDrain !== true || source.destroyed === true;
  if (readyNow) return undefined;
  let watcher = watchers.get(source);
  if (watcher === undefined) {
    watcher = new StreamWatcher(source);
    watchers.set(source, watcher);
  }
  const side = forRead ? watcher.reader : watcher.writer;
  if (side.task !== null && side.task !== task) {
    throw new CurioError(msg(K41, forRead ? 'readWait' : 'writeWait', side.task.name));
  }
  side.task = task;
  return kernel._suspend(task, state, side, timeout);
}

function checkSource(fn: string, source: unknown, method: 'onReadable' | 'onWritable'): void {
  const ok =
    source !== null &&
    typeof source === 'object' &&
    (typeof (source as ReadinessSource)[method] === 'function' ||
      (typeof (source as StreamLike).on === 'function' &&
        typeof (source as StreamLike).removeListener === 'function'));
  if (!ok) {
    throw new TypeError(msg(K42, fn, method, describe(source)));
  }
}

function checkWait(
  fn: string,
  method: 'onReadable' | 'onWritable',
  source: Source,
  options?: TimeoutOptions,
): void {
  checkSource(fn, source, method);
  checkTimeout(fn, options?.timeout);
}
const readTrap = /* @__PURE__ */ defineTrap<void, Source, TimeoutOptions | undefined, boolean>(
  'readWait',
  TrapMode.BLOCK,
  ioWait,
  (source, options) => checkWait('readWait', 'onReadable', source, options),
);
const writeTrap = /* @__PURE__ */ defineTrap<void, Source, TimeoutOptions | undefined, boolean>(
  'writeWait',
  TrapMode.BLOCK,
  ioWait,
  (source, options) => checkWait('writeWait', 'onWritable', source, options),
);

/**
 * Sleep until reading `source` would make progress (data, end of file or an error).
 * Does no I/O itself. Only one task may wait to read a source at a time.
 * @example
 * import type { Readable } from 'node:stream';
 * import { readWait } from '@curio/kernel';
 *
 * function* readChunk(stream: Readable) {
 *   let chunk: Buffer | null;
 *   while ((chunk = stream.read()) === null) yield* readWait(stream); // Python: _read_wait
 *   return chunk;
 * }
 */
export function readWait(source: WaitSource, options?: TimeoutOptions): Coro<void> {
  return readTrap(source as Source, options, true);
}

/**
 * Sleep until writing `source` would make progress (its buffer drained, or it closed).
 * @example
 * import type { Writable } from 'node:stream';
 * import { writeWait } from '@curio/kernel';
 *
 * function* writeChunk(stream: Writable, data: Buffer) {
 *   if (!stream.write(data)) yield* writeWait(stream); // until the stream drains
 * }
 */
export function writeWait(source: WaitSource, options?: TimeoutOptions): Coro<void> {
  return writeTrap(source as Source, options, false);
}
