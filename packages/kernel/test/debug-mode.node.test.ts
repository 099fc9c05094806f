// Debug mode: spawn sites, names after the generator function, where a task waits, a crash
// report with the whole chain, kernel calls never run; and what it costs nothing when off.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, inspect } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  asyncWith,
  type Coro,
  currentTask,
  Kernel,
  KernelQueue,
  newTask,
  run,
  sleep,
  type Task,
  TaskGroup,
  VirtualTimeSelector,
  waitOnQueue,
} from '../src/index.js';

const FILE = fileURLToPath(import.meta.url);
const SOURCE = readFileSync(FILE, 'utf8').split('\n');

// The line marked `// @marker` in this file: `file:line`, or with the column of `code`.
function site(marker: string, code?: string): string {
  const line = SOURCE.findIndex((text) => text.endsWith(`// @${marker}`));
  if (line < 0) throw new Error(`no line marked @${marker}`);
  if (code === undefined) return `${FILE}:${line + 1}`;
  return `${FILE}:${line + 1}:${SOURCE[line]!.indexOf(code) + 1}`;
}

const debug = () => ({ selector: new VirtualTimeSelector(), debug: true });

afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.CURIO_DEBUG;
});

function* fetchUser(): Coro<void> {
  yield* sleep(10);
}

