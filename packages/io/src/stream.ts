import { createReadStream, createWriteStream, fstatSync } from 'node:fs';
import net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import tty from 'node:tty';
import type { AsyncContextManager, AsyncIterableLike, Coro } from '@curio/kernel';
import { Blocking } from './blocking.js';
import { Channel, type ChannelSource, EMPTY, type NodeStream, waitClosed } from './channel.js';
import {
  checkTimeoutValue,
  closedError,
  describe,
  systemError,
  toBuffer,
  UnsupportedOperation,
} from './errors.js';

/** The modes of `Socket.makefile`: read, write, or both. */
export type FileMode = 'rb' | 'wb' | 'rwb';

/** Options of `new Stream(fd, options)`. */
export interface StreamOptions {
  /**
   * For a file descriptor: `'rb'` (default) to read, `'wb'` to write, `'r+b'` both (pipes,
   * sockets and terminals only). Ignored for Node streams.
   */
  mode?: 'rb' | 'wb' | 'r+b';
}

// What a Stream made by Socket.makefile holds instead of a Node stream of its own.
interface SocketSource {
  socket: ChannelSource;
  mode: FileMode;
  timeout: number | undefined;
}

// A file descriptor as a Node stream that reads and writes it correctly: pipes and sockets
// through libuv's non-blocking stream handles (net.Socket), terminals through tty streams,
// regular files and other devices through fs streams (thread-pool reads at the file offset).
function openFd(fd: number, mode: 'rb' | 'wb' | 'r+b'): NodeStream {
  const readable = mode !== 'wb';
  const writable = mode !== 'rb';
  let stat: ReturnType<typeof fstatSync>;
  try {
    stat = fstatSync(fd);
  } catch (err) {
    throw systemError(`Stream(fd): ${fd} is not an open file descriptor (${String(err)})`, 'EBADF');
  }
  if (stat.isFIFO() || stat.isSocket()) {
    return new net.Socket({ fd, readable, writable, allowHalfOpen: true });
  }
  if (tty.isatty(fd)) {
    if (readable && writable) {
      throw new UnsupportedOperation("Stream(fd, { mode: 'r+b' }): not supported for terminals");
    }
    return readable ? new tty.ReadStream(fd) : new tty.WriteStream(fd);
  }
  if (readable && writable) {
    throw new UnsupportedOperation(
      "Stream(fd, { mode: 'r+b' }): only pipes and sockets can be read and written by one Stream",
    );
  }
  return readable
    ? createReadStream('', { fd, autoClose: true })
    : createWriteStream('', { fd, autoClose: true });
}

function isNodeStream(value: unknown): value is NodeStream {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Readable).on === 'function' &&
    (typeof (value as Readable).read === 'function' ||
      typeof (value as Writable).write === 'function')
  );
}

/**
 * A file-like wrapper of a Node stream (Readable, Writable or Duplex) or a file descriptor,
 * whose reads and writes are coroutines that wait through the kernel. End of file is an
 * empty Buffer. A timeout set by `settimeout(ms)` applies to every blocking call.
 *
 * Made by `Socket.makefile()` it shares the socket's read buffer (no byte is lost between
 * `recv`, `read` and `readline`), and closing it leaves the socket open. Otherwise `close()`
 * ends and destroys the Node stream (and closes the fd). Use as an async context manager to
 * close on exit; `asyncFor` yields its lines.
 * @example
 * import { spawn } from 'node:child_process';
 * import { asyncFor } from '@curio/kernel';
 * import { Stream } from '@curio/io';
 *
 * function* listFiles() {
 *   const child = spawn('ls', { stdio: ['ignore', 'pipe', 'inherit'] });
 *   const stream = new Stream(child.stdout);
 *   yield* asyncFor(stream, function* (line) {
 *     console.log(line.toString());
 *   });
 * }
 */
