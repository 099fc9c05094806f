import * as executors from '@curio/executors';
import * as io from '@curio/io';
import * as kernel from '@curio/kernel';
import * as monitor from '@curio/monitor';
import * as net from '@curio/net';
import * as queue from '@curio/queue';
import * as signal from '@curio/signal';
import * as socket from '@curio/socket';
import * as ssl from '@curio/ssl';
import * as subprocess from '@curio/subprocess';
import * as sync from '@curio/sync';
import { describe, expect, it } from 'vitest';
import * as curio from '../src/index.js';

const flat = { executors, kernel, monitor, net, queue, signal, sync };
const namespaced = { io, socket, ssl, subprocess };
const top = curio as unknown as Record<string, unknown>;

describe('curio re-exports every package', () => {
  for (const [name, mod] of Object.entries(flat)) {
    it(`every export of @curio/${name} is a top-level export of curio`, () => {
      const missing = Object.keys(mod).filter(
        (key) => top[key] !== (mod as Record<string, unknown>)[key],
      );
      expect(missing).toEqual([]);
    });
  }

  for (const [name, mod] of Object.entries(namespaced)) {
    it(`@curio/${name} is the namespace curio.${name}`, () => {
      const ns = top[name] as Record<string, unknown>;
      const missing = Object.keys(mod).filter(
        (key) => ns[key] !== (mod as Record<string, unknown>)[key],
      );
      expect(missing).toEqual([]);
    });
  }

  it('resolves the clashes deliberately: run is the kernel run, subprocess.run the other', () => {
    expect(curio.run).toBe(kernel.run);
    expect(curio.subprocess.run).toBe(subprocess.run);
    expect(curio.subprocess.run).not.toBe(curio.run);
  });

  it('no top-level name of curio comes from two packages', () => {
    const owners = new Map<string, string[]>();
    for (const [name, mod] of Object.entries(flat)) {
      for (const key of Object.keys(mod)) owners.set(key, [...(owners.get(key) ?? []), name]);
    }
    const shared = [...owners].filter(
      ([key, from]) =>
        from.length > 1 &&
        new Set(from.map((n) => (flat as Record<string, Record<string, unknown>>)[n][key])).size >
          1,
    );
    expect(shared).toEqual([]);
  });
});

describe('a program written against curio alone', () => {
  it('runs tasks, a queue and a lock in order, in virtual time', async () => {
    const events: string[] = [];
    const q = new curio.Queue<number>();
    const lock = new curio.Lock();
    function* producer(): curio.Coro<void> {
      for (let n = 0; n < 3; n++) {
        yield* q.put(n);
        events.push(`put ${n}`);
      }
    }
    function* consumer(): curio.Coro<void> {
      for (let n = 0; n < 3; n++) {
        const item = yield* q.get();
        yield* curio.asyncWith(lock, function* () {
          yield* curio.sleep(10);
          events.push(`got ${item}`);
        });
      }
    }
    function* main(): curio.Coro<number> {
      const c = yield* curio.newTask(consumer());
      const p = yield* curio.newTask(producer());
      yield* p.join();
      yield* c.join();
      return (yield* curio.getKernel()).selector.now();
    }
    const now = await curio.run(main(), {
      selector: new curio.VirtualTimeSelector(),
      logErrors: false,
    });
    expect(events).toEqual(['put 0', 'put 1', 'put 2', 'got 0', 'got 1', 'got 2']);
    expect(now).toBe(30);
  });

  it('times out through the umbrella with the kernel TaskTimeout', async () => {
    function* main(): curio.Coro<string> {
      const q = new curio.Queue<string>();
      try {
        yield* q.get({ timeout: 50 });
        return 'got';
      } catch (err) {
        return err instanceof curio.TaskTimeout ? 'timeout' : 'other';
      }
    }
    expect(await curio.run(main(), { selector: new curio.VirtualTimeSelector() })).toBe('timeout');
  });

  it('runs a child process through the subprocess namespace', async () => {
    function* main(): curio.Coro<string> {
      const result = yield* curio.subprocess.checkOutput([
        process.execPath,
        '-e',
        'process.stdout.write("hello")',
      ]);
      return result.toString();
    }
    expect(await curio.run(main())).toBe('hello');
  });
});
