// curio's debug activations (longblock, logcrash, schedtrace, traptrace): their exact output.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type Activation,
  type Coro,
  currentTask,
  type DebugOptions,
  logcrash,
  longblock,
  newTask,
  run,
  schedtrace,
  sleep,
  type Task,
  traptrace,
  VirtualTimeSelector,
} from '../src/index.js';

const FILE = fileURLToPath(import.meta.url);
const SOURCE = readFileSync(FILE, 'utf8').split('\n');

/** `file:line:col` of `code` on the line marked `// @marker` in this file. */
function at(marker: string, code: string): string {
  const line = SOURCE.findIndex((text) => text.endsWith(`// @${marker}`));
  const col = SOURCE[line]!.indexOf(code);
  if (line < 0 || col < 0) throw new Error(`no ${code} at @${marker}`);
  return `${FILE}:${line + 1}:${col + 1}`;
}

afterEach(() => {
  vi.restoreAllMocks();
});

// A virtual clock that a task can move on in the middle of a step (as a long computation would).
class Clock extends VirtualTimeSelector {
  busy = 0;
  override now(): number {
    return super.now() + this.busy;
  }
}

// main spawns kid, which sleeps 10 ms; main joins it. `ids` gets [main, kid].
function scenario(ids: number[], join: (t: Task) => Coro<unknown> = (t) => t.join()) {
  function* kid(): Coro<void> {
    yield* sleep(10);
  }
  return (function* () {
    ids.push((yield* currentTask()).id);
    const t = yield* newTask(kid(), { name: 'kid' });
    ids.push(t.id);
    yield* join(t);
  })();
}

async function traced(
  make: (options: DebugOptions) => Activation,
  options: DebugOptions = {},
  join?: (t: Task) => Coro<unknown>,
): Promise<[string[], number, number]> {
  const lines: string[] = [];
  const ids: number[] = [];
  await run(scenario(ids, join), {
    selector: new VirtualTimeSelector(),
    logErrors: false,
    activations: [make({ log: (line) => lines.push(line), ...options })],
  });
  return [lines, ids[0]!, ids[1]!];
}

describe('schedtrace', () => {
  it('logs each task created, run, suspended and ended, with the clock and its state', async () => {
    const [lines, m, k] = await traced(schedtrace);
    const main = `task-${m}`;
    expect(lines).toEqual([
      `curio: 0.000 ms CREATE Task(${m}, ${main}, INITIAL)`,
      `curio: 0.000 ms RUN Task(${m}, ${main}, READY)`,
      `curio: 0.000 ms CREATE Task(${k}, kid, INITIAL)`,
      `curio: 0.000 ms SUSPEND Task(${m}, ${main}, READY)`,
      `curio: 0.000 ms RUN Task(${k}, kid, READY)`,
      `curio: 0.000 ms SUSPEND Task(${k}, kid, SLEEP)`,
      `curio: 0.000 ms RUN Task(${m}, ${main}, READY)`,
      `curio: 0.000 ms SUSPEND Task(${m}, ${main}, TASK_JOIN)`,
      `curio: 10.000 ms RUN Task(${k}, kid, READY)`,
      `curio: 10.000 ms TERMINATED Task(${k}, kid, TERMINATED)`,
      `curio: 10.000 ms RUN Task(${m}, ${main}, READY)`,
      `curio: 10.000 ms TERMINATED Task(${m}, ${main}, TERMINATED)`,
    ]);
  });

  it('filter: a task name, a list of names or a predicate', async () => {
    const expected = (k: number) => [
      `curio: 0.000 ms CREATE Task(${k}, kid, INITIAL)`,
      `curio: 0.000 ms RUN Task(${k}, kid, READY)`,
      `curio: 0.000 ms SUSPEND Task(${k}, kid, SLEEP)`,
      `curio: 10.000 ms RUN Task(${k}, kid, READY)`,
      `curio: 10.000 ms TERMINATED Task(${k}, kid, TERMINATED)`,
    ];
    for (const filter of ['kid', ['nobody', 'kid'], (t: Task) => t.name === 'kid']) {
      const [lines, , k] = await traced(schedtrace, { filter });
      expect(lines).toEqual(expected(k));
    }
  });

  it('logs to console.log by default', async () => {
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    await run(sleep(0), { activations: [schedtrace({ filter: () => false })] });
    await run(sleep(0), { selector: new VirtualTimeSelector(), activations: [schedtrace()] });
    expect(spy.mock.calls.map((c) => String(c[0]).replace(/\d+/g, 'N'))).toEqual([
      'curio: N.N ms CREATE Task(N, task-N, INITIAL)',
      'curio: N.N ms RUN Task(N, task-N, READY)',
      'curio: N.N ms SUSPEND Task(N, task-N, READY)', // sleep(0) switches
      'curio: N.N ms RUN Task(N, task-N, READY)',
      'curio: N.N ms TERMINATED Task(N, task-N, TERMINATED)',
    ]);
  });

  it('a log that throws: reported once, the activation removed, the kernel goes on', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    let calls = 0;
    const broken = schedtrace({
      log: () => {
        calls++;
        throw new Error('log broke');
      },
    });
    const result = await run(
      (function* () {
        yield* sleep(5);
        return 'done';
      })(),
      { selector: new VirtualTimeSelector(), activations: [broken] },
    );
    expect([result, calls]).toEqual(['done', 1]);
    expect(spy.mock.calls.map((c) => [c[0], (c[1] as Error).message])).toEqual([
      [
        'curio: activation SchedTrace raised an error in created() and was removed (the kernel goes on):',
        'log broke',
      ],
    ]);
  });
});

