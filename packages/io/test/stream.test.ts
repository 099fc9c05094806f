import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import {
  asyncFor,
  asyncWith,
  CancelledError,
  newTask,
  run,
  sleep,
  TaskTimeout,
  timeoutAfter,
} from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { Stream, UnsupportedOperation } from '../src/index.js';
import { caught, checkNoLeaks, closeAll, tcpPair } from './helpers.js';

checkNoLeaks();

const b = (s: string) => Buffer.from(s);

describe('Stream over Node streams', () => {
  it('a sized read returns a big queued chunk whole and joins small ones; read() takes all', async () => {
    function* main() {
      const pipe = new PassThrough();
      const stream = new Stream(pipe);
      pipe.write(b('x'));
      const out: (string | number)[] = [(yield* stream.read(1)).toString()]; // starts the flow
      const big = Buffer.alloc(20 * 1024, 0x61);
      pipe.write(big);
      pipe.write(big);
      pipe.write(b('abc'));
      yield* sleep(1);
      for (let i = 0; i < 3; i++) out.push((yield* stream.read(65536)).length);
      pipe.write(b('de'));
      pipe.write(b('fg'));
      pipe.write(b('hi'));
      yield* sleep(1);
      out.push((yield* stream.read(65536)).toString());
      pipe.write(big);
      pipe.write(b('z'));
      yield* sleep(1);
      out.push((yield* stream.read()).length);
      pipe.end();
      out.push((yield* stream.read()).length);
      return out;
    }
    expect(await run(main())).toEqual(['x', 20 * 1024, 20 * 1024, 3, 'defghi', 20 * 1024 + 1, 0]);
  });

  it('read / read(n) / readline / readall and end of file', async () => {
    function* main() {
      const pipe = new PassThrough();
      const stream = new Stream(pipe);
      pipe.write(b('hello\nworld\nand the rest'));
      pipe.end();
      const out = [
        (yield* stream.read(2)).toString(),
        (yield* stream.read(0)).length,
        (yield* stream.readline()).toString(),
        (yield* stream.readline()).toString(),
        (yield* stream.read(4)).toString(),
        (yield* stream.readall()).toString(),
        (yield* stream.read()).length,
        (yield* stream.readline()).length,
      ];
      yield* stream.close();
      return out;
    }
    expect(await run(main())).toEqual(['he', 0, 'llo\n', 'world\n', 'and ', 'the rest', 0, 0]);
  });

  it('read() waits for data written later by another task', async () => {
    const events: string[] = [];
    function* main() {
      const pipe = new PassThrough();
      const stream = new Stream(pipe);
      const reader = yield* newTask(
        (function* () {
          events.push('reading');
          events.push(`got ${yield* stream.read()}`);
        })(),
      );
      yield* sleep(5);
      events.push('writing');
      pipe.write(b('late'));
      yield* reader.join();
      yield* stream.close();
    }
    await run(main());
    expect(events).toEqual(['reading', 'writing', 'got late']);
  });

  it('a cancelled or timed-out readline keeps its partial line', async () => {
    const events: string[] = [];
    function* main() {
      const pipe = new PassThrough();
      const stream = new Stream(pipe);
      pipe.write(b('par'));
      const reader = yield* newTask(stream.readline());
      yield* sleep(2);
      yield* reader.cancel();
      events.push(`cancelled ${reader.excInfo instanceof CancelledError}`);
      pipe.write(b('ti'));
      stream.settimeout(5);
      const e = yield* caught(stream.readline());
      events.push(`timeout ${e instanceof TaskTimeout}`);
      stream.settimeout(null);
      pipe.write(b('al\nnext'));
      events.push((yield* stream.readline()).toString());
      events.push(
        `timeoutAfter ${(yield* caught(timeoutAfter(5, stream.readline()))) instanceof TaskTimeout}`,
      );
      pipe.end(b('\n'));
      events.push((yield* stream.readline()).toString());
      yield* stream.close();
    }
    await run(main());
    expect(events).toEqual([
      'cancelled true',
      'timeout true',
      'partial\n',
      'timeoutAfter true',
      'next\n',
    ]);
  });

  it('read times out and readall is cancellable without losing data', async () => {
    function* main() {
      const pipe = new PassThrough();
      const stream = new Stream(pipe);
      stream.settimeout(5);
      const e1 = yield* caught(stream.read());
      stream.settimeout(null);
      pipe.write(b('keep'));
      const task = yield* newTask(stream.readall());
      yield* sleep(2);
      yield* task.cancel();
      pipe.end(b(' all'));
      const rest = yield* stream.readall();
      yield* stream.close();
      return [e1 instanceof TaskTimeout, rest.toString()];
    }
    expect(await run(main())).toEqual([true, 'keep all']);
  });

  it('write returns once the sink has taken the data; a timeout reports bytesSent', async () => {
    const events: string[] = [];
    function* main() {
      const received: string[] = [];
      const sink = new Writable({
        highWaterMark: 4,
        write(chunk, _enc, done) {
          setTimeout(() => {
            received.push(chunk.toString());
            done();
          }, 1);
        },
      });
      const stream = new Stream(sink);
      events.push(`wrote ${yield* stream.write(b('abcdefgh'))}, sink has ${received.join()}`);
      events.push(
        `lines ${yield* stream.writelines([b('ij'), b('kl')])}, sink has ${received.join()}`,
      );
      yield* stream.flush();
      const slow = new Writable({ highWaterMark: 1, write() {} });
      const stuck = new Stream(slow);
      stuck.settimeout(5);
      const e = (yield* caught(stuck.write(b('xyz')))) as TaskTimeout & { bytesSent: number };
      events.push(`timeout ${e instanceof TaskTimeout} sent ${e.bytesSent}`);
      const e2 = (yield* caught(stuck.writelines([b('a'), b('b')]))) as TaskTimeout & {
        bytesSent: number;
      };
      events.push(`writelines timeout ${e2 instanceof TaskTimeout} sent ${e2.bytesSent}`);
      yield* stream.close();
      slow.destroy();
    }
    await run(main());
    expect(events).toEqual([
      'wrote 8, sink has abcdefgh',
      'lines 4, sink has abcdefgh,ij,kl',
      'timeout true sent 3',
      'writelines timeout true sent 1',
    ]);
  });

  it('a write the sink has not taken waits in WRITE_WAIT and is cancellable', async () => {
    const events: string[] = [];
    function* main() {
      const stuck = new Stream(new Writable({ highWaterMark: 1, write() {} })); // never done
      const writer = yield* newTask(
        (function* () {
          const e = (yield* caught(stuck.write(b('xyz')))) as { name: string; bytesSent: number };
          events.push(`writer: ${e.name}, sent ${e.bytesSent}`);
        })(),
      );
      yield* sleep(1);
      events.push(`writer state: ${writer.state}`);
      yield* writer.cancel();
      (stuck.blocking().raw as Writable).destroy();
    }
    await run(main());
    expect(events).toEqual(['writer state: WRITE_WAIT', 'writer: CancelledError, sent 3']);
  });

  it('flush waits until the sink has taken what others wrote (by an empty write)', async () => {
    function* main() {
      const received: string[] = [];
      const sink = new Writable({
        write(chunk, _enc, done) {
          setTimeout(() => {
            received.push(chunk.toString());
            done();
          }, 2);
        },
      });
      sink.write('queued before wrapping');
      const stream = new Stream(sink);
      yield* stream.flush();
      const seen = [...received];
      yield* stream.close();
      return seen;
    }
    expect(await run(main())).toEqual(['queued before wrapping', '']);
  });

  it('close ends the writable side and waits for close; as a context manager too', async () => {
    function* main() {
      const pipe = new PassThrough();
      const ended: string[] = [];
      pipe.on('finish', () => ended.push('finish'));
      pipe.on('close', () => ended.push('close'));
      yield* asyncWith(new Stream(pipe), function* (s) {
        yield* s.write(b('x'));
      });
      return ended;
    }
    expect(await run(main())).toEqual(['finish', 'close']);
  });

  it('asyncFor yields lines; works on an object-mode Readable of Buffers', async () => {
    function* main() {
      const stream = new Stream(Readable.from([b('a\nb'), b('c\n'), b('d')]));
      const lines: string[] = [];
      yield* asyncFor(stream, function* (line) {
        lines.push(line.toString());
      });
      yield* stream.close();
      return lines;
    }
    expect(await run(main())).toEqual(['a\n', 'bc\n', 'd']);
  });

  it('bad input and closed streams raise clear errors', async () => {
    expect(() => new Stream('x' as never)).toThrow(
      'Stream(fileobj): fileobj must be a Node stream or a file descriptor, got "x"',
    );
    expect(() => new Stream(-1)).toThrow('Stream(fd): fd must be an integer >= 0, got -1');
    expect(() => new Stream(0, { mode: 'x' as never })).toThrow(
      /mode must be 'rb', 'wb' or 'r\+b'/,
    );
    function* main() {
      const readOnly = new Stream(Readable.from([b('x')]));
      const errors = [
        yield* caught(readOnly.write(b('y'))),
        yield* caught(readOnly.read('3' as never)),
        yield* caught(readOnly.writelines(5 as never)),
      ];
      yield* readOnly.close();
      yield* readOnly.close();
      errors.push(yield* caught(readOnly.read()));
      expect(() => readOnly.blocking()).toThrow(/closed/);
      return errors.map((e) => (e as Error).message);
    }
    expect(await run(main())).toEqual([
      'Stream.write: the stream is not open for writing',
      'Stream.read(maxbytes): maxbytes must be an integer, got "3"',
      'Stream.writelines(lines): lines must be an iterable of Buffers, got 5',
      'Stream.read: the object is closed',
    ]);
  });

  it('blocking() hands out the raw stream', async () => {
    function* main() {
      const pipe = new PassThrough();
      const stream = new Stream(pipe);
      const raw = yield* asyncWith(stream.blocking(), function* (r) {
        return r;
      });
      yield* stream.close();
      return raw === pipe;
    }
    expect(await run(main())).toBe(true);
  });
});

