// The write path of a Channel: hands bytes to Node and lets writers wait, in WRITE_WAIT,
// until Node has handed them to the OS.
import type { Writable } from 'node:stream';
import { type Coro, type ReadinessSource, writeWait } from '@curio/kernel';
import { deadlineAfter, remaining } from './deadline.js';
import { closedError, systemError } from './errors.js';
import { noop } from './waiter.js';

/** The empty Buffer (end of file; the marker write). */
export const EMPTY: Buffer = Buffer.alloc(0);
// Largest piece handed to Node per write: a cancelled sendall has queued at most this much
// beyond what it reports.
const CHUNK = 256 * 1024;

/** What `Writer.sendPiece` did. @internal */
export enum Piece {
  /** The OS took it all at once. */
  SENT = 0,
  /** Node keeps it: wait with `waitWritten`. */
  KEPT = 1,
  /** Larger than one piece: nothing done. */
  TOO_BIG = 2,
}

/** What a Writer reads of its Channel. @internal */
export interface StreamStatus {
  /** The owning Socket closed (or detached). */
  readonly closed: boolean;
  /** The first error the Node stream reported. */
  readonly error: Error | null;
}

// A task waiting for the callback-carrying write number `ticket` to come back.
interface WriterWait {
  ticket: number;
  wake: () => void;
}

/**
 * The write side of one Node stream, shared by all its wrappers. A write Node could not hand
 * to the OS at once is followed by (or carries) a callback, `onWritten`; Node calls those back
 * in order, so a writer waits with `writeWait(writer)` (`WRITE_WAIT`, as curio's
 * `_write_wait`) until the one it issued has come back. Any number of tasks may wait.
 * Invariant: `written <= issued`, and `writers` holds the waiting writers in ascending
 * `ticket` order, each with `ticket > written`.
 * @internal
 */
export class Writer implements ReadinessSource {
  // Callback-carrying writes handed to Node, and how many of them Node has called back.
  private issued = 0;
  private written = 0;
  // The first error a write callback reported, and how many writes had come back before it.
  private writeError: Error | null = null;
  private failedAt = 0;
  private writers: WriterWait[] = [];
  private readonly onWritten = (err?: Error | null): void => {
    if (err && this.writeError === null) {
      this.writeError = err;
      this.failedAt = this.written;
    }
    this.written++;
    this.wake(false);
  };

  constructor(
    private readonly status: StreamStatus,
    readonly writable: Writable | null,
    // A plain TCP or Unix socket: an empty write is invisible to the peer (see writeNow).
    private readonly quiet: boolean,
  ) {}

  /** Raises unless a write can be handed to Node now. */
  checkWritable(fn: string): Writable {
    if (this.status.closed) throw closedError(fn);
    if (this.status.error !== null) throw this.status.error;
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
    if (this.writeNow(this.checkWritable(fn), data)) yield* this.waitWritten(fn, timeout);
    this.checkWritable(fn);
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
        const kept = this.writeNow(
          writable,
          sent === 0 && end === n ? data : data.subarray(sent, end),
        );
        sent = end;
        if (kept) {
          if (deadline === Infinity && timeout !== undefined) {
            deadline = yield* deadlineAfter(timeout);
          }
          yield* this.waitWritten(fn, yield* remaining(deadline));
        }
      }
    } catch (err) {
      if (err !== null && typeof err === 'object') (err as { bytesSent?: number }).bytesSent = sent;
      throw err;
    }
    return sent;
  }

  /**
   * The fast path of a small `sendall`: hand all of `data` (at most one piece) to Node now.
   * `SENT` if the OS took it at once; `KEPT` if Node keeps it (the caller then waits with
   * `waitWritten`: `data` is handed over in full); `TOO_BIG` (nothing done) if `data` is
   * larger than one piece.
   */
  sendPiece(fn: string, data: Buffer): Piece {
    if (data.length > CHUNK) return Piece.TOO_BIG;
    return this.writeNow(this.checkWritable(fn), data) ? Piece.KEPT : Piece.SENT;
  }

  // Write `piece`. False if the OS took it at once (Node keeps no reference to it); true if
  // Node keeps it, with a callback-carrying write issued last (waitWritten waits for it).
  // A write the OS refused at once (EPIPE to a closed Unix peer) raises here, as send(2)
  // does: Node records the error at once but reports it only a tick later.
  private writeNow(writable: Writable, piece: Buffer): boolean {
    let kept: boolean;
    if (this.quiet) {
      // No callback on the write: Node then skips its after-write tick (a nextTick and a turn
      // of its tick queue per write otherwise). Only when Node had to keep the piece, an empty
      // write follows: its callback runs once everything before it is written, or with the
      // error that stopped it.
      writable.write(piece);
      kept = writable.writableLength !== 0;
      if (kept) this.issue(writable, EMPTY);
    } else {
      // Other streams see every write (an empty one too): the piece carries the callback.
      this.issue(writable, piece);
      kept = writable.writableLength > 0;
    }
    const refused = writable.errored;
    if (refused) throw refused;
    return kept;
  }

  private issue(writable: Writable, piece: Buffer): void {
    this.issued++;
    writable.write(piece, this.onWritten);
  }

  /**
   * Wait (`WRITE_WAIT`) until Node has called back the last write issued: everything handed
   * to it so far is with the OS. Raises that write's error, EBADF if the Channel is closed
   * first, or the stream's error.
   */
  *waitWritten(fn: string, timeout: number | undefined): Coro<void> {
    const ticket = this.issued;
    if (this.written < ticket) {
      yield* writeWait(this, timeout === undefined ? undefined : { timeout });
    }
    if (this.writeError !== null && this.failedAt < ticket) throw this.writeError;
    if (this.written >= ticket) return;
    if (this.status.closed) throw closedError(fn);
    throw this.status.error ?? systemError(`${fn}: the stream failed`, 'EPIPE');
  }

  /** Readiness source protocol (`writeWait(writer)`): the last write issued came back. */
  onWritable(wake: () => void): () => void {
    const ticket = this.issued;
    if (this.written >= ticket || this.status.closed || this.status.error !== null) {
      wake();
      return noop;
    }
    const waiter: WriterWait = { ticket, wake };
    this.writers.push(waiter);
    return () => {
      const i = this.writers.indexOf(waiter);
      if (i >= 0) this.writers.splice(i, 1);
    };
  }

  /** Wake every waiting writer (the Channel closed or failed): each raises. */
  wakeAll(): void {
    this.wake(true);
  }

  // Wake the writers whose write came back (`all`: every one).
  private wake(all: boolean): void {
    const writers = this.writers;
    let n = 0;
    while (n < writers.length && (all || writers[n].ticket <= this.written)) n++;
    if (n === 0) return;
    const woken = writers.splice(0, n);
    for (const waiter of woken) waiter.wake();
  }

  /** Wait until Node's write buffer is empty (everything handed to the OS). */
  *flush(fn: string, timeout: number | undefined): Coro<void> {
    const writable = this.writable;
    if (writable === null || writable.writableLength === 0) return;
    if (writable.destroyed || writable.writableFinished) return;
    this.checkWritable(fn);
    // Writes complete in order: the empty write's callback runs once all before it are done.
    this.issue(writable, EMPTY);
    const ticket = this.issued;
    yield* writeWait(this, timeout === undefined ? undefined : { timeout });
    if (this.written < ticket && this.status.closed) throw closedError(fn);
    if (this.status.error !== null) throw this.status.error;
  }
}
