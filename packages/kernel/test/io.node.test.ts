import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  type CurioError,
  futureWait,
  getKernel,
  newTask,
  type ReadinessSource,
  readWait,
  run,
  sleep,
  TaskTimeout,
  writeWait,
} from '../src/index.js';
import { catching, vrun } from './helpers.js';

describe('readWait / writeWait on Node streams', () => {
  it('wakes a reader when data arrives, and at end of stream', async () => {
    const events: string[] = [];
    const stream = new PassThrough();
    function* reader() {
      for (;;) {
        const chunk = stream.read() as Buffer | null;
        if (chunk !== null) {
          events.push(`read ${chunk.toString()}`);
          continue;
        }
        if (stream.readableEnded) break;
        events.push('waiting');
        yield* readWait(stream);
      }
      events.push('eof');
    }
    function* main() {
      const t = yield* newTask(reader());
      yield* sleep(5);
      stream.write('hello');
      yield* sleep(5);
      stream.end();
      yield* t.join();
    }
    await run(main());
    // At end of stream 'readable' fires first (read() gives null), then 'end'.
    expect(events).toEqual(['waiting', 'read hello', 'waiting', 'waiting', 'eof']);
  });

  it('returns at once when data is already buffered', async () => {
    const stream = new PassThrough();
    stream.write('x');
    function* main() {
      yield* readWait(stream, { timeout: 1 });
      return (stream.read() as Buffer).toString();
    }
    expect(await run(main())).toBe('x');
  });

  it('wakes a writer when the stream drains', async () => {
    const events: string[] = [];
    let release: (() => void) | undefined;
    const sink = new Writable({
      highWaterMark: 4,
      write(_chunk, _enc, cb) {
        release = cb;
      },
    });
    function* main() {
      const full = !sink.write('123456');
      events.push(`needs drain ${full}`);
      const t = yield* newTask(
        (function* () {
          yield* writeWait(sink);
          events.push('drained');
        })(),
      );
      yield* sleep(5);
      events.push(`writer ${t.state}`);
      release?.();
      yield* t.join();
      yield* writeWait(sink); // not full: returns at once
      events.push('no wait');
    }
    await run(main());
    expect(events).toEqual(['needs drain true', 'writer WRITE_WAIT', 'drained', 'no wait']);
  });

  it('times out and can wait again; a second reader is refused', async () => {
    const stream = new PassThrough();
    const events: string[] = [];
    function* main() {
      const err = yield* catching(readWait(stream, { timeout: 5 }));
      events.push((err as Error).name);
      const first = yield* newTask(readWait(stream));
      const second = yield* catching(readWait(stream));
      events.push(
        `${(second as CurioError).name}: ${(second as Error).message.replace(/task-\d+/, 'T')}`,
      );
      stream.write('data');
      yield* first.join();
      events.push('first woke');
    }
    await run(main());
    expect(events).toEqual([
      'TaskTimeout',
      'CurioError: readWait: T is already waiting on this source',
      'first woke',
    ]);
  });

  it('bad sources are refused with a TypeError', async () => {
    function* main() {
      return [yield* catching(readWait(42 as never)), yield* catching(writeWait({} as never))].map(
        (e) => (e as Error).message,
      );
    }
    expect(await vrun(main())).toEqual([
      'readWait(source): source must be a Node stream or implement onReadable(wake), got 42',
      'writeWait(source): source must be a Node stream or implement onWritable(wake), got an object',
    ]);
  });

  it('a readiness source that throws raises in the waiting task only', async () => {
    const broken: ReadinessSource = {
      onReadable() {
        throw new Error('source broke');
      },
      onWritable() {
        return 'not a function' as never;
      },
    };
    function* main() {
      const a = yield* catching(readWait(broken, { timeout: 5 }));
      const b = yield* catching(writeWait(broken));
      yield* sleep(10); // no stray timeout or wake-up afterwards
      return [(a as Error).message, (b as Error).message];
    }
    expect(await vrun(main())).toEqual([
      'source broke',
      'onWritable(wake) must return a function that withdraws the wait',
    ]);
  });

  it('a custom readiness source wakes the task and withdraws on timeout', async () => {
    const events: string[] = [];
    let wake: (() => void) | undefined;
    const source: ReadinessSource = {
      onReadable(w) {
        wake = w;
        return () => events.push('withdrawn');
      },
    };
    function* main() {
      const err = yield* catching(readWait(source, { timeout: 5 }));
      events.push((err as Error).name);
      const t = yield* newTask(readWait(source));
      setTimeout(() => wake?.(), 1);
      yield* t.join();
      events.push('woken');
    }
    await run(main());
    expect(events).toEqual(['withdrawn', 'TaskTimeout', 'woken']);
  });
});

