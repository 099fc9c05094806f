import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type Activation,
  type Coro,
  Kernel,
  newTask,
  run,
  sleep,
  type Task,
  type Trap,
  VirtualTimeSelector,
} from '../src/index.js';

// An activation that records every hook it is told about, in order (the one unnamed task of
// each test is its main task).
function recorder(events: string[]): Activation {
  const who = (task: Task) => (task.name.startsWith('task-') ? 'main' : task.name);
  return {
    activate: (kernel) => events.push(`activate ${kernel instanceof Kernel}`),
    created: (task) => events.push(`created ${who(task)}`),
    running: (task) => events.push(`running ${who(task)}`),
    suspended: (task: Task, trap: Trap | undefined) =>
      events.push(`suspended ${who(task)} at ${trap?.name}`),
    terminated: (task) => events.push(`terminated ${who(task)} ${task.state}`),
  };
}

function* child(): Coro<string> {
  yield* sleep(10);
  return 'done';
}

function* parent(): Coro<string> {
  const t = yield* newTask(child(), { name: 'child' });
  return yield* t.join();
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the activations option', () => {
  it('tells an activation of run() about each task, in order', async () => {
    const events: string[] = [];
    const result = await run(parent(), {
      selector: new VirtualTimeSelector(),
      activations: [recorder(events)],
    });
    expect(result).toBe('done');
    expect(events).toEqual([
      'activate true',
      'created main',
      'running main',
      'created child',
      'suspended main at newTask',
      'running child',
      'suspended child at sleep',
      'running main',
      'suspended main at joinTask',
      'running child',
      'terminated child TERMINATED',
      'running main',
      'terminated main TERMINATED',
    ]);
  });

  it('new Kernel({ activations }) installs each at once; a task cancelled is told as terminated', async () => {
    const events: string[] = [];
    const kernel = new Kernel({
      selector: new VirtualTimeSelector(),
      activations: [recorder(events)],
    });
    expect(events).toEqual(['activate true']);
    kernel.addTask(sleep(1000), { name: 'sleeper', daemon: true });
    await kernel.run(
      (function* main() {
        yield* sleep(5);
      })(),
    );
    events.length = 0;
    await kernel.shutdown();
    expect(events).toEqual(['running sleeper', 'terminated sleeper TERMINATED']);
  });

  it('installed during a step, it hears from the next step on', async () => {
    const events: string[] = [];
    const kernel = new Kernel({ selector: new VirtualTimeSelector() });
    await kernel.run(
      (function* main() {
        const t = yield* newTask(sleep(100), { name: 'napper' });
        kernel._activate(recorder(events));
        yield* t.cancel({ timeout: 50 });
      })(),
    );
    await kernel.shutdown();
    expect(events).toEqual([
      'activate true',
      'running napper',
      'terminated napper TERMINATED',
      'running main',
      'terminated main TERMINATED',
    ]);
  });

  it('an activation that throws is reported once, removed, and the kernel goes on', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const events: string[] = [];
    let calls = 0;
    const faulty: Activation = {
      running() {
        calls++;
        throw new Error('broken hook');
      },
    };
    const result = await run(parent(), {
      selector: new VirtualTimeSelector(),
      activations: [faulty, { terminated: (t) => events.push(`terminated ${t.name}`) }],
    });
    expect(result).toBe('done');
    expect(calls).toBe(1);
    expect(events).toEqual(['terminated child', expect.stringMatching(/^terminated task-\d+$/)]);
    expect(spy.mock.calls.map((c) => [c[0], (c[1] as Error).message])).toEqual([
      [
        'curio: activation { running } raised an error in running() and was removed (the kernel goes on):',
        'broken hook',
      ],
    ]);
  });

  it('names an activation of a class by its class in the report', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    class Tracer implements Activation {
      created(): void {
        throw new TypeError('nope');
      }
    }
    await run(parent(), { selector: new VirtualTimeSelector(), activations: [new Tracer()] });
    expect(spy.mock.calls.map((c) => c[0])).toEqual([
      'curio: activation Tracer raised an error in created() and was removed (the kernel goes on):',
    ]);
  });

  it('refuses options.activations that is not an array of activations', async () => {
    const bad: [unknown, string][] = [
      [{}, 'options.activations must be an array of Activation objects, got an object'],
      [[null], 'options.activations[0] must be an Activation object, got null'],
      [[{}, 'x'], 'options.activations[1] must be an Activation object, got "x"'],
    ];
    for (const [activations, message] of bad) {
      expect(() => new Kernel({ activations } as never)).toThrow(
        new TypeError(`new Kernel(options): ${message}`),
      );
      await expect(run(sleep(0), { activations } as never)).rejects.toThrow(
        new TypeError(`run(coro, options): ${message}`),
      );
    }
  });
});