describe('traptrace', () => {
  it('adds the kernel call that ended each step, with its arguments', async () => {
    const [lines, m, k] = await traced(traptrace);
    const main = `task-${m}`;
    expect(lines).toEqual([
      `curio: 0.000 ms CREATE Task(${m}, ${main}, INITIAL)`,
      `curio: 0.000 ms RUN Task(${m}, ${main}, READY)`,
      `curio: 0.000 ms CREATE Task(${k}, kid, INITIAL)`,
      `curio: 0.000 ms TRAP Task(${m}, ${main}, READY) newTask(a coroutine, { name: "kid" })`,
      `curio: 0.000 ms SUSPEND Task(${m}, ${main}, READY)`,
      `curio: 0.000 ms RUN Task(${k}, kid, READY)`,
      `curio: 0.000 ms TRAP Task(${k}, kid, SLEEP) sleep(10)`,
      `curio: 0.000 ms SUSPEND Task(${k}, kid, SLEEP)`,
      `curio: 0.000 ms RUN Task(${m}, ${main}, READY)`,
      `curio: 0.000 ms TRAP Task(${m}, ${main}, TASK_JOIN) joinTask(Task(${k}, kid, SLEEP))`,
      `curio: 0.000 ms SUSPEND Task(${m}, ${main}, TASK_JOIN)`,
      `curio: 10.000 ms RUN Task(${k}, kid, READY)`,
      `curio: 10.000 ms TERMINATED Task(${k}, kid, TERMINATED)`,
      `curio: 10.000 ms RUN Task(${m}, ${main}, READY)`,
      `curio: 10.000 ms TERMINATED Task(${m}, ${main}, TERMINATED)`,
    ]);
  });

  it('shows a join that times out and a cancel', async () => {
    const [lines, m, k] = await traced(traptrace, { filter: (t) => t.name !== 'kid' }, (t) =>
      (function* () {
        try {
          yield* t.join({ timeout: 4 });
        } catch {
          yield* t.cancel();
        }
      })(),
    );
    const main = `task-${m}`;
    expect(lines).toEqual([
      `curio: 0.000 ms CREATE Task(${m}, ${main}, INITIAL)`,
      `curio: 0.000 ms RUN Task(${m}, ${main}, READY)`,
      `curio: 0.000 ms TRAP Task(${m}, ${main}, READY) newTask(a coroutine, { name: "kid" })`,
      `curio: 0.000 ms SUSPEND Task(${m}, ${main}, READY)`,
      `curio: 0.000 ms RUN Task(${m}, ${main}, READY)`,
      `curio: 0.000 ms TRAP Task(${m}, ${main}, TASK_JOIN) joinTask(Task(${k}, kid, SLEEP), { timeout: 4 })`,
      `curio: 0.000 ms SUSPEND Task(${m}, ${main}, TASK_JOIN)`,
      `curio: 4.000 ms RUN Task(${m}, ${main}, READY)`,
      `curio: 4.000 ms TRAP Task(${m}, ${main}, CANCEL_WAIT) cancelTask(Task(${k}, kid, READY))`,
      `curio: 4.000 ms SUSPEND Task(${m}, ${main}, CANCEL_WAIT)`,
      `curio: 4.000 ms RUN Task(${m}, ${main}, READY)`,
      `curio: 4.000 ms TERMINATED Task(${m}, ${main}, TERMINATED)`,
    ]);
  });
});

