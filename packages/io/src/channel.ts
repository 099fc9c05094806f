// The one read buffer and write path shared by every wrapper of a Node stream: a Socket and
// the Streams made from it read through the same Channel, so no byte is lost between them.
import { Socket as NetSocket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { type Coro, CurioError, futureWait, readWait } from '@curio/kernel';
import { deadlineAfter, remaining } from './deadline.js';
import { closedError, systemError } from './errors.js';
import { emitsClose, readsByReadableEvents, resetFlowing } from './node-compat.js';
import { SingleWaiter } from './waiter.js';
import { EMPTY, Writer } from './writer.js';

/** A Node stream a `Stream` can wrap: Readable, Writable, or both (Duplex). */
export type NodeStream = Readable | Writable | (Readable & Writable);

export { EMPTY };

/**
 * What a Stream made by `Socket.makefile` reads and writes through (the Socket): it has no
 * Node stream of its own.
 * @internal
 */
export interface ChannelSource {
  /** The Node object (for `Stream.blocking`), or null if none yet. */
  readonly raw: object | null;
  /** The connected Channel, once a pending connection has finished. */
  _channel(fn: string): Coro<Channel>;
}
const NEWLINE = 10;
// A sized read finding a queued chunk at least this big returns it whole rather than joined
// with the next ones.
const WHOLE_CHUNK = 16 * 1024;
// Bytes a Channel queues before it pauses the Node stream (backpressure); it resumes at half.
// Four of Node's 64 KiB socket reads: a reader that takes one read's worth at a time while
// data streams in crosses it rarely (at one read's worth, pause and resume, each a syscall
// and a tick of Node's, came with most chunks).
const QUEUE_LIMIT = 256 * 1024;
// The limit while a reader woken by the data has yet to run. Node reads a socket up to 32
// times per poll, and a kernel with many waiting tasks runs them after the poll: an active
// reader then finds several reads' worth queued, and pausing at QUEUE_LIMIT came with one in
// seven chunks of a 50-connection stream. Not higher: at 1 MiB, 50 streams queued up to 40 MB
// within one poll, the young-generation GC ran in between and promoted the chunks, and then
// 4-10 full GCs per GB echoed (none with the 'data' echo) cost a quarter of the CPU per byte
// in some runs. A reader that is not waiting still pauses the stream at QUEUE_LIMIT.
const WOKEN_QUEUE_LIMIT = 512 * 1024;
// A chunk this big wakes its waiting reader at once, right after Node's callback, not with the
// other wake-ups of the poll (see the kernel's ReadinessSource): the reader takes it while it
// is still in the CPU's caches. Batched, a 50-connection stream of 64 KiB chunks read ~14 MB
// per poll before echoing any of it, and the copies into the kernel's send buffers ran from
// memory (~2x their cost in the 'data' echo). Smaller reads (requests, ping-pong) stay batched.
const WAKE_AT_ONCE = 16 * 1024;

const channels = new WeakMap<object, Channel>();

function isReadable(raw: NodeStream): raw is Readable {
  return typeof (raw as Readable).read === 'function';
}

function isWritable(raw: NodeStream): raw is Writable {
  return typeof (raw as Writable).write === 'function';
}

/**
 * Read and write state of one Node stream, shared by all its wrappers.
 *
 * Reading: on first use the Channel takes the Node stream's data in flowing mode ('data'
 * events) into its own queue of chunks, pausing the Node stream while more than
 * `QUEUE_LIMIT` bytes wait to be read and resuming it once reads have taken them (Node's own
 * buffer and the OS then hold the rest). A reader waits with `readWait(channel)`: the
 * Channel is its own readiness source (one reader at a time). A stream someone else already
 * reads through 'readable' events cannot flow; it is read in paused mode (`read()`) instead.
 * Invariant: `chunks[head..]` hold bytes taken from the Node stream and not yet returned, and
 * every read takes from them before asking Node.
 *
 * Writing goes through `writer` (see {@link Writer}).
 * @internal
 */
export class Channel extends SingleWaiter {
  /** The Channel of `raw`, made on first use. */
  static of(raw: NodeStream): Channel {
    let channel = channels.get(raw);
    if (channel === undefined) {
      channel = new Channel(raw);
      channels.set(raw, channel);
    }
    return channel;
  }

  readonly readable: Readable | null;
  readonly writable: Writable | null;
  /** The write path. */
  readonly writer: Writer;
  /** The first error the Node stream reported. */
  error: Error | null = null;
  /** `shutdown(SHUT_RD)`: reads return end of file. */
  readShut = false;
  /** The owning Socket closed (or detached): every operation raises EBADF. */
  closed = false;
  private chunks: Buffer[] = [];
  private head = 0;
  private buffered = 0;
  // 'idle': not reading yet; 'flowing': 'data' events fill the queue; 'paused': read() it.
  private mode: 'idle' | 'flowing' | 'paused' = 'idle';
  private throttled = false; // we paused the flowing Node stream (queue over the limit)
  private ended = false;
  // A reader was woken by data and has not taken any yet.
  private readerWoken = false;
  private readonly onData = (chunk: Buffer | string): void => {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (buf.length === 0) return;
    this.chunks.push(buf);
    this.buffered += buf.length;
    const limit = this.readerWoken ? WOKEN_QUEUE_LIMIT : QUEUE_LIMIT;
    if (this.buffered > limit && !this.throttled && this.mode === 'flowing') {
      this.throttled = true;
      this.readable!.pause();
    }
    if (this.notify(buf.length >= WAKE_AT_ONCE)) this.readerWoken = true;
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.notify();
  };
  private readonly onWake = (): void => {
    this.notify();
  };

  private constructor(readonly raw: NodeStream) {
    super();
    this.readable = isReadable(raw) ? raw : null;
    this.writable = isWritable(raw) ? raw : null;
    // A plain TCP or Unix socket: an empty write is invisible to the peer.
    const quiet = raw instanceof NetSocket && (raw as { encrypted?: boolean }).encrypted !== true;
    this.writer = new Writer(this, this.writable, quiet);
    raw.on('error', (err: Error) => {
      if (this.error === null) this.error = err;
      this.notify();
      this.writer.wakeAll();
    });
    const errored = (raw as Readable).errored;
    if (errored) this.error = errored;
  }

  /** Bytes received and not yet read. */
  get bufferedLength(): number {
    return this.buffered;
  }

  /** Up to `max` bytes (`max < 0`: all buffered) now; empty at end of file; null if none yet. */
  tryRead(fn: string, max: number): Buffer | null {
    if (this.closed) throw closedError(fn);
    if (this.buffered === 0 && !this.fill(fn)) return this.atEnd();
    return this.take(max);
  }

  // The first queued chunk whole (for readline/readall), or what tryRead returns.
  private tryChunk(fn: string): Buffer | null {
    if (this.closed) throw closedError(fn);
    if (this.buffered === 0 && !this.fill(fn)) return this.atEnd();
    const chunk = this.chunks[this.head];
    this.shift();
    this.buffered -= chunk.length;
    this.drained();
    return chunk;
  }

  // With nothing queued: EMPTY at end of file, null if more may come; raises a stream error.
  private atEnd(): Buffer | null {
    if (this.error !== null) throw this.error;
    if (this.readShut) return EMPTY;
    const readable = this.readable!;
    if (this.ended || readable.readableEnded || readable.destroyed) return EMPTY;
    return null;
  }

  // Queue what Node has (starting to read if not yet); false if nothing is queued.
  private fill(fn: string): boolean {
    if (this.error !== null) throw this.error;
    if (this.readShut) return false;
    const readable = this.readable;
    if (readable === null) throw systemError(`${fn}: the stream is not readable`, 'EBADF');
    if (this.mode === 'idle') this.start(readable);
    if (this.mode === 'paused') {
      const chunk = readable.read() as Buffer | string | null;
      if (chunk !== null) this.onData(chunk);
    }
    return this.buffered > 0;
  }

  private start(readable: Readable): void {
    if (readsByReadableEvents(readable)) {
      // Someone reads it through 'readable' events ('data' would not flow): use read().
      this.mode = 'paused';
      return;
    }
    this.mode = 'flowing';
    // What Node already buffered comes first, synchronously.
    for (;;) {
      const chunk = readable.read() as Buffer | string | null;
      if (chunk === null) break;
      this.onData(chunk);
    }
    readable.on('data', this.onData);
    readable.on('end', this.onEnd);
    readable.on('close', this.onWake);
    if (this.throttled) readable.pause();
    else readable.resume();
  }

  // Take up to `max` bytes (max < 0: all) from the non-empty queue.
  private take(max: number): Buffer {
    const first = this.chunks[this.head];
    let out: Buffer;
    if (max >= 0 && first.length >= max) {
      if (first.length === max) this.shift();
      else this.chunks[this.head] = first.subarray(max);
      out = first.length === max ? first : first.subarray(0, max);
    } else if (this.chunks.length - this.head === 1 || (max >= 0 && first.length >= WHOLE_CHUNK)) {
      // One chunk, or a big one: hand it over as it is (copying it would cost more than the
      // next read; a read may return fewer bytes than are waiting, as an OS socket's may).
      this.shift();
      out = first;
    } else {
      // Several chunks: join as many as fit (as Node's read() joins its buffer).
      const want = max < 0 ? this.buffered : Math.min(max, this.buffered);
      out = Buffer.allocUnsafe(want);
      let n = 0;
      while (n < want) {
        const chunk = this.chunks[this.head];
        const k = Math.min(chunk.length, want - n);
        chunk.copy(out, n, 0, k);
        n += k;
        if (k === chunk.length) this.shift();
        else this.chunks[this.head] = chunk.subarray(k);
      }
    }
    this.buffered -= out.length;
    this.drained();
    return out;
  }

  private shift(): void {
    this.chunks[this.head++] = EMPTY;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head >= 64 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  // After a read: resume a Node stream paused for a full queue once reads have made room.
  private drained(): void {
    this.readerWoken = false;
    if (this.throttled && this.buffered <= QUEUE_LIMIT / 2 && !this.closed) {
      this.throttled = false;
      this.readable!.resume();
    }
  }

  // Put bytes taken by a read that failed part-way back in front, for the next read.
  private putBack(parts: Buffer[] | null): void {
    if (parts === null || parts.length === 0) return;
    this.chunks = parts.concat(this.chunks.slice(this.head));
    this.head = 0;
    for (const part of parts) this.buffered += part.length;
  }

  /**
   * Wait until a read may make progress (one reader at a time). The trap's own coroutine,
   * not a generator around it: one level less on every resume of a waiting reader. Raises
   * at once (where it is `yield*`ed) when another task already waits.
   */
  waitReadable(fn: string, timeout: number | undefined): Coro<void> {
    const options = timeout === undefined ? undefined : { timeout };
    if (this.mode !== 'flowing') return readWait(this.readable!, options);
    if (this.busy) {
      throw new CurioError(
        `${fn}: another task is already waiting to read this ${fn.startsWith('Socket.') ? 'socket' : 'stream'}`,
      );
    }
    return readWait(this, options);
  }

  protected readyNow(): boolean {
    const readable = this.readable!;
    return (
      this.buffered > 0 ||
      this.closed ||
      this.ended ||
      this.readShut ||
      this.error !== null ||
      readable.destroyed ||
      readable.readableEnded
    );
  }

  /** Mark closed (the owning Socket closed or detached) and wake the waiting tasks. */
  close(): void {
    this.closed = true;
    this.notify();
    this.writer.wakeAll();
  }

  /**
   * Stop reading and give the Node stream back as found: unread bytes are put back into its
   * buffer (`unshift`), our listeners removed and its flowing state reset, and a later
   * `Channel.of(raw)` starts afresh. Wakes the waiting tasks (they raise EBADF).
   */
  detach(): void {
    this.close();
    channels.delete(this.raw);
    const readable = this.readable;
    if (readable === null || this.mode === 'idle') return;
    if (this.mode === 'flowing') {
      readable.removeListener('data', this.onData);
      readable.removeListener('end', this.onEnd);
      readable.removeListener('close', this.onWake);
      readable.pause();
    }
    const rest = this.chunks.slice(this.head);
    this.chunks = [];
    this.head = 0;
    this.buffered = 0;
    if (!readable.destroyed && !readable.readableEnded) {
      for (let i = rest.length - 1; i >= 0; i--) readable.unshift(rest[i]);
    }
    resetFlowing(readable); // as never read: a 'data' listener added later makes it flow
    this.mode = 'idle';
  }

  /** Up to `max` bytes, waiting for at least one; empty at end of file. */
  *read(fn: string, max: number, timeout: number | undefined): Coro<Buffer> {
    for (;;) {
      const data = this.tryRead(fn, max);
      if (data !== null) return data;
      yield* this.waitReadable(fn, timeout);
    }
  }

  /** One line up to and including `\n`, or what is left at end of file. */
  *readline(fn: string, timeout: number | undefined): Coro<Buffer> {
    let deadline: number | undefined;
    let parts: Buffer[] | null = null;
    try {
      for (;;) {
        if (this.closed) throw closedError(fn);
        if (this.buffered === 0 && !this.fill(fn)) {
          if (this.atEnd() !== null) return parts === null ? EMPTY : Buffer.concat(parts);
          deadline ??= yield* deadlineAfter(timeout);
          yield* this.waitReadable(fn, yield* remaining(deadline));
          continue;
        }
        const first = this.chunks[this.head];
        const i = first.indexOf(NEWLINE);
        if (i >= 0) {
          const line = this.take(i + 1);
          if (parts === null) return line;
          parts.push(line);
          return Buffer.concat(parts);
        }
        (parts ??= []).push(this.take(first.length));
      }
    } catch (err) {
      this.putBack(parts);
      throw err;
    }
  }

  /** Everything up to end of file. */
  *readall(fn: string, timeout: number | undefined): Coro<Buffer> {
    let deadline: number | undefined;
    const parts: Buffer[] = [];
    try {
      for (;;) {
        const data = this.tryChunk(fn);
        if (data === null) {
          deadline ??= yield* deadlineAfter(timeout);
          yield* this.waitReadable(fn, yield* remaining(deadline));
          continue;
        }
        if (data.length === 0) return parts.length === 1 ? parts[0] : Buffer.concat(parts);
        parts.push(data);
      }
    } catch (err) {
      this.putBack(parts);
      throw err;
    }
  }
}

/**
 * Wait until `raw` has emitted 'close' (streams that never emit it count as closed once
 * destroyed). A cancelled or timed-out wait destroys `raw` at once.
 * @internal
 */
export function* waitClosed(raw: NodeStream, timeout: number | undefined): Coro<void> {
  if ((raw as Readable).closed || (!emitsClose(raw) && raw.destroyed)) return;
  yield* futureWait(
    (signal) =>
      new Promise<void>((resolve) => {
        raw.once('close', () => resolve());
        signal.addEventListener('abort', () => raw.destroy(), { once: true });
      }),
    { timeout },
  );
}
