import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Coro, newTask, sleep, type Task } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { monitorClient } from '../src/index.js';
import { checkNoLeaks, fakeTerminal, startMonitored } from './helpers.js';

checkNoLeaks();

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

describe('monitorClient', () => {
  it('relays commands and replies until the monitor closes the session', async () => {
    let worker!: Task;
    const m = await startMonitored(function* () {
      worker = yield* newTask(sleeper(), { name: 'sleeper' });
    });
    const { input, output } = fakeTerminal();
    const session = monitorClient('127.0.0.1', m.port, { input, output });
    input.write(`where ${worker.id}\n`);
    input.write('exit\n');
    await session;
    expect(output.text.replace(`Task ${worker.id} `, 'Task N ')).toMatch(
      /^\nCurio Monitor: 4 tasks running\nType help for commands\ncurio > Task N \(sleeper\), SLEEP, at its last kernel call \(most recent call first\):\n {2}at sleep \(.*\n {2}at sleeper \(.*client\.test\.ts:\d+:\d+\)\ncurio > Leaving the monitor\n$/,
    );
    input.end();
    await m.stop();
  });

  it('leaves when its input ends (Ctrl-D): the session ends, the program runs on', async () => {
    const m = await startMonitored(function* () {
      return 'still fine';
    });
    const { input, output } = fakeTerminal();
    const session = monitorClient('127.0.0.1', m.port, { input, output });
    input.end('help me\n');
    await session;
    expect(output.text).toBe(
      '\nCurio Monitor: 3 tasks running\nType help for commands\ncurio > help takes no arguments, got "me"\ncurio > ',
    );
    expect(await m.stop()).toBe('still fine');
  });

  it('rejects with a clear error when nothing listens', async () => {
    const port = await freePort();
    const { input, output } = fakeTerminal();
    await expect(monitorClient('127.0.0.1', port, { input, output })).rejects.toThrow(
      `cannot connect to the curio monitor at 127.0.0.1:${port} (ECONNREFUSED): is a program running with new Kernel({ withMonitor: true })?`,
    );
    expect(output.text).toBe('');
  });

  it('refuses a bad host or port', () => {
    expect(() => monitorClient('', 1)).toThrow(
      'monitorClient(host): host must be a non-empty string, got ""',
    );
    expect(() => monitorClient('127.0.0.1', 99999)).toThrow(
      'monitorClient(port): port must be an integer from 0 to 65535, got 99999',
    );
  });
});

describe('curio-monitor command (dist/cli.js, built before the tests)', () => {
  it('is an executable ESM file with a node shebang', async () => {
    const { readFileSync, statSync } = await import('node:fs');
    expect(readFileSync(CLI, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(statSync(CLI).mode & 0o111).not.toBe(0);
  });

  it('runs a session from piped input: curio-monitor HOST PORT', async () => {
    const m = await startMonitored(function* () {});
    const result = await cli(['127.0.0.1', String(m.port)], 'help\nexit\n');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Curio Monitor: 3 tasks running');
    expect(result.stdout).toContain(
      '  cancel ID     cancel task ID and wait (up to 1 s) until it has ended',
    );
    expect(result.stdout.endsWith('Leaving the monitor\n')).toBe(true);
    await m.stop();
  });

  it('takes a lone number as the port', async () => {
    const m = await startMonitored(function* () {});
    const result = await cli([String(m.port)], 'exit\n');
    expect([result.code, result.stdout.endsWith('Leaving the monitor\n')]).toEqual([0, true]);
    await m.stop();
  });

  it('reports a refused connection, a bad port and bad usage on stderr with exit code 1', async () => {
    const port = await freePort();
    const refused = await cli(['127.0.0.1', String(port)]);
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: `curio-monitor: cannot connect to the curio monitor at 127.0.0.1:${port} (ECONNREFUSED): is a program running with new Kernel({ withMonitor: true })?\n`,
    });
    const badPort = await cli(['127.0.0.1', 'http']);
    expect(badPort).toEqual({
      code: 1,
      stdout: '',
      stderr: 'curio-monitor: port must be an integer from 0 to 65535, got "http"\n',
    });
    const tooMany = await cli(['a', '1', 'b']);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(/^curio-monitor: too many arguments\nusage: curio-monitor/);
  });

  it('prints its usage with --help', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n')[0]).toBe('usage: curio-monitor [host] [port]');
  });
});
