import { type Coro, futureWait, Kernel } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { createMonitor } from '../src/index.js';
import { checkNoLeaks, fakeTerminal, PROMPT, Sink, until } from './helpers.js';

checkNoLeaks();

const BANNER = (n: number) => `\nCurio Monitor: ${n} tasks running\nType help for commands\n`;

// Sends a real SIGINT to this process, once the kernel listens for it.
async function ctrlC(listeners: number): Promise<void> {
  await until(() => process.listenerCount('SIGINT') > listeners, 'the SIGINT listener');
  process.kill(process.pid, 'SIGINT');
}

describe('terminal console (Ctrl-C)', () => {
  it('Ctrl-C opens the console, a second Ctrl-C leaves it, exit leaves it too', async () => {
    const before = process.listenerCount('SIGINT');
    const { input, output } = fakeTerminal();
    const stderr = new Sink();
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const kernel = new Kernel({
      withMonitor: createMonitor({
        port: null,
        interactive: true,
        input,
        output,
        errorOutput: stderr,
      }),
    });
    function* main(): Coro<string> {
      yield* futureWait(released);
      return 'done';
    }
    const done = kernel.run(main());
    const seen: string[] = [];
    const take = async (what: string, check: (text: string) => boolean) => {
      await until(() => check(output.text), what);
      seen.push(output.text);
      output.text = '';
    };

    await ctrlC(before);
    await take('the banner', (t) => t.endsWith(PROMPT));
    input.write('ps\n');
    await take('the table', (t) => t.endsWith(PROMPT));
    await ctrlC(before);
    await take('leaving', (t) => t.includes('Leaving'));
    expect(kernel.tasks.size).toBe(3); // monitor, main, Ctrl-C watcher: the session ended

    await ctrlC(before);
    await take('the banner again', (t) => t.endsWith(PROMPT));
    input.write('exit\n');
    await take('leaving by exit', (t) => t.includes('Leaving'));
    await until(() => kernel.tasks.size === 3, 'the session to end');

    release();
    expect(await done).toBe('done');
    await kernel.shutdown();
    expect(seen[0]).toBe(`${BANNER(4)}${PROMPT}`);
    expect(seen[1]).toMatch(/^Task +Name +State +Cycles +Time\(ms\)\n/);
    expect(seen[1]).toContain('monitor-terminal (daemon)');
    expect(seen[1]).toContain('monitor-sigint (daemon)');
    expect(seen[1].endsWith(PROMPT)).toBe(true);
    expect(seen.slice(2)).toEqual([
      '\nLeaving the monitor\n',
      `${BANNER(4)}${PROMPT}`,
      'Leaving the monitor\n',
    ]);
    expect(stderr.text).toBe('');
    // The listener is gone with the monitor: Ctrl-C means what it usually means again.
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it('a kernel shutdown while the console is open closes it', async () => {
    const before = process.listenerCount('SIGINT');
    const { input, output } = fakeTerminal();
    const kernel = new Kernel({
      withMonitor: createMonitor({ port: null, interactive: true, input, output }),
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const done = kernel.run(
      (function* () {
        yield* futureWait(released);
      })(),
    );
    await ctrlC(before);
    await until(() => output.text.endsWith(PROMPT), 'the banner');
    release();
    await done;
    await kernel.shutdown();
    expect(output.text).toBe(`${BANNER(4)}${PROMPT}\nLeaving the monitor\n`);
    expect(kernel.tasks.size).toBe(0);
    expect(process.listenerCount('SIGINT')).toBe(before);
    input.end();
  });

  it('in a raw-mode terminal, Ctrl-C typed at the console prompt leaves it', async () => {
    const before = process.listenerCount('SIGINT');
    const { input, output } = fakeTerminal();
    const modes: boolean[] = [];
    // What node:readline needs of a terminal: isTTY, setRawMode and a width.
    Object.assign(input, { isTTY: true, setRawMode: (on: boolean) => modes.push(on) });
    Object.assign(output, { isTTY: true, columns: 80 });
    const kernel = new Kernel({
      withMonitor: createMonitor({ port: null, input, output }),
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const done = kernel.run(
      (function* () {
        yield* futureWait(released);
      })(),
    );
    await ctrlC(before); // interactive by default: both ends are terminals
    await until(() => output.text.includes(PROMPT), 'the prompt');
    input.write('\x03'); // Ctrl-C as a raw terminal delivers it: to readline, not as a signal
    await until(() => output.text.includes('Leaving the monitor'), 'leaving');
    await until(() => kernel.tasks.size === 3, 'the session to end');
    release();
    await done;
    await kernel.shutdown();
    expect(modes).toEqual([true, false]);
    expect(output.text.endsWith('\nLeaving the monitor\n')).toBe(true);
    expect(process.listenerCount('SIGINT')).toBe(before);
    input.end();
  });
});
