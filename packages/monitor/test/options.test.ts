import { type Coro, Kernel, run, sleep, type Task } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { Commands, formatWhere, taskFrames } from '../src/commands.js';
import { type ConsoleIO, runConsole } from '../src/console.js';
import { createMonitor, MONITOR_HOST, MONITOR_PORT, monitor } from '../src/index.js';
import { chooseTransport, planConsole, portFromEnv } from '../src/options.js';
import { checkNoLeaks, privateBase, Sink, startMonitored, TestClient } from './helpers.js';

checkNoLeaks();
privateBase();

describe('createMonitor options', () => {
  it('has the manual-compatible defaults and a ready-made monitor export', () => {
    expect([MONITOR_HOST, MONITOR_PORT]).toEqual(['127.0.0.1', 48802]);
    expect(typeof monitor).toBe('function');
    expect(typeof createMonitor()).toBe('function');
  });

  it('refuses hosts other than loopback, with a clear error', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '']) {
      expect(() => createMonitor({ host })).toThrow(
        `createMonitor(options): options.host must be a loopback address (127.0.0.1, another 127.x.y.z, ::1 or localhost): the console can cancel tasks, so it never listens on other interfaces; got ${JSON.stringify(host)}`,
      );
    }
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) {
      expect(typeof createMonitor({ host })).toBe('function');
    }
  });

  it('refuses bad ports and other bad options', () => {
    const cases: [unknown, string][] = [
      [{ port: -1 }, 'options.port must be an integer from 0 to 65535, got -1'],
      [{ port: 65536 }, 'options.port must be an integer from 0 to 65535, got 65536'],
      [{ port: 1.5 }, 'options.port must be an integer from 0 to 65535, got 1.5'],
      [{ port: '80' }, 'options.port must be an integer from 0 to 65535, got "80"'],
      [{ interactive: 'yes' }, 'options.interactive must be a boolean, got "yes"'],
      [{ onListening: 3 }, 'options.onListening must be a function, got 3'],
      [{ input: {} }, 'options.input must be a stream, got an object'],
      [{ output: 'x' }, 'options.output must be a stream, got "x"'],
      [null, 'options must be an object, got null'],
      [7, 'options must be an object, got 7'],
    ];
    for (const [options, message] of cases) {
      expect(() => createMonitor(options as never)).toThrow(
        new TypeError(`createMonitor(options): ${message}`),
      );
    }
  });

  it('reads the default port from CURIOMONITOR_PORT', () => {
    expect(portFromEnv({})).toBe(48802);
    expect(portFromEnv({ CURIOMONITOR_PORT: '' })).toBe(48802);
    expect(portFromEnv({ CURIOMONITOR_PORT: ' 9000 ' })).toBe(9000);
    expect(() => portFromEnv({ CURIOMONITOR_PORT: 'abc' })).toThrow(
      'CURIOMONITOR_PORT must be an integer from 0 to 65535, got "abc"',
    );
    expect(() => portFromEnv({ CURIOMONITOR_PORT: '70000' })).toThrow(
      'CURIOMONITOR_PORT must be an integer from 0 to 65535, got 70000',
    );
  });

  it('serves TCP only when asked for: a port or host option, or CURIOMONITOR_PORT', () => {
    const plans = [
      planConsole({ host: undefined, port: undefined }, {}, 'linux'),
      planConsole({ host: undefined, port: undefined }, { CURIOMONITOR_PORT: ' ' }, 'darwin'),
      planConsole({ host: undefined, port: null }, { CURIOMONITOR_PORT: '9000' }, 'linux'),
      planConsole({ host: undefined, port: 0 }, {}, 'linux'),
      planConsole({ host: '::1', port: undefined }, {}, 'linux'),
      planConsole({ host: undefined, port: undefined }, { CURIOMONITOR_PORT: '9000' }, 'linux'),
      planConsole({ host: '127.0.0.2', port: 7 }, { CURIOMONITOR_PORT: '9000' }, 'linux'),
    ];
    expect(plans).toEqual([
      { transport: 'unix' },
      { transport: 'unix' },
      { transport: 'off' },
      { transport: 'tcp', host: '127.0.0.1', port: 0 },
      { transport: 'tcp', host: '::1', port: 48802 },
      { transport: 'tcp', host: '127.0.0.1', port: 9000 },
      { transport: 'tcp', host: '127.0.0.2', port: 7 },
    ]);
    expect(() =>
      planConsole({ host: undefined, port: undefined }, { CURIOMONITOR_PORT: 'x' }),
    ).toThrow('CURIOMONITOR_PORT must be an integer from 0 to 65535, got "x"');
  });

  it('on Windows serves a named pipe (with the token), or TCP when asked for', () => {
    expect([
      chooseTransport('win32', false),
      chooseTransport('win32', true),
      chooseTransport('linux', false),
      chooseTransport('darwin', false),
      chooseTransport('freebsd', true),
    ]).toEqual(['pipe', 'tcp', 'unix', 'unix', 'tcp']);
    expect(planConsole({ host: undefined, port: undefined }, {}, 'win32')).toEqual({
      transport: 'pipe',
    });
    expect(planConsole({ host: undefined, port: 0 }, {}, 'win32')).toEqual({
      transport: 'tcp',
      host: '127.0.0.1',
      port: 0,
    });
  });

  it('listens on CURIOMONITOR_PORT when no port is given', async () => {
    const saved = process.env.CURIOMONITOR_PORT;
    process.env.CURIOMONITOR_PORT = '0';
    try {
      const m = await startMonitored(function* () {}, { port: undefined });
      expect(m.address.transport).toBe('tcp');
      expect(m.address.port).toBeGreaterThan(0);
      const c = await TestClient.connect(m.address);
      expect(await c.reply()).toContain('Curio Monitor');
      await c.close();
      await m.stop();
    } finally {
      if (saved === undefined) delete process.env.CURIOMONITOR_PORT;
      else process.env.CURIOMONITOR_PORT = saved;
    }
  });

  it('a malformed CURIOMONITOR_PORT is reported and the program runs on', async () => {
    const saved = process.env.CURIOMONITOR_PORT;
    process.env.CURIOMONITOR_PORT = 'nope';
    const stderr = new Sink();
    try {
      const kernel = new Kernel({
        withMonitor: createMonitor({ interactive: false, errorOutput: stderr }),
      });
      function* main(): Coro<number> {
        yield* sleep(1);
        return 7;
      }
      expect(await kernel.run(main())).toBe(7);
      await kernel.shutdown();
    } finally {
      if (saved === undefined) delete process.env.CURIOMONITOR_PORT;
      else process.env.CURIOMONITOR_PORT = saved;
    }
    expect(stderr.text).toBe(
      'curio monitor: CURIOMONITOR_PORT must be an integer from 0 to 65535, got "nope"; the TCP console is off\n',
    );
  });

  it('onListening failing is reported, the console still serves', async () => {
    const stderr = new Sink();
    const m = await startMonitored(function* () {}, {
      errorOutput: stderr,
      onListening: () => {
        throw new Error('oops');
      },
    });
    const c = await TestClient.connect(m.address);
    expect(await c.reply()).toContain('Curio Monitor');
    await c.close();
    await m.stop();
    expect(stderr.text).toBe('curio monitor: options.onListening failed: Error: oops\n');
  });
});