describe('logcrash', () => {
  function* worker(): Coro<never> {
    yield* sleep(1);
    throw new Error('boom'); // @boom
  }

  it('logs every crash when it happens, joined or not; a cancellation is not a crash', async () => {
    const lines: string[] = [];
    const ids: number[] = [];
    const result = await run(
      (function* () {
        ids.push((yield* currentTask()).id);
        const t = yield* newTask(worker(), { name: 'worker' });
        ids.push(t.id);
        const c = yield* newTask(sleep(100), { name: 'cancelled' });
        yield* c.cancel();
        try {
          yield* t.join();
        } catch {
          return 'handled';
        }
      })(),
      {
        selector: new VirtualTimeSelector(),
        activations: [logcrash({ log: (l) => lines.push(l) })],
      },
    );
    expect(result).toBe('handled');
    expect(lines).toEqual([
      [
        `curio: logcrash: task ${ids[1]} (worker) crashed: Error: boom`,
        `    at worker (${at('boom', 'new Error')})`,
        `    in task ${ids[1]} (worker)`,
        `    in task ${ids[0]} (task-${ids[0]})`,
      ].join('\n'),
    ]);
  });

  it('logs to console.error by default, through its filter', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    await run(
      (function* () {
        const a = yield* newTask(worker(), { name: 'a' });
        const b = yield* newTask(worker(), { name: 'b' });
        yield* sleep(5); // both have crashed, unjoined (and logErrors is off)
        void [a, b];
      })(),
      {
        selector: new VirtualTimeSelector(),
        logErrors: false,
        activations: [logcrash({ filter: 'b' })],
      },
    );
    expect(spy.mock.calls.map((c) => String(c[0]).split('\n')[0])).toEqual([
      expect.stringMatching(/^curio: logcrash: task \d+ \(b\) crashed: Error: boom$/),
    ]);
  });
});

describe('longblock', () => {
  it('warns when a step holds the loop longer than maxMs, naming the task and its frame', async () => {
    const clock = new Clock();
    const lines: string[] = [];
    let id = 0;
    function* cruncher(): Coro<void> {
      id = (yield* currentTask()).id;
      clock.busy += 30; // within maxMs
      yield* sleep(0);
      clock.busy += 80;
      yield* sleep(0); // @long
      clock.busy += 60; // and then it ends
    }
    await run(cruncher(), {
      selector: clock,
      activations: [longblock({ log: (l) => lines.push(l) })],
    });
    expect(lines).toEqual([
      `curio: longblock: task ${id} (task-${id}) held the loop for 80.0 ms (maxMs 50), until sleep() at cruncher (${at('long', 'sleep(0)')})`,
      `curio: longblock: task ${id} (task-${id}) held the loop for 60.0 ms (maxMs 50), until its end`,
    ]);
  });

  it('maxMs and filter; console.warn by default', async () => {
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const clock = new Clock();
    function* busy(ms: number): Coro<void> {
      clock.busy += ms;
      yield* sleep(0);
    }
    await run(
      (function* () {
        const a = yield* newTask(busy(15), { name: 'a' });
        const b = yield* newTask(busy(15), { name: 'b' });
        yield* a.join();
        yield* b.join();
      })(),
      { selector: clock, activations: [longblock({ maxMs: 10, filter: ['b'] })] },
    );
    expect(spy.mock.calls.map((c) => String(c[0]).replace(/ at busy \(.*\)$/, ''))).toEqual([
      expect.stringMatching(
        /^curio: longblock: task \d+ \(b\) held the loop for 15\.0 ms \(maxMs 10\), until sleep\(\)$/,
      ),
    ]);
  });
});

describe('bad input', () => {
  it('a clear TypeError naming the function and the option', () => {
    const cases: [() => unknown, string][] = [
      [
        () => longblock({ maxMs: -1 }),
        'longblock(options): options.maxMs must be a finite number of ms >= 0, got -1',
      ],
      [
        () => longblock({ maxMs: '5' as never }),
        'longblock(options): options.maxMs must be a finite number of ms >= 0, got "5"',
      ],
      [
        () => longblock({ maxMs: Infinity }),
        'longblock(options): options.maxMs must be a finite number of ms >= 0, got Infinity',
      ],
      [
        () => logcrash({ log: 'console' as never }),
        'logcrash(options): options.log must be a function (line) => void, got "console"',
      ],
      [
        () => schedtrace({ filter: 3 as never }),
        'schedtrace(options): options.filter must be a task name, a list of names or a function (task) => boolean, got 3',
      ],
      [
        () => traptrace({ filter: ['a', 1] as never }),
        'traptrace(options): options.filter must be a task name, a list of names or a function (task) => boolean, got ["a",1]',
      ],
      [() => traptrace(5 as never), 'traptrace: options must be an object, got 5'],
    ];
    for (const [make, message] of cases) expect(make).toThrow(new TypeError(message));
  });
});
