// The one read buffer and write path shared by every wrapper of a Node stream: a Socket and
// the Streams made from it read through the same Channel, so no byte is lost between them.
import type { Readable, Writable } from 'node:stream';
import { type Coro, futureWait, readWait } from '@curio/kernel';
import { deadlineAfter, remaining } from './deadline.js';
import { closedError, systemError } from './errors.js';

/** A Node stream a `Stream` can wrap: Readable, Writable, or both (Duplex). */
export type NodeStream = Readable | Writable | (Readable & Writable);

/** The empty Buffer returned at end of file. */
export const EMPTY: Buffer = Buffer.alloc(0);
// Largest piece handed to Node per write: a cancelled sendall has queued at most this much
// beyond what it reports.
const CHUNK = 256 * 1024;
const NEWLINE = 10;

const channels = new WeakMap<object, Channel>();

function isReadable(raw: NodeStream): raw is Readable {
  return typeof (raw as Readable).read === 'function';
}

function isWritable(raw: NodeStream): raw is Writable {
  return typeof (raw as Writable).write === 'function';
}

/**
 * Read and write state of one Node stream, shared by all its wrappers.
 * Invariant: `leftover` holds bytes taken from the Node stream and not yet returned; every
 * read takes from `leftover` before asking Node.
 * @internal
 */
export class Channel {
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
  /** The first error the Node stream reported. */
  error: Error | null = null;
  leftover: Buffer = EMPTY;
  /** `shutdown(SHUT_RD)`: reads return end of file. */
  readShut = false;
  /** The owning Socket closed: every operation raises EBADF. */
  closed = false;

  private constructor(readonly raw: NodeStream) {
    this.readable = isReadable(raw) ? raw : null;
    this.writable = isWritable(raw) ? raw : null;
    raw.on('error', (err: Error) => {
      if (this.error === null) this.error = err;
    });
    const errored = (raw as Readable).errored;
    if (errored) this.error = errored;
  }

  /** Up to `max` bytes (`max < 0`: all buffered) now; empty at end of file; null if none yet. */
  tryRead(fn: string, max: number): Buffer | null {
    if (this.closed) throw closedError(fn);
    const left = this.leftover;
    if (left.length > 0) {
      if (max < 0 || left.length <= max) {
        this.leftover = EMPTY;
        return left;
      }
      this.leftover = left.subarray(max);
      return left.subarray(0, max);
    }
    if (this.error !== null) throw this.error;
    if (this.readShut) return EMPTY;
    const readable = this.readable;
    if (readable === null) throw systemError(`${fn}: the stream is not readable`, 'EBADF');
    let chunk = readable.read() as Buffer | string | null;
    if (chunk !== null) {
      if (typeof chunk === 'string') chunk = Buffer.from(chunk);
      if (max >= 0 && chunk.length > max) {
        this.leftover = chunk.subarray(max);
        return chunk.subarray(0, max);
      }
      return chunk;
    }
    if (readable.readableEnded || readable.destroyed) return EMPTY;
    return null;
  }

  /** Up to `max` bytes, waiting for at least one; empty at end of file. */
  *read(fn: string, max: number, timeout: number | undefined): Coro<Buffer> {
    for (;;) {
      const data = this.tryRead(fn, max);
      if (data !== null) return data;
      yield* readWait(this.readable!, { timeout });
    }
  }