describe('debug mode', () => {
  it('records each spawn site and names tasks after their generator function', async () => {
    const seen: [string, string | undefined][] = [];
    function* main(): Coro<void> {
      const me = yield* currentTask();
      const t = yield* newTask(fetchUser()); // @spawn
      const named = yield* newTask(fetchUser(), { name: 'mine' }); // @named
      const anonymous = (function* () {
        yield* sleep(1);
      })();
      const anon = yield* newTask(anonymous); // @anon
      for (const task of [me, t, named, anon]) seen.push([task.name, task.spawnSite]);
      yield* t.join();
    }
    await run(main(), debug()); // @run
    expect(seen).toEqual([
      ['main', site('run')],
      ['fetchUser', site('spawn')],
      ['mine', site('named')],
      [expect.stringMatching(/^task-\d+$/), site('anon')],
    ]);
  });

  it('records spawn sites of addTask, TaskGroup.spawn and submit', async () => {
    const kernel = new Kernel(debug());
    const added = kernel.addTask(fetchUser()); // @added
    let grouped!: Task;
    let submitted!: Task;
    await kernel.run(
      (function* main() {
        yield* asyncWith(new TaskGroup(), function* (g) {
          grouped = yield* g.spawn(fetchUser()); // @grouped
        });
      })(),
    );
    const serving = kernel.runForever();
    await kernel.submit(
      (function* () {
        submitted = yield* currentTask();
      })(),
    ); // @submitted
    await kernel.shutdown();
    await serving;
    expect([added, grouped, submitted].map((t) => t.spawnSite)).toEqual([
      site('added'),
      site('grouped'),
      expect.stringMatching(new RegExp(`^${FILE}:\\d+$`)),
    ]);
  });

  it('keeps where each task waits: the kernel call and the user frame that made it', async () => {
    const kq = new KernelQueue();
    let where: string | undefined;
    function* waiter(): Coro<void> {
      yield* waitOnQueue(kq, 'PARKED'); // @parked
    }
    await run(
      (function* () {
        const t = yield* newTask(waiter());
        yield* sleep(1);
        where = t.where;
        yield* t.cancel();
      })(),
      debug(),
    );
    const lines = where?.split('\n') ?? [];
    expect(lines[0]).toMatch(/^ {4}at waitOnQueue \(.*\)$/);
    expect(lines[1]).toBe(`    at waiter (${site('parked', 'waitOnQueue')})`);
  });

  it('a deadlock report names each task, its state and where it waits', async () => {
    const kq = new KernelQueue();
    function* stuck(): Coro<void> {
      yield* waitOnQueue(kq, 'NEVER_WOKEN'); // @stuck
    }
    function* main(): Coro<void> {
      const t = yield* newTask(stuck());
      yield* t.join(); // @join
    }
    await expect(run(main(), debug())).rejects.toThrow(
      `deadlock: every task is blocked and nothing can wake them: main (TASK_JOIN at ${site('join')}), stuck (NEVER_WOKEN at ${site('stuck')})`,
    );
  });

  it('a crash report shows the chain with names and spawn sites, printed once', async () => {
    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => {
      logged.push(format(...args));
    });
    function* grandchild(): Coro<never> {
      yield* sleep(5);
      throw new Error('boom'); // @boom
    }
    function* child(): Coro<void> {
      const t = yield* newTask(grandchild()); // @grandchild
      yield* t.join();
    }
    function* main(): Coro<void> {
      const t = yield* newTask(child()); // @child
      yield* t.join();
    }
    const ids: number[] = [];
    const options = { ...debug(), activations: [{ created: (t: Task) => ids.push(t.id) }] };
    const err = await run(main(), options).catch((e: unknown) => e); // @main
    expect(logged).toEqual([]);
    expect(inspect(err)).toBe(
      [
        '[TaskError: child failed: grandchild failed: Error: boom] {',
        '  [cause]: Error: boom',
        `      at grandchild (${site('boom', 'new Error')})`,
        `      in task ${ids[2]} (grandchild), spawned at ${site('grandchild')}`,
        `      in task ${ids[1]} (child), spawned at ${site('child')}`,
        `      in task ${ids[0]} (main), spawned at ${site('main')}`,
        '}',
      ].join('\n'),
    );
  });

  it('CURIO_DEBUG=1 turns it on where the option is not given; debug: false wins', async () => {
    const sites: (string | undefined)[] = [];
    process.env.CURIO_DEBUG = '1';
    for (const options of [{}, { debug: false }]) {
      await run(
        (function* () {
          sites.push((yield* newTask(fetchUser())).spawnSite);
        })(),
        { selector: new VirtualTimeSelector(), ...options },
      );
    }
    expect(sites).toEqual([expect.stringContaining(FILE), undefined]);
  });

  it('off (the default), records nothing', async () => {
    let seen: unknown[] = [];
    await run(
      (function* () {
        const t = yield* newTask(fetchUser());
        yield* sleep(1);
        seen = [t.name, t.spawnSite, t.where];
      })(),
      { selector: new VirtualTimeSelector() },
    );
    expect(seen).toEqual([expect.stringMatching(/^task-\d+$/), undefined, undefined]);
  });

  it('refuses a debug option that is not a boolean', async () => {
    expect(() => new Kernel({ debug: 'yes' as never })).toThrow(
      new TypeError('new Kernel(options): options.debug must be a boolean, got "yes"'),
    );
    await expect(run(sleep(0), { debug: 1 as never })).rejects.toThrow(
      new TypeError('run(coro, options): options.debug must be a boolean, got 1'),
    );
  });
});

describe('debug mode: a kernel call never run', () => {
  // A full collection on demand (the test process has no --expose-gc).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;

  // Collect until `logged` has `n` entries (finalizers run a turn after a collection), at most
  // `rounds` times.
  async function collect(logged: string[], n: number, rounds = 50): Promise<void> {
    for (let round = 0; round < rounds && logged.length < n; round++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('is reported once, with the line that made it; a call run, or made off debug, is not', async () => {
    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => {
      logged.push(format(...args));
    });
    function* forgetful(): Coro<void> {
      sleep(200); // @sleep
      newTask(fetchUser()); // @newTask
      yield* sleep(1); // run: not reported
    }
    await run(forgetful(), debug());
    await run(forgetful(), { selector: new VirtualTimeSelector() }); // debug off: not reported
    await collect(logged, 2);
    await collect(logged, 3, 10); // a third report would have had every chance to appear
    expect(logged.sort()).toEqual([
      `curio: newTask(...) at ${site('newTask')} was never run: a call without yield* does nothing (write yield* newTask(...))`,
      `curio: sleep(...) at ${site('sleep')} was never run: a call without yield* does nothing (write yield* sleep(...))`,
    ]);
  }, 30_000); // up to 60 full collections: seconds under Deno on a loaded machine
});
