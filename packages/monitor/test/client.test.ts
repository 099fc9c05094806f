import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Coro, newTask, sleep, type Task } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { findMonitors, monitorClient } from '../src/index.js';
import { checkNoLeaks, fakeTerminal, privateBase, startMonitored } from './helpers.js';

checkNoLeaks();
const base = privateBase();

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

function* sleeper(): Coro<void> {
  yield* sleep(60_000);
}

/** A loopback port nobody listens on. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Run the built curio-monitor command with `stdin`; resolves with its exit code and output. */
function cli(
  args: string[],
  stdin = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(stdin);
  });
}

/** A session of `monitorClient(...args)` fed `lines`; resolves with what it showed. */
async function session(args: unknown[], lines: string, token?: string): Promise<string> {
  const { input, output } = fakeTerminal();
  const client = monitorClient as (...a: unknown[]) => Promise<void>;
  const done = client(...args, { input, output, token });
  input.end(lines);
  await done;
  return output.text;
}

describe('monitorClient', () => {
  it('relays commands and replies until the monitor closes the session', async () => {
    let worker!: Task;
    const m = await startMonitored(function* () {
      worker = yield* newTask(sleeper(), { name: 'sleeper' });
    });
    const { input, output } = fakeTerminal();
    const done = monitorClient(process.pid, { input, output });
    input.write(`where ${worker.id}\n`);
    input.write('exit\n');
    await done;
    expect(output.text.replace(`Task ${worker.id} `, 'Task N ')).toMatch(
      /^\nCurio Monitor: 4 tasks running\nType help for commands\ncurio > Task N \(sleeper\), SLEEP, at its last kernel call \(most recent call first\):\n {2}at sleep \(.*\n {2}at sleeper \(.*client\.test\.ts:\d+:\d+\)\ncurio > Leaving the monitor\n$/,
    );
    input.end();
    await m.stop();
  });

  it('finds the only monitor of this user, by process id, or takes a socket path', async () => {
    const m = await startMonitored(function* () {});
    expect(findMonitors()).toEqual([m.address]);
    expect(findMonitors(process.pid)).toEqual([m.address]);
    expect(findMonitors(process.pid + 1_000_000)).toEqual([]);
    const expected =
      '\nCurio Monitor: 3 tasks running\nType help for commands\ncurio > Leaving the monitor\n';
    expect(await session([undefined], 'exit\n')).toBe(expected);
    expect(await session([process.pid], 'exit\n')).toBe(expected);
    expect(await session([m.address.path, undefined], 'exit\n')).toBe(expected);
    await m.stop();
  });

  it('reaches a TCP console with the token from its private directory', async () => {
    const m = await startMonitored(function* () {}, { port: 0 });
    expect(m.address).toEqual({
      transport: 'tcp',
      pid: process.pid,
      dir: expect.stringContaining(base()),
      host: '127.0.0.1',
      port: expect.any(Number),
    });
    expect(await session(['127.0.0.1', m.address.port], 'exit\n')).toContain(
      'curio > Leaving the monitor\n',
    );
    expect(await session([process.pid], 'exit\n')).toContain('curio > Leaving the monitor\n');
    const token = JSON.parse(readFileSync(join(m.address.dir, 'token'), 'utf8')).token;
    expect(await session(['127.0.0.1', m.address.port], 'exit\n', token)).toContain('Leaving');
    await m.stop();
  });

  it('is refused, with a clear error, when its token is wrong', async () => {
    const m = await startMonitored(function* () {}, { port: 0 });
    const { input, output } = fakeTerminal();
    const done = monitorClient('127.0.0.1', m.address.port, { input, output, token: 'guess' });
    await expect(done).rejects.toThrow(
      `the curio monitor at 127.0.0.1:${m.address.port} refused the connection: wrong or missing token`,
    );
    expect(output.text).toBe('');
    input.end();
    await m.stop();
  });

  it('leaves when its input ends (Ctrl-D): the session ends, the program runs on', async () => {
    const m = await startMonitored(function* () {
      return 'still fine';
    });
    expect(await session([process.pid], 'help me\n')).toBe(
      '\nCurio Monitor: 3 tasks running\nType help for commands\ncurio > help takes no arguments, got "me"\ncurio > ',
    );
    expect(await m.stop()).toBe('still fine');
  });

  it('lists the monitors when there are several, and says so when there are none', async () => {
    expect(() => monitorClient()).toThrow(
      `no curio monitor runs as this user (looked in ${base()}): is the program running with new Kernel({ withMonitor: true }), as this user?`,
    );
    expect(() => monitorClient(123456789)).toThrow(
      `no curio monitor runs in process 123456789 as this user (looked in ${base()})`,
    );
    const a = await startMonitored(function* () {});
    const b = await startMonitored(function* () {}, { port: 0 });
    const rows = [a.address, b.address]
      .sort((x, y) => x.dir.localeCompare(y.dir))
      .map((m) =>
        m.transport === 'unix'
          ? `  ${String(process.pid).padEnd(8)}unix  ${m.path}`
          : `  ${String(process.pid).padEnd(8)}tcp   127.0.0.1:${m.port}`,
      );
    expect(() => monitorClient()).toThrow(
      `2 curio monitors run as this user; give its process id:\n${rows.join('\n')}`,
    );
    expect(() => monitorClient(process.pid)).toThrow(
      `2 curio monitors run in process ${process.pid} as this user; give its socket path:\n${rows.join('\n')}`,
    );
    await b.stop();
    await a.stop();
  });

  it('rejects with a clear error when nothing listens', async () => {
    const port = await freePort();
    expect(() => monitorClient('127.0.0.1', port)).toThrow(
      `no token for the curio monitor at 127.0.0.1:${port}: no monitor running as this user serves that port (looked in ${base()}); its console lets in only the user who runs the program`,
    );
    const { input, output } = fakeTerminal();
    await expect(monitorClient('127.0.0.1', port, { input, output, token: 'x' })).rejects.toThrow(
      `cannot connect to the curio monitor at 127.0.0.1:${port} (ECONNREFUSED): is a program running with new Kernel({ withMonitor: true })?`,
    );
    const path = join(base(), 'nothing-here');
    await expect(monitorClient(path, undefined, { input, output })).rejects.toThrow(
      `cannot connect to the curio monitor at ${path} (ENOENT): is a program running with new Kernel({ withMonitor: true })?`,
    );
    expect(output.text).toBe('');
  });

  it('refuses bad input with a TypeError naming the argument', () => {
    const cases: [() => unknown, string][] = [
      [() => monitorClient(''), 'monitorClient(host): host must be a non-empty string, got ""'],
      [
        () => monitorClient('127.0.0.1', 99999),
        'monitorClient(port): port must be an integer from 0 to 65535, got 99999',
      ],
      [
        () => monitorClient(-1),
        'monitorClient(pid): pid must be a positive integer (a process id), got -1',
      ],
      [
        () => monitorClient(1.5),
        'monitorClient(pid): pid must be a positive integer (a process id), got 1.5',
      ],
      [
        () => monitorClient('127.0.0.1', 1, { token: '' }),
        'monitorClient(options): options.token must be a non-empty string, got ""',
      ],
      [() => findMonitors(0), 'findMonitors(pid): pid must be a positive integer, got 0'],
    ];
    for (const [call, message] of cases) expect(call).toThrow(new TypeError(message));
  });
});

describe('curio-monitor command (dist/cli.js, built before the tests)', () => {
  it('is an executable ESM file with a node shebang', () => {
    expect(readFileSync(CLI, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(statSync(CLI).mode & 0o111).not.toBe(0);
  });

  it('runs a session from piped input: curio-monitor, curio-monitor PID, curio-monitor PATH', async () => {
    const m = await startMonitored(function* () {});
    for (const args of [[], [String(process.pid)], [m.address.path ?? '']]) {
      const result = await cli(args, 'help\nexit\n');
      expect([result.code, result.stderr]).toEqual([0, '']);
      expect(result.stdout).toContain('Curio Monitor: 3 tasks running');
      expect(result.stdout).toContain(
        '  cancel ID     cancel task ID and wait (up to 1 s) until it has ended',
      );
      expect(result.stdout.endsWith('Leaving the monitor\n')).toBe(true);
    }
    expect(await cli(['--list'])).toEqual({
      code: 0,
      stdout: `${String(process.pid).padEnd(8)}unix  ${m.address.path}\n`,
      stderr: '',
    });
    await m.stop();
    expect(await cli(['--list'])).toEqual({
      code: 0,
      stdout: 'no curio monitor runs as this user\n',
      stderr: '',
    });
  });

  it('reaches a TCP console: curio-monitor HOST PORT sends the token', async () => {
    const m = await startMonitored(function* () {}, { port: 0 });
    const result = await cli(['127.0.0.1', String(m.address.port)], 'exit\n');
    expect([result.code, result.stderr, result.stdout.endsWith('Leaving the monitor\n')]).toEqual([
      0,
      '',
      true,
    ]);
    await m.stop();
  });

  it('reports a missing monitor, a bad port and bad usage on stderr with exit code 1', async () => {
    const port = await freePort();
    expect(await cli([])).toEqual({
      code: 1,
      stdout: '',
      stderr: `curio-monitor: no curio monitor runs as this user (looked in ${base()}): is the program running with new Kernel({ withMonitor: true }), as this user?\n`,
    });
    expect(await cli(['127.0.0.1', String(port)])).toEqual({
      code: 1,
      stdout: '',
      stderr: `curio-monitor: no token for the curio monitor at 127.0.0.1:${port}: no monitor running as this user serves that port (looked in ${base()}); its console lets in only the user who runs the program\n`,
    });
    expect(await cli(['127.0.0.1', 'http'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'curio-monitor: port must be an integer from 0 to 65535, got "http"\n',
    });
    const host = await cli(['localhost']);
    expect(host.code).toBe(1);
    expect(host.stderr).toMatch(
      /^curio-monitor: "localhost" is neither a process id nor a socket path \(a TCP console needs HOST PORT\)\nusage: curio-monitor/,
    );
    const tooMany = await cli(['a', '1', 'b']);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(/^curio-monitor: too many arguments\nusage: curio-monitor/);
  });

  it('prints its usage with --help', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n')[0]).toBe(
      'usage: curio-monitor [PID | PATH | HOST PORT | --list]',
    );
  });
});