describe('futureWait', () => {
  it('returns a promise’s value, raises its error', async () => {
    function* main() {
      const a = yield* futureWait(Promise.resolve(1));
      const b = yield* futureWait((signal) => Promise.resolve(signal instanceof AbortSignal));
      const c = yield* catching(futureWait(Promise.reject(new Error('rejected'))));
      return [a, b, (c as Error).message];
    }
    expect(await run(main())).toEqual([1, true, 'rejected']);
  });

  it('aborts the signal on timeout and ignores a late settlement', async () => {
    let aborted = false;
    function* main() {
      const err = yield* catching(
        futureWait(
          (signal) =>
            new Promise((resolve) => {
              // Settles only after the timeout withdrew the wait: always late, on any machine.
              signal.addEventListener('abort', () => {
                aborted = true;
                setTimeout(() => resolve('late'), 1);
              });
            }),
          { timeout: 5 },
        ),
      );
      yield* sleep(20); // the late settlement comes meanwhile and is ignored
      return err instanceof TaskTimeout;
    }
    expect(await run(main())).toBe(true);
    expect(aborted).toBe(true);
  });

  it('virtual time follows real time while a promise is pending', async () => {
    function* main() {
      const k = yield* getKernel();
      const v = yield* futureWait(new Promise((r) => setTimeout(() => r('real'), 5)), {
        timeout: 10_000,
      });
      return [v, k.selector.now() < 10_000];
    }
    expect(await vrun(main())).toEqual(['real', true]);
  });

  it('bad input: not a promise; a factory that returns no promise', async () => {
    function* main() {
      return [
        yield* catching(futureWait(5 as never)),
        yield* catching(futureWait((() => 5) as never)),
      ].map((e) => (e as Error).message);
    }
    expect(await vrun(main())).toEqual([
      'futureWait(future): future must be a Promise or a function (signal) => Promise, got 5',
      'futureWait(factory): the factory must return a Promise, got 5',
    ]);
  });
});

describe('when woken tasks run', () => {
  // A readiness source woken by hand, as a socket's 'data' event would wake it.
  function source(): ReadinessSource & { fire(now?: boolean): void } {
    let wake: ((now?: boolean) => void) | null = null;
    return {
      onReadable(w) {
        wake = w;
        return () => {
          wake = null;
        };
      },
      fire(now) {
        const w = wake;
        wake = null;
        w?.(now);
      },
    };
  }

  // Tasks b and a wait on sources fired by one host callback (in `fire`'s order, `true` for a
  // wake that passes `now`), with `idle` more tasks waiting on sources that never fire;
  // returns the order of events.
  async function wakeOrder(
    idle: number,
    fire: [name: 'a' | 'b', now: boolean][] = [
      ['a', false],
      ['b', false],
    ],
  ): Promise<string[]> {
    const events: string[] = [];
    const a = source();
    const b = source();
    const others = Array.from({ length: idle }, source);
    function* waiter(name: string, src: ReadinessSource) {
      events.push(`${name} waits`);
      yield* readWait(src);
      events.push(`${name} woke`);
      yield* sleep(0);
      events.push(`${name} again`);
    }
    function* main() {
      const idlers = [];
      for (const src of others) idlers.push(yield* newTask(readWait(src), { daemon: true }));
      const tb = yield* newTask(waiter('b', b));
      const ta = yield* newTask(waiter('a', a));
      setTimeout(() => {
        events.push('host callback');
        for (const [name, now] of fire) (name === 'a' ? a : b).fire(now);
        queueMicrotask(() => events.push('host microtask'));
      }, 1);
      yield* tb.join();
      yield* ta.join();
    }
    await run(main());
    return events;
  }

  it('with few tasks waiting outside, I/O wake-ups run in a microtask after the host callback', async () => {
    expect(await wakeOrder(0)).toEqual([
      'b waits',
      'a waits',
      'host callback',
      'a woke',
      'b woke',
      'a again',
      'b again',
      'host microtask',
    ]);
  });

  it('with 8 or more waiting, I/O wake-ups of one host turn share a slice after its microtasks', async () => {
    expect(await wakeOrder(6)).toEqual([
      'b waits',
      'a waits',
      'host callback',
      'host microtask',
      'a woke',
      'b woke',
      'a again',
      'b again',
    ]);
  });

  it('with 8 or more waiting, a wake-up that passes `now` (a big read) runs in a microtask', async () => {
    expect(
      await wakeOrder(6, [
        ['a', true],
        ['b', false],
      ]),
    ).toEqual([
      'b waits',
      'a waits',
      'host callback',
      'a woke',
      'b woke',
      'a again',
      'b again',
      'host microtask',
    ]);
  });

  it('a wake-up that passes `now` brings forward the slice a batched wake-up is waiting for', async () => {
    expect(
      await wakeOrder(6, [
        ['b', false],
        ['a', true],
      ]),
    ).toEqual([
      'b waits',
      'a waits',
      'host callback',
      'b woke',
      'a woke',
      'b again',
      'a again',
      'host microtask',
    ]);
  });

  it('a task woken by a settled promise runs before the host’s next macrotask', async () => {
    const events: string[] = [];
    let resolve: ((v: string) => void) | undefined;
    function* main() {
      setTimeout(() => {
        events.push('host callback');
        resolve?.('value');
        setImmediate(() => events.push('host immediate'));
      }, 1);
      const v = yield* futureWait(new Promise<string>((r) => (resolve = r)));
      events.push(`task got ${v}`);
      yield* futureWait(new Promise((r) => setTimeout(r, 5)));
    }
    await run(main());
    expect(events).toEqual(['host callback', 'task got value', 'host immediate']);
  });
});