  /** One line up to and including `\n`, or what is left at end of file. */
  *readline(fn: string, timeout: number | undefined): Coro<Buffer> {
    // Fast path: a whole line is already buffered.
    const left = this.leftover;
    const nl = this.closed ? -1 : left.indexOf(NEWLINE);
    if (nl >= 0) {
      this.leftover = nl + 1 < left.length ? left.subarray(nl + 1) : EMPTY;
      return left.subarray(0, nl + 1);
    }
    let deadline: number | undefined;
    let parts: Buffer[] | null = null;
    try {
      for (;;) {
        const data = this.tryRead(fn, -1);
        if (data === null) {
          deadline ??= yield* deadlineAfter(timeout);
          yield* readWait(this.readable!, { timeout: yield* remaining(deadline) });
          continue;
        }
        if (data.length === 0) return parts === null ? EMPTY : Buffer.concat(parts);
        const i = data.indexOf(NEWLINE);
        if (i >= 0) {
          if (i + 1 < data.length) this.leftover = data.subarray(i + 1);
          const line = data.subarray(0, i + 1);
          if (parts === null) return line;
          parts.push(line);
          return Buffer.concat(parts);
        }
        (parts ??= []).push(data);
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
        const data = this.tryRead(fn, -1);
        if (data === null) {
          deadline ??= yield* deadlineAfter(timeout);
          yield* readWait(this.readable!, { timeout: yield* remaining(deadline) });
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

  // A read that fails part-way keeps what it took, for the next read.
  private putBack(parts: Buffer[] | null): void {
    if (parts === null || parts.length === 0) return;
    if (this.leftover.length > 0) parts.push(this.leftover);
    this.leftover = Buffer.concat(parts);
  }

  /** Raises unless a write can be handed to Node now. */
  checkWritable(fn: string): Writable {
    if (this.closed) throw closedError(fn);
    if (this.error !== null) throw this.error;
    const writable = this.writable;
    if (writable === null) throw systemError(`${fn}: the stream is not writable`, 'EBADF');
    if (writable.writableEnded || writable.destroyed) {
      throw systemError(`${fn}: the stream was shut down for writing`, 'EPIPE');
    }
    return writable;
  }

  /**
   * Hand `data` to Node and return once the OS has taken it (at once, when it fits), so the
   * caller may reuse its buffer, as after send(2); returns `data.length`.
   */
  *send(fn: string, data: Buffer, timeout: number | undefined): Coro<number> {
    yield* this.writePiece(fn, this.checkWritable(fn), data, timeout);
    return data.length;
  }

  /**
   * Hand all of `data` to Node in pieces of at most 256 KiB, each once the OS has taken the
   * one before. An error raised part-way (cancellation, timeout, a socket error) carries
   * `bytesSent`: how many bytes were handed over (those are still delivered).
   */
  *sendall(fn: string, data: Buffer, timeout: number | undefined): Coro<number> {
    let deadline = Infinity;
    let sent = 0;
    const n = data.length;
    try {
      while (sent < n) {
        const writable = this.checkWritable(fn);
        const end = Math.min(n, sent + CHUNK);
        const piece = sent === 0 && end === n ? data : data.subarray(sent, end);
        sent = end;
        const kept = this.writeNow(writable, piece);
        if (kept !== null) {
          if (deadline === Infinity && timeout !== undefined) {
            deadline = yield* deadlineAfter(timeout);
          }
          yield* futureWait(kept, { timeout: yield* remaining(deadline) });
        }
      }
    } catch (err) {
      if (err !== null && typeof err === 'object') (err as { bytesSent?: number }).bytesSent = sent;
      throw err;
    }
    return sent;
  }

  private *writePiece(
    fn: string,
    writable: Writable,
    piece: Buffer,
    timeout: number | undefined,
  ): Coro<void> {
    const kept = this.writeNow(writable, piece);
    if (kept !== null) yield* futureWait(kept, { timeout });
    this.checkWritable(fn);
  }

  // Write `piece`. Null if the OS took it at once (Node keeps no reference to it), else a
  // Promise that settles once it has.
  private writeNow(writable: Writable, piece: Buffer): Promise<void> | null {
    let settled = false;
    let failure: Error | null | undefined;
    let wake: ((err?: Error | null) => void) | null = null;
    writable.write(piece, (err) => {
      settled = true;
      failure = err;
      wake?.(err);
    });
    if (writable.writableLength === 0) return null;
    return new Promise<void>((resolve, reject) => {
      if (settled) {
        if (failure) reject(failure);
        else resolve();
        return;
      }
      wake = (err) => (err ? reject(err) : resolve());
    });
  }

  /** Wait until Node's write buffer is empty (everything handed to the OS). */
  *flush(fn: string, timeout: number | undefined): Coro<void> {
    const writable = this.writable;
    if (writable === null || writable.writableLength === 0) return;
    if (writable.destroyed || writable.writableFinished) return;
    this.checkWritable(fn);
    // Writes complete in order: the empty write's callback runs once all before it are done.
    yield* futureWait(new Promise<void>((resolve) => writable.write(EMPTY, () => resolve())), {
      timeout,
    });
    if (this.error !== null) throw this.error;
  }
}

/**
 * Wait until `raw` has emitted 'close' (streams that never emit it count as closed once
 * destroyed). A cancelled or timed-out wait destroys `raw` at once.
 * @internal
 */
export function* waitClosed(raw: NodeStream, timeout: number | undefined): Coro<void> {
  const state =
    (raw as unknown as { _readableState?: { emitClose?: boolean } })._readableState ??
    (raw as unknown as { _writableState?: { emitClose?: boolean } })._writableState;
  if ((raw as Readable).closed || (state?.emitClose === false && raw.destroyed)) return;
  yield* futureWait(
    (signal) =>
      new Promise<void>((resolve) => {
        raw.once('close', () => resolve());
        signal.addEventListener('abort', () => raw.destroy(), { once: true });
      }),
    { timeout },
  );
}