describe('when a reader woken by data runs', () => {
  // With eight more tasks waiting to read (wake-ups by readiness then wait for the host's other
  // I/O events), a host callback writes `size` bytes to the stream a task waits to read, then
  // queues a microtask: the order of the read and the microtask.
  async function order(size: number): Promise<string[]> {
    const events: string[] = [];
    function* main() {
      for (let i = 0; i < 8; i++) {
        yield* newTask(new Stream(new PassThrough()).read(1), { daemon: true });
      }
      const pipe = new PassThrough();
      const stream = new Stream(pipe);
      const reader = yield* newTask(
        (function* () {
          events.push(`read ${(yield* stream.read(size)).length}`);
        })(),
      );
      setTimeout(() => {
        events.push('host callback');
        pipe.write(Buffer.alloc(size));
        queueMicrotask(() => events.push('host microtask'));
      }, 1);
      yield* reader.join();
    }
    await run(main());
    return events;
  }

  it('a chunk of 16 KiB or more: right after the host callback (its bytes still in cache)', async () => {
    expect(await order(16 * 1024)).toEqual(['host callback', 'read 16384', 'host microtask']);
  });

  it('a smaller chunk: after the host callback’s I/O events, with the other wake-ups', async () => {
    expect(await order(1024)).toEqual(['host callback', 'host microtask', 'read 1024']);
  });
});

