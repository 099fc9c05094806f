// readWait / writeWait: the I/O traps. Kept apart from the scheduler so a program that never
// waits on I/O does not bundle them.
import { CurioError } from './errors.js';
import type { ExternalWait, Kernel } from './kernel.js';
import type { Task, TimeoutOptions } from './task.js';
import { type Coro, callWith, refused, type Trap, TrapKind } from './trap.js';
import { checkTimeout, describe } from './validate.js';

/**
 * An object the kernel can wait on for readiness, for sources that are not Node streams.
 * Each method arranges one call of `wake` when the operation can make progress and returns
 * a function that withdraws the wait.
 */
export interface ReadinessSource {
  /** Call `wake` once when a read would make progress. Returns a canceller. */
  onReadable?(wake: () => void): () => void;
  /** Call `wake` once when a write would make progress. Returns a canceller. */
  onWritable?(wake: () => void): () => void;
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

// Readiness of one Node stream. Listeners stay attached for the stream's life, so waiting
// costs no listener churn; at most one reader and one writer wait at a time.
class StreamWatcher {
  reader: Task | null = null;
  writer: Task | null = null;
  readonly readSide: ExternalWait = { withdraw: () => (this.reader = null) };
  readonly writeSide: ExternalWait = { withdraw: () => (this.writer = null) };
  constructor(stream: StreamLike) {
    const wakeReader = () => {
      const t = this.reader;
      if (t === null) return;
      this.reader = null;
      t._kernel._wakeExternal(t, undefined, false, true);
    };
    const wakeWriter = () => {
      const t = this.writer;
      if (t === null) return;
      this.writer = null;
      t._kernel._wakeExternal(t, undefined, false, true);
    };
    const wakeBoth = () => {
      wakeReader();
      wakeWriter();
    };
    stream.on('readable', wakeReader);
    stream.on('drain', wakeWriter);
    stream.on('end', wakeBoth);
    stream.on('finish', wakeWriter);
    stream.on('error', wakeBoth);
    stream.on('close', wakeBoth);
  }
}
const watchers = new WeakMap<object, StreamWatcher>();

// A wait on a custom readiness source: withdrawing calls the source's canceller.
class CustomWait implements ExternalWait {
  cancel: (() => void) | null = null;
  withdraw(): void {
    this.cancel?.();
  }
}

function ioWait(kernel: Kernel, task: Task, trap: Trap): void {
  const source = trap.a as StreamLike & ReadinessSource;
  const timeout = trap.b as number | undefined;
  const forRead = trap.kind === TrapKind.READ_WAIT;
  const state = forRead ? 'READ_WAIT' : 'WRITE_WAIT';
  const custom = forRead ? source.onReadable : source.onWritable;
  if (typeof custom === 'function') {
    const wait = new CustomWait();
    kernel._blockExternal(task, state, wait, timeout);
    let cancel: unknown;
    try {
      cancel = custom.call(source, () => {
        if (task._waitObj === wait) kernel._wakeExternal(task, undefined, false, true);
      });
    } catch (err) {
      // Already woken: the task is on the ready queue and must not get a second resume.
      if (task._waitObj !== wait) return;
      kernel._wakeExternal(task, err, true);
      return;
    }
    if (task._waitObj !== wait) return; // woken during the call
    if (typeof cancel !== 'function') {
      const method = forRead ? 'onReadable' : 'onWritable';
      kernel._wakeExternal(
        task,
        new TypeError(`${method}(wake) must return a function that withdraws the wait`),
        true,
      );
      return;
    }
    wait.cancel = cancel as () => void;
    return;
  }
  // A Node stream: ready now, or wait for its events.
  const readyNow = forRead
    ? (source.readableLength ?? 0) > 0 || source.readableEnded === true || source.destroyed === true
    : source.writableNeedDrain !== true || source.destroyed === true;
  if (readyNow) {
    kernel._resume(task, undefined);
    return;
  }
  let watcher = watchers.get(source);
  if (watcher === undefined) {
    watcher = new StreamWatcher(source);
    watchers.set(source, watcher);
  }
  const other = forRead ? watcher.reader : watcher.writer;
  if (other !== null && other !== task) {
    throw new CurioError(
      `${forRead ? 'readWait' : 'writeWait'}: ${other.name} is already waiting on this source`,
    );
  }
  if (forRead) watcher.reader = task;
  else watcher.writer = task;
  kernel._blockExternal(task, state, forRead ? watcher.readSide : watcher.writeSide, timeout);
}

function checkSource(fn: string, source: unknown, method: 'onReadable' | 'onWritable'): void {
  const ok =
    source !== null &&
    typeof source === 'object' &&
    (typeof (source as ReadinessSource)[method] === 'function' ||
      (typeof (source as StreamLike).on === 'function' &&
        typeof (source as StreamLike).removeListener === 'function'));
  if (!ok) {
    throw new TypeError(
      `${fn}(source): source must be a Node stream or implement ${method}(wake), got ${describe(source)}`,
    );
  }
}

/**
 * Sleep until reading `source` would make progress (data, end of file or an error).
 * Does no I/O itself. Only one task may wait to read a source at a time.
 * @example
 * while ((chunk = stream.read()) === null) yield* readWait(stream);
 */
export function readWait(source: WaitSource, options?: TimeoutOptions): Coro<void> {
  try {
    checkSource('readWait', source, 'onReadable');
    return callWith(ioWait, TrapKind.READ_WAIT, source, checkTimeout('readWait', options?.timeout));
  } catch (err) {
    return refused(err);
  }
}

/**
 * Sleep until writing `source` would make progress (its buffer drained, or it closed).
 * @example
 * if (!stream.write(data)) yield* writeWait(stream);
 */
export function writeWait(source: WaitSource, options?: TimeoutOptions): Coro<void> {
  try {
    checkSource('writeWait', source, 'onWritable');
    return callWith(
      ioWait,
      TrapKind.WRITE_WAIT,
      source,
      checkTimeout('writeWait', options?.timeout),
    );
  } catch (err) {
    return refused(err);
  }
}