export class Stream implements AsyncContextManager<Stream>, AsyncIterableLike<Buffer> {
  private readonly raw: NodeStream | null;
  private channel: Channel | null;
  private readonly socket: ChannelSource | null;
  private readonly canRead: boolean;
  private readonly canWrite: boolean;
  private timeout: number | undefined;
  private isClosed = false;

  /**
   * Wrap a Node stream, or a file descriptor (see {@link StreamOptions.mode}; the Stream owns
   * the descriptor and closes it).
   * @example
   * import { Stream } from '@curio/io';
   *
   * const out = new Stream(1, { mode: 'wb' }); // file descriptor 1: standard output
   * const input = new Stream(process.stdin);
   */
  constructor(fileobj: NodeStream | number, options?: StreamOptions);
  /** @internal */
  constructor(fileobj: null, options: undefined, source: SocketSource);
  constructor(fileobj: NodeStream | number | null, options?: StreamOptions, source?: SocketSource) {
    if (source !== undefined) {
      this.raw = null;
      this.channel = null;
      this.socket = source.socket;
      this.canRead = source.mode !== 'wb';
      this.canWrite = source.mode !== 'rb';
      this.timeout = source.timeout;
      return;
    }
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new TypeError(`Stream(options): options must be an object, got ${describe(options)}`);
    }
    let raw: NodeStream;
    if (typeof fileobj === 'number') {
      if (!Number.isInteger(fileobj) || fileobj < 0) {
        throw new TypeError(`Stream(fd): fd must be an integer >= 0, got ${describe(fileobj)}`);
      }
      const mode = options?.mode ?? 'rb';
      if (mode !== 'rb' && mode !== 'wb' && mode !== 'r+b') {
        throw new TypeError(
          `Stream(options.mode): mode must be 'rb', 'wb' or 'r+b', got ${describe(mode)}`,
        );
      }
      raw = openFd(fileobj, mode);
    } else if (isNodeStream(fileobj)) {
      raw = fileobj;
    } else {
      throw new TypeError(
        `Stream(fileobj): fileobj must be a Node stream or a file descriptor, got ${describe(fileobj)}`,
      );
    }
    this.raw = raw;
    this.channel = Channel.of(raw);
    this.socket = null;
    // `readable`/`writable` are false for a side Node opened closed, and also once it ended.
    const r = raw as Readable & Writable;
    this.canRead = this.channel.readable !== null && (r.readable !== false || r.readableEnded);
    this.canWrite = this.channel.writable !== null && (r.writable !== false || r.writableEnded);
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.isClosed;
  }

  private *reading(fn: string): Coro<Channel> {
    if (this.isClosed) throw closedError(fn);
    if (!this.canRead) throw systemError(`${fn}: the stream is not open for reading`, 'EBADF');
    return this.channel ?? (this.channel = yield* this.socket!._channel(fn));
  }

  private *writing(fn: string): Coro<Channel> {
    if (this.isClosed) throw closedError(fn);
    if (!this.canWrite) throw systemError(`${fn}: the stream is not open for writing`, 'EBADF');
    return this.channel ?? (this.channel = yield* this.socket!._channel(fn));
  }

  /**
   * Read up to `maxbytes` bytes (`-1`: whatever is available), waiting for at least one;
   * an empty Buffer at end of file.
   * @example
   * import type { Stream } from '@curio/io';
   *
   * function* chunk(stream: Stream) {
   *   return yield* stream.read(8192); // up to 8192 bytes; empty at end of file
   * }
   */
  *read(maxbytes = -1): Coro<Buffer> {
    if (typeof maxbytes !== 'number' || !Number.isInteger(maxbytes)) {
      throw new TypeError(
        `Stream.read(maxbytes): maxbytes must be an integer, got ${describe(maxbytes)}`,
      );
    }
    const channel = yield* this.reading('Stream.read');
    if (maxbytes === 0) return EMPTY;
    return yield* channel.read('Stream.read', maxbytes < 0 ? -1 : maxbytes, this.timeout);
  }

  /**
   * Read everything up to end of file.
   * @example
   * import type { Stream } from '@curio/io';
   *
   * function* body(stream: Stream) {
   *   return yield* stream.readall(); // everything, up to end of file
   * }
   */
  *readall(): Coro<Buffer> {
    const channel = yield* this.reading('Stream.readall');
    return yield* channel.readall('Stream.readall', this.timeout);
  }

  /**
   * Read one line, up to and including `\n` (what is left at end of file; empty at EOF).
   * A cancelled or timed-out readline keeps the partial line for the next read.
   * @example
   * import type { Stream } from '@curio/io';
   *
   * function* line(stream: Stream) {
   *   return (yield* stream.readline()).toString(); // '' at end of file
   * }
   */
  *readline(): Coro<Buffer> {
    const channel =
      this.channel !== null && !this.isClosed && this.canRead
        ? this.channel
        : yield* this.reading('Stream.readline');
    return yield* channel.readline('Stream.readline', this.timeout);
  }

  /**
   * Write all of `data`; returns the byte count once the OS (or the sink) has taken it, so
   * `data` may be reused. Like `Socket.sendall`, an error raised part-way carries
   * `bytesSent`.
   * @example
   * import type { Stream } from '@curio/io';
   *
   * function* hello(stream: Stream) {
   *   yield* stream.write(Buffer.from('hello\n'));
   * }
   */
  *write(data: Uint8Array): Coro<number> {
    const buf = toBuffer('Stream.write', 'data', data);
    const channel = yield* this.writing('Stream.write');
    return yield* channel.writer.sendall('Stream.write', buf, this.timeout);
  }

  /**
   * Write every buffer of `lines`, in order. An error raised part-way carries `bytesSent`
   * (the total of all lines handed over).
   * @example
   * import type { Stream } from '@curio/io';
   *
   * function* twoLines(stream: Stream) {
   *   yield* stream.writelines([Buffer.from('a\n'), Buffer.from('b\n')]);
   * }
   */
  *writelines(lines: Iterable<Uint8Array>): Coro<number> {
    if (lines === null || typeof lines !== 'object' || !(Symbol.iterator in lines)) {
      throw new TypeError(
        `Stream.writelines(lines): lines must be an iterable of Buffers, got ${describe(lines)}`,
      );
    }
    let total = 0;
    try {
      for (const line of lines) total += yield* this.write(line);
    } catch (err) {
      const sent = (err as { bytesSent?: number } | null)?.bytesSent;
      if (typeof sent === 'number') (err as { bytesSent: number }).bytesSent = total + sent;
      throw err;
    }
    return total;
  }

  /**
   * Wait until everything written has been handed from Node to the OS. `write` already
   * returns only then; this also covers data written to the Node stream directly, by
   * issuing an empty write and waiting for its callback.
   * @example
   * import type { Stream } from '@curio/io';
   *
   * function* drain(stream: Stream) {
   *   yield* stream.flush(); // until the data written so far has been handed to the system
   * }
   */
  *flush(): Coro<void> {
    if (!this.canWrite) return;
    const channel = yield* this.writing('Stream.flush');
    yield* channel.writer.flush('Stream.flush', this.timeout);
  }

  /**
   * Flush and close. A Stream of a Node stream or fd ends and destroys it and waits for its
   * 'close'; a Stream made by `Socket.makefile` leaves the socket open. Closing twice is
   * harmless.
   * @example
   * import type { Stream } from '@curio/io';
   *
   * function* done(stream: Stream) {
   *   yield* stream.close();
   * }
   */
  *close(): Coro<void> {
    if (this.isClosed) return;
    const raw = this.raw;
    try {
      // A socket stream never used, or whose socket is closed, has nothing of its own to flush.
      if (this.canWrite && this.channel !== null && !this.channel.closed) yield* this.flush();
    } catch (err) {
      raw?.destroy(); // a failed, cancelled or timed-out flush still closes
      throw err;
    } finally {
      this.isClosed = true;
    }
    if (raw === null) return;
    const writable = this.channel!.writable;
    if (writable !== null && !writable.writableEnded && !writable.destroyed) {
      writable.once('finish', () => raw.destroy());
      writable.end();
    } else {
      raw.destroy();
    }
    yield* waitClosed(raw, this.timeout);
  }

  /**
   * Set the timeout (ms) of every later blocking call; `null` waits forever.
   * @example
   * import type { Stream } from '@curio/io';
   *
   * function impatient(stream: Stream) {
   *   stream.settimeout(1000); // every later wait raises TaskTimeout after 1 s
   * }
   */
  settimeout(ms: number | null): void {
    this.timeout = checkTimeoutValue('Stream.settimeout', ms);
  }

  /**
   * A context manager handing out the raw Node stream (see {@link Blocking}). For a Stream
   * made by `Socket.makefile`, the socket's `net.Socket`.
   * @example
   * import { asyncWith } from '@curio/kernel';
   * import type { Stream } from '@curio/io';
   *
   * function* rawAccess(stream: Stream) {
   *   yield* asyncWith(stream.blocking(), function* (raw) {
   *     console.log(raw); // the Node stream underneath
   *   });
   * }
   */
  blocking(): Blocking<NodeStream> {
    if (this.isClosed) throw closedError('Stream.blocking');
    const raw = this.raw ?? (this.socket!.raw as NodeStream | null);
    if (raw === null) throw systemError('Stream.blocking: the socket is not connected', 'ENOTCONN');
    return new Blocking(raw);
  }

  /**
   * Give up the Node stream without closing it (Python's `BufferedReader.detach()`): returns
   * it (null if this Stream was already closed) and marks this Stream closed. Bytes read
   * ahead and not yet returned are put back into the Node stream's buffer (`unshift`), so
   * whoever takes it over reads them first. Tasks blocked on this Stream raise `EBADF`.
   * `@curio/subprocess` does this to a Stream given as another process's `stdin`. A Stream
   * made by `Socket.makefile` has no Node stream of its own: detach the socket instead.
   * @example
   * import type { Readable } from 'node:stream';
   * import type { Stream } from '@curio/io';
   *
   * function handOver(stream: Stream) {
   *   const raw = stream.detach() as Readable; // with the bytes read ahead put back
   *   raw.pipe(process.stdout);
   * }
   */
  detach(): NodeStream | null {
    if (this.isClosed) return null;
    if (this.raw === null) {
      throw systemError(
        'Stream.detach: a Stream made by Socket.makefile shares its socket; detach the socket',
        'EINVAL',
      );
    }
    this.isClosed = true;
    this.channel?.detach();
    return this.raw;
  }

  /** `async with`: hands out the stream. */
  *enter(): Coro<Stream> {
    return this;
  }

  /** `async with`: closes the stream. */
  *exit(_error?: unknown): Coro<boolean> {
    yield* this.close();
    return false;
  }

  /**
   * `asyncFor` protocol: the next line, done at end of file.
   * @example
   * import { asyncFor } from '@curio/kernel';
   * import type { Stream } from '@curio/io';
   *
   * function* printLines(stream: Stream) {
   *   yield* asyncFor(stream, function* (line) {
   *     console.log(line.toString());
   *   });
   * }
   */
  *next(): Coro<IteratorResult<Buffer, undefined>> {
    const line = yield* this.readline();
    return line.length === 0 ? { done: true, value: undefined } : { done: false, value: line };
  }
}

/** A Stream over `socket` sharing its read buffer (for `Socket.makefile`). @internal */
export function makeSocketStream(
  socket: ChannelSource,
  mode: FileMode,
  timeout: number | undefined,
): Stream {
  return new Stream(null, undefined, { socket, mode, timeout });
}