describe('Stream over file descriptors', () => {
  it('writes and reads a regular file', async () => {
    const path = join(tmpdir(), `curio-io-stream-${process.pid}.txt`);
    function* main() {
      const out = new Stream(openSync(path, 'w'), { mode: 'wb' });
      yield* out.writelines([b('line 1\n'), b('line 2\n')]);
      yield* out.close();
      const input = new Stream(openSync(path, 'r'));
      const first = yield* input.readline();
      const rest = yield* input.readall();
      yield* input.close();
      return [first.toString(), rest.toString()];
    }
    try {
      expect(await run(main())).toEqual(['line 1\n', 'line 2\n']);
      expect(readFileSync(path, 'utf8')).toBe('line 1\nline 2\n');
    } finally {
      rmSync(path, { force: true });
    }
  });

  it('reads and writes a pipe (FIFO) through one r+b Stream', async () => {
    const path = join(tmpdir(), `curio-io-fifo-${process.pid}`);
    rmSync(path, { force: true });
    execFileSync('mkfifo', [path]);
    function* main() {
      const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
      const stream = new Stream(fd, { mode: 'r+b' });
      yield* stream.write(b('through the pipe\n'));
      const line = yield* stream.readline();
      stream.settimeout(5);
      const e = yield* caught(stream.read());
      yield* stream.close();
      return [line.toString(), e instanceof TaskTimeout];
    }
    try {
      expect(await run(main())).toEqual(['through the pipe\n', true]);
    } finally {
      rmSync(path, { force: true });
    }
  });

  it('refuses r+b on a regular file and a closed descriptor', () => {
    const path = join(tmpdir(), `curio-io-rw-${process.pid}.txt`);
    writeFileSync(path, 'x');
    const fd = openSync(path, 'r+');
    try {
      expect(() => new Stream(fd, { mode: 'r+b' })).toThrow(UnsupportedOperation);
    } finally {
      closeSync(fd);
      rmSync(path, { force: true });
    }
    expect(() => new Stream(fd)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });
});

describe('Streams made by Socket.makefile', () => {
  it('share the read buffer; closing a stream leaves the socket open', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      const [reader, writer] = client.makeStreams();
      const both = conn.makefile('rwb');
      yield* writer.write(b('request\n'));
      yield* writer.flush();
      const line = yield* both.readline();
      yield* both.write(b('reply\nmore'));
      yield* both.close();
      const reply = yield* reader.readline();
      yield* reader.close();
      yield* writer.close();
      const more = yield* client.recv(100);
      const e = yield* caught(reader.read());
      yield* closeAll(client, conn, server);
      return [line.toString(), reply.toString(), more.toString(), (e as { code: string }).code];
    }
    expect(await run(main())).toEqual(['request\n', 'reply\n', 'more', 'EBADF']);
  });

  it('makefile checks its mode; read-only stream refuses writes', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      expect(() => client.makefile('r' as never)).toThrow(/mode must be 'rb', 'wb' or 'rwb'/);
      const reader = client.makefile('rb');
      const e = yield* caught(reader.write(b('x')));
      yield* closeAll(client, conn, server);
      return (e as Error).message;
    }
    expect(await run(main())).toBe('Stream.write: the stream is not open for writing');
  });
});

describe('closing in any order', () => {
  it('a socket stream closed after its socket closes quietly; a timed-out close still closes', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      const writer = client.makefile('wb');
      yield* writer.write(b('x'));
      yield* client.close();
      yield* writer.close();
      const slow = new Writable({ highWaterMark: 1, write() {} });
      const stuck = new Stream(slow);
      stuck.settimeout(5);
      yield* caught(stuck.write(b('x'))); // times out: the sink never takes it
      const e = yield* caught(stuck.close());
      yield* closeAll(conn, server);
      return [writer.closed, e instanceof TaskTimeout, stuck.closed, slow.destroyed];
    }
    expect(await run(main())).toEqual([true, true, true, true]);
  });
});

describe('wrapping streams that already ended', () => {
  it('reads end of file from an ended Readable; writes to an ended Writable raise EPIPE', async () => {
    function* main() {
      const pipe = new PassThrough();
      pipe.end();
      pipe.resume();
      yield* sleep(1);
      pipe.pause();
      const stream = new Stream(pipe);
      const data = yield* stream.read();
      const e = yield* caught(stream.write(b('x')));
      yield* stream.close();
      return [data.length, (e as { code: string }).code];
    }
    expect(await run(main())).toEqual([0, 'EPIPE']);
  });
});