describe('console and commands', () => {
  // A console fed from a script of lines, recording what it shows.
  function scripted(lines: string[], shown: string[]): ConsoleIO {
    return {
      *readLine() {
        yield* sleep(0);
        return lines.shift() ?? null;
      },
      *write(text) {
        shown.push(text);
      },
      *prompt() {
        shown.push('> ');
      },
    };
  }

  it('a command that fails unexpectedly is reported and the session goes on', async () => {
    const shown: string[] = [];
    const broken = {
      tasks: {
        size: 2,
        values(): never {
          throw new Error('boom');
        },
      },
    } as unknown as Kernel;
    const commands = new Commands(broken, () => false);
    const left = await run(
      (function* () {
        return yield* runConsole(scripted(['ps', 'help', 'exit'], shown), commands);
      })(),
    );
    expect(left).toBe(true);
    expect(shown.map((s) => s.split('\n').slice(0, 2).join('|'))).toEqual([
      '|Curio Monitor: 2 tasks running',
      '> ',
      'error: Error: boom|',
      '> ',
      'Commands:|  ps            show the task table (id, name, state, cycles, run time)',
      '> ',
      'Leaving the monitor|',
    ]);
  });

  it('end of input ends the session without exit', async () => {
    const shown: string[] = [];
    const kernel = new Kernel();
    const commands = new Commands(kernel, () => false);
    const left = await kernel.run(
      (function* () {
        return yield* runConsole(scripted([], shown), commands);
      })(),
    );
    await kernel.shutdown();
    expect(left).toBe(false);
    expect(shown).toEqual(['\nCurio Monitor: 1 task running\nType help for commands\n', '> ']);
  });

  it('where leaves out kernel frames and says when no stack was recorded', () => {
    const stack = [
      'Error: where',
      '    at sleep (file:///x/kernel/dist/index.js:279:12)',
      '    at inner (file:///app.js:2:28)',
      '    at inner.next (<anonymous>)',
      '    at worker (file:///app.js:3:29)',
      '    at worker.next (<anonymous>)',
      '    at Kernel.step (file:///x/kernel/dist/index.js:1272:20)',
      '    at Kernel.loop (file:///x/kernel/dist/index.js:1097:35)',
    ].join('\n');
    expect(taskFrames(stack)).toEqual([
      '  at sleep (file:///x/kernel/dist/index.js:279:12)',
      '  at inner (file:///app.js:2:28)',
      '  at worker (file:///app.js:3:29)',
    ]);
    const fake = (where: string | undefined) =>
      ({ id: 9, name: 'w', state: 'SLEEP', where }) as unknown as Task;
    expect(formatWhere(fake(undefined))).toBe(
      'Task 9 (w), SLEEP: no stack recorded (it has not called the kernel since the monitor started)\n',
    );
    expect(formatWhere(fake('Error\n    at Kernel.step (x:1:1)'))).toBe(
      'Task 9 (w), SLEEP: no frames of its own in the recorded stack\n',
    );
  });
});
