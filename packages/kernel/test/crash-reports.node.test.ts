// One report per failure, and what it looks like: the exact text the user sees (console.error
// as Node prints it, and a TaskError as Node prints an uncaught one: util.inspect).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, inspect } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  asyncWith,
  CancelledError,
  type Coro,
  currentTask,
  disableCancellation,
  Kernel,
  newTask,
  run,
  sleep,
  type Task,
  TaskError,
  TaskGroup,
  VirtualTimeSelector,
} from '../src/index.js';

const FILE = fileURLToPath(import.meta.url);
const SOURCE = readFileSync(FILE, 'utf8').split('\n');

/** `at fn (file:line:col)` of `code` on the line marked `// @marker` in this file. */
function frame(fn: string, marker: string, code: string): string {
  const line = SOURCE.findIndex((text) => text.endsWith(`// @${marker}`));
  const col = SOURCE[line]!.indexOf(code);
  if (line < 0 || col < 0) throw new Error(`no ${code} at @${marker}`);
  return `    at ${fn} (${FILE}:${line + 1}:${col + 1})`;
}

// What console.error printed, one entry per call, as Node prints it.
let logged: string[];
beforeEach(() => {
  logged = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    logged.push(format(...args));
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

const vt = () => ({ selector: new VirtualTimeSelector() });

// util.inspect of a TaskError (as Node prints an uncaught one) whose cause reads `printed`.
function inspected(err: TaskError, printed: string): string {
  return `[TaskError: ${err.message}] {\n  [cause]: ${printed.replaceAll('\n', '\n  ')}\n}`;
}

function* grandchild(): Coro<never> {
  yield* sleep(5);
  throw new Error('boom'); // @boom
}

describe('one report per failure', () => {
  it('a grandchild crash joined by its parent, joined by main: printed once, by run', async () => {
    const ids: number[] = [];
    function* child(): Coro<void> {
      ids.push((yield* currentTask()).id);
      const t = yield* newTask(grandchild(), { name: 'grandchild' });
      ids.push(t.id);
      yield* t.join();
    }
    function* main(): Coro<void> {
      ids.push((yield* currentTask()).id);
      const t = yield* newTask(child(), { name: 'child' });
      yield* t.join();
    }
    const err = (await run(main(), vt()).catch((e: unknown) => e)) as TaskError;
    const [m, c, g] = ids;
    const printed = [
      'Error: boom',
      frame('grandchild', 'boom', 'new Error'),
      `    in task ${g} (grandchild)`,
      `    in task ${c} (child)`,
      `    in task ${m} (task-${m})`,
    ].join('\n');
    expect(logged).toEqual([]);
    expect(err).toBeInstanceOf(TaskError);
    expect(err.message).toBe('child failed: grandchild failed: Error: boom');
    const cause = err.cause as Error & { fullStack: string };
    expect([cause.message, cause.stack]).toEqual(['boom', printed]);
    expect(cause.fullStack).toMatch(
      /^Error: boom\n {4}at grandchild .*\n {4}at grandchild\.next \(<anonymous>\)\n {4}at Kernel\.#step /,
    );
    expect([inspect(err), String(err), err.stack]).toEqual([
      inspected(err, printed),
      `TaskError: ${err.message}`,
      `TaskError: ${err.message}`,
    ]);
  });

  it('a crashed daemon is logged once, when it crashes, with its name', async () => {
    const events: string[] = [];
    let daemon!: Task;
    function* main(): Coro<void> {
      daemon = yield* newTask(grandchild(), { daemon: true, name: 'reaper' });
      yield* sleep(10);
      events.push(`main ends, ${logged.length} logged`);
    }
    await run(main(), vt());
    expect(events).toEqual(['main ends, 1 logged']);
    expect(logged).toEqual([
      [
        `curio: task ${daemon.id} (reaper) crashed: Error: boom`,
        frame('grandchild', 'boom', 'new Error'),
        `    in task ${daemon.id} (reaper)`,
      ].join('\n'),
    ]);
  });

  it('a crash inside a TaskGroup that nobody collects: logged once, by the group', async () => {
    let main!: Task;
    let lost!: Task;
    function* body(g: TaskGroup): Coro<void> {
      lost = yield* g.spawn(grandchild(), { name: 'lost' });
      yield* g.spawn(sleep(100), { name: 'sibling' });
    }
    await run(
      (function* () {
        main = yield* currentTask();
        yield* asyncWith(new TaskGroup(), body);
      })(),
      vt(),
    );
    expect(logged).toEqual([
      [
        `curio: task ${lost.id} (lost) crashed: Error: boom`,
        frame('grandchild', 'boom', 'new Error'),
        `    in task ${lost.id} (lost)`,
        `    in task ${main.id} (task-${main.id})`,
      ].join('\n'),
    ]);
  });

  it('a crash while a sibling is being cancelled: joined, it is printed once, by run', async () => {
    const events: string[] = [];
    function* slowToCancel(): Coro<void> {
      try {
        yield* sleep(100);
      } catch (err) {
        events.push(`sibling ${(err as Error).name} at 1`);
        yield* disableCancellation(sleep(10)); // cleans up while the crash happens
        events.push('sibling cleaned up at 11');
        throw err;
      }
    }
    let ids: number[] = [];
    function* main(): Coro<void> {
      const crasher = yield* newTask(grandchild(), { name: 'crasher' });
      const sibling = yield* newTask(slowToCancel(), { name: 'sibling' });
      ids = [(yield* currentTask()).id, crasher.id];
      yield* sleep(1);
      yield* sibling.cancel();
      events.push(`main joins the crasher, ${logged.length} logged`);
      yield* crasher.join();
    }
    const err = await run(main(), vt()).catch((e: unknown) => e);
    expect(events).toEqual([
      'sibling CancelledError at 1',
      'sibling cleaned up at 11',
      'main joins the crasher, 0 logged',
    ]);
    expect(logged).toEqual([]);
    expect(inspect(err)).toBe(
      inspected(
        err as TaskError,
        [
          'Error: boom',
          frame('grandchild', 'boom', 'new Error'),
          `    in task ${ids[1]} (crasher)`,
          `    in task ${ids[0]} (task-${ids[0]})`,
        ].join('\n'),
      ),
    );
  });

  it('a crash while a sibling is being cancelled, never joined: logged once, when its parent ends', async () => {
    const events: string[] = [];
    let ids: number[] = [];
    function* main(): Coro<void> {
      const crasher = yield* newTask(grandchild(), { name: 'crasher' });
      const sibling = yield* newTask(disableCancellation(sleep(20)), { name: 'sibling' });
      ids = [(yield* currentTask()).id, crasher.id];
      yield* sibling.cancel(); // the crash comes meanwhile, at 5
      events.push(`sibling cancelled, ${logged.length} logged`);
    }
    await run(main(), vt());
    events.push(`run returned, ${logged.length} logged`);
    expect(events).toEqual(['sibling cancelled, 0 logged', 'run returned, 1 logged']);
    expect(logged).toEqual([
      [
        `curio: task ${ids[1]} (crasher) crashed: Error: boom`,
        frame('grandchild', 'boom', 'new Error'),
        `    in task ${ids[1]} (crasher)`,
        `    in task ${ids[0]} (task-${ids[0]})`,
      ].join('\n'),
    ]);
  });
});

describe('how a failure reads', () => {
  it("main's own error: run rejects with it, its own frames and its task, named from them", async () => {
    let id = 0;
    function* main(): Coro<void> {
      id = (yield* currentTask()).id;
      yield* grandchild();
    }
    const err = (await run(main(), vt()).catch((e: unknown) => e)) as Error;
    const lines = inspect(err).split('\n');
    expect(lines).toEqual([
      'Error: boom',
      frame('grandchild', 'boom', 'new Error'),
      expect.stringMatching(/^ {4}at main \(.*crash-reports\.node\.test\.ts:\d+:\d+\)$/),
      // Unnamed, the failed task takes its generator's name from the error's own stack.
      `    in task ${id} (main)`,
    ]);
  });

  it('an error thrown in a kernel call (a timeout) reads as its task', async () => {
    let ids: number[] = [];
    function* main(): Coro<void> {
      const t = yield* newTask(sleep(10), { name: 'slow' });
      ids = [(yield* currentTask()).id, t.id];
      yield* t.join({ timeout: 5 });
    }
    const err = (await run(main(), vt()).catch((e: unknown) => e)) as Error;
    expect(err.stack).toBe(
      `TaskTimeout: TASK_JOIN timed out\n    in task ${ids[0]} (task-${ids[0]})`,
    );
  });
});

describe('a failure waits for a join until nobody can join it', () => {
  it('a task that fails before its parent joins it is not logged', async () => {
    function* main(): Coro<string> {
      const t = yield* newTask(grandchild(), { name: 'early' });
      yield* sleep(10); // it fails at 5
      try {
        yield* t.join();
      } catch (err) {
        return `joined: ${(err as Error).message}`;
      }
      return 'no error';
    }
    expect(await run(main(), vt())).toBe('joined: early failed: Error: boom');
    expect(logged).toEqual([]);
  });

  it('a top-level task nobody joins is logged when the kernel finishes', async () => {
    const kernel = new Kernel(vt());
    const lost = kernel.addTask(grandchild(), { name: 'top' });
    await kernel.run(sleep(1));
    expect(logged).toEqual([
      [
        `curio: task ${lost.id} (top) crashed: Error: boom`,
        frame('grandchild', 'boom', 'new Error'),
        `    in task ${lost.id} (top)`,
      ].join('\n'),
    ]);
    await kernel.shutdown();
    expect(logged).toHaveLength(1);
  });

  it('logs nothing with logErrors: false; a cancelled task is never a crash', async () => {
    function* main(): Coro<void> {
      yield* newTask(grandchild(), { name: 'quiet' });
      const c = yield* newTask(sleep(100));
      yield* c.cancel();
      yield* sleep(10);
    }
    await run(main(), { ...vt(), logErrors: false });
    expect(logged).toEqual([]);
    const events: string[] = [];
    await run(
      (function* () {
        const c = yield* newTask(sleep(100));
        yield* sleep(1);
        yield* c.cancel();
        events.push(c.excInfo instanceof CancelledError ? 'cancelled' : 'not cancelled');
      })(),
      vt(),
    );
    expect([events, logged]).toEqual([['cancelled'], []]);
  });

  it('a failed task nobody holds any more is logged once it is collected, before its parent ends', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const events: string[] = [];
    function* main(): Coro<void> {
      yield* newTask(grandchild(), { name: 'dropped' }); // the Task is not kept
      yield* sleep(10);
      for (let round = 0; round < 50 && logged.length === 0; round++) {
        gc();
        yield* sleep(5); // finalizers run after a collection, in a later turn of the host
      }
      events.push(`main ends, ${logged.length} logged`);
    }
    await run(main()); // real time: the host's turns run the finalizers
    expect(events).toEqual(['main ends, 1 logged']);
    expect(logged).toEqual([
      expect.stringMatching(/^curio: task \d+ \(dropped\) crashed: Error: boom\n/),
    ]);
  });
});
