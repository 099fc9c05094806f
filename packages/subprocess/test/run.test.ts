import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelledError,
  newTask,
  run as runKernel,
  sleep,
  TaskTimeout,
  timeoutAfter,
} from '@curio/kernel';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  CalledProcessError,
  CompletedProcess,
  checkOutput,
  PIPE,
  Popen,
  run,
  TimeoutExpired,
} from '../dist/index.js';
import { Popen as SrcPopen, run as srcRun } from '../src/index.js';
import { setReapTimeout } from '../src/popen.js';

const node = process.execPath;
const dir = mkdtempSync(join(tmpdir(), 'curio-run-'));
const pids: number[] = [];

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  expect(pids.filter((pid) => !gone(pid))).toEqual([]);
});

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

// Pipe handles this process holds open (the child's stdio pipes while it runs).
function openPipes(): number {
  return process.getActiveResourcesInfo().filter((name) => name.startsWith('Pipe')).length;
}

// A child that records its pid in `file` at once (sh starts in a millisecond), then stays
// until killed (exec keeps the pid).
function stayer(file: string): string[] {
  return ['sh', '-c', `echo $$ > '${file}' && exec sleep 60`];
}

// The pid `file` holds now (the child wrote it long before).
function pidNow(file: string): number {
  const pid = Number(readFileSync(file, 'utf8').trim());
  pids.push(pid);
  return pid;
}

function* pidIn(file: string, track = true) {
  for (let waited = 0; !existsSync(file) || readFileSync(file, 'utf8').trim() === ''; waited += 5) {
    if (waited > 5000) throw new Error(`no pid in ${file}`);
    yield* sleep(5);
  }
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (track) pids.push(pid);
  return pid;
}

describe('run', () => {
  it('runs a command and returns a CompletedProcess', async () => {
    function* main() {
      const done = yield* run([node, '-e', 'console.log("hi"); process.exit(2)'], { stdout: PIPE });
      const fed = yield* run([node, '-e', 'process.stdin.pipe(process.stdout)'], {
        input: 'fed',
        stdout: PIPE,
        stderr: PIPE,
      });
      const shell = yield* run('echo $((1 + 2))', { shell: true, stdout: PIPE });
      const plain = yield* run(['true']);
      return [done, fed, shell.stdout!.toString(), plain];
    }
    const [done, fed, shell, plain] = await runKernel(main());
    expect(done).toBeInstanceOf(CompletedProcess);
    expect(done).toMatchObject({ returncode: 2, stderr: null });
    expect((done as CompletedProcess).stdout!.toString()).toBe('hi\n');
    expect((fed as CompletedProcess).stdout!.toString()).toBe('fed');
    expect((fed as CompletedProcess).stderr!.length).toBe(0);
    expect(shell).toBe('3\n');
    expect(plain).toEqual(new CompletedProcess(['true'], 0, null, null));
  });

  it('a child that exits without reading its input is not an error', async () => {
    function* main() {
      const big = yield* run(['true'], { input: Buffer.alloc(1 << 20) });
      const small = yield* run(['true'], { input: 'small' });
      return [big.returncode, small.returncode];
    }
    expect(await runKernel(main())).toEqual([0, 0]);
  });

  it('check: true raises CalledProcessError with the status, command and output', async () => {
    const args = [node, '-e', 'console.log("out"); console.error("err"); process.exit(4)'];
    let caught: unknown;
    function* main() {
      try {
        yield* run(args, { stdout: PIPE, stderr: PIPE, check: true });
      } catch (err) {
        caught = err;
      }
    }
    await runKernel(main());
    const err = caught as CalledProcessError;
    expect(err).toBeInstanceOf(CalledProcessError);
    expect([err.returncode, err.cmd, err.output?.toString(), err.stderr?.toString()]).toEqual([
      4,
      args,
      'out\n',
      'err\n',
    ]);
    expect(err.message).toBe(`Command ${JSON.stringify(args)} returned non-zero exit status 4.`);
  });

  it('on timeout kills and reaps the process, then raises TimeoutExpired', async () => {
    const file = join(dir, 'timeout.pid');
    const events: unknown[] = [];
    const pipesBefore = openPipes();
    function* main() {
      try {
        yield* run(stayer(file), { timeout: 500, stdout: PIPE, stderr: PIPE });
      } catch (err) {
        events.push(err instanceof TimeoutExpired && err instanceof TaskTimeout);
        events.push((err as TimeoutExpired).timeout);
        events.push(openPipes() - pipesBefore);
      }
      events.push(gone(yield* pidIn(file)));
    }
    await runKernel(main());
    expect(events).toEqual([true, 500, 0, true]);
  });

  it('closes its pipes on timeout even while a grandchild holds them open', async () => {
    const file = join(dir, 'holder.pid');
    const grandchildFile = join(dir, 'grandchild.pid');
    const script = `sleep 60 & echo $! > '${grandchildFile}'; echo $$ > '${file}'; exec sleep 60`;
    const events: unknown[] = [];
    const pipesBefore = openPipes();
    function* main() {
      try {
        yield* run(['sh', '-c', script], { timeout: 500, stdout: PIPE, stderr: PIPE });
      } catch (err) {
        events.push(err instanceof TimeoutExpired);
      }
      yield* sleep(20); // a destroyed pipe leaves the list of handles on the next turn
      events.push(openPipes() - pipesBefore);
      events.push(gone(yield* pidIn(file)));
      // sh's own child is not run's to kill or reap (it belongs to init now): end it here.
      process.kill(yield* pidIn(grandchildFile, false), 'SIGKILL');
    }
    await runKernel(main());
    expect(events).toEqual([true, 0, true]);
  });

  it('when cancelled kills and reaps the process', async () => {
    const file = join(dir, 'cancel.pid');
    const events: unknown[] = [];
    function* runner() {
      try {
        yield* run(stayer(file), { stdout: PIPE, stderr: PIPE });
      } catch (err) {
        events.push(err instanceof CancelledError ? 'cancelled' : err);
      }
    }
    function* main() {
      const task = yield* newTask(runner());
      const pid = yield* pidIn(file);
      yield* task.cancel();
      events.push(gone(pid));
    }
    await runKernel(main());
    expect(events).toEqual(['cancelled', true]);
  });

  it('inside an expiring timeoutAfter kills and reaps the process before raising', async () => {
    const file = join(dir, 'scope.pid');
    const events: unknown[] = [];
    function* main() {
      try {
        yield* timeoutAfter(500, run(stayer(file)));
      } catch (err) {
        events.push(err instanceof TaskTimeout && !(err instanceof TimeoutExpired));
        events.push(gone(pidNow(file))); // at once: no polling
      }
    }
    await runKernel(main());
    expect(events).toEqual([true, true]);
  });

  it('inside an already expired timeoutAfter kills and reaps the process before raising', async () => {
    const kill = vi.spyOn(Popen.prototype, 'kill');
    const events: unknown[] = [];
    function* body() {
      try {
        yield* sleep(100);
      } catch (err) {
        events.push(`sleep: ${(err as Error).name}`);
      }
      yield* run(['sleep', '60'], { stdout: PIPE, stderr: PIPE });
    }
    function* main() {
      try {
        yield* timeoutAfter(20, body());
      } catch (err) {
        events.push(`run: ${(err as Error).name}`);
        const procs = kill.mock.contexts as Popen[];
        events.push(procs.length);
        pids.push(procs[0].pid);
        events.push(gone(procs[0].pid), procs[0].returncode);
      }
    }
    try {
      await runKernel(main());
    } finally {
      kill.mockRestore();
    }
    expect(events).toEqual(['sleep: TaskTimeout', 'run: TaskTimeout', 1, true, -9]);
  });

  it('gives up loudly on a killed process that is not reaped in time', async () => {
    // The source build, so the reaping bound can be shortened; kill is made a no-op so the
    // process stays.
    const kill = vi.spyOn(SrcPopen.prototype, 'kill').mockImplementation(() => {});
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const previous = setReapTimeout(50);
    const events: unknown[] = [];
    function* main() {
      try {
        yield* srcRun(['sleep', '60'], { timeout: 20, stdout: PIPE });
      } catch (err) {
        events.push((err as Error).name);
      }
      const proc = kill.mock.contexts[0] as SrcPopen;
      events.push(gone(proc.pid));
      events.push(warn.mock.calls.map(([message, options]) => [message, options]));
      kill.mockRestore();
      setReapTimeout(previous); // the real kill below may take longer than 50 ms on a busy box
      pids.push(proc.pid);
      yield* proc.killAndReap(); // the real kill this time
      events.push(gone(proc.pid));
      return proc.pid;
    }
    let pid = 0;
    try {
      pid = await runKernel(main());
    } finally {
      kill.mockRestore();
      warn.mockRestore();
      setReapTimeout(previous);
    }
    expect(events).toEqual([
      'TimeoutExpired',
      false,
      [
        [
          `Popen: process ${pid} was killed (SIGKILL) but not reaped within 50 ms; giving up waiting for it`,
          { code: 'CURIO_SUBPROCESS_NOT_REAPED' },
        ],
      ],
      true,
    ]);
  });

  it('refuses bad input and names a missing executable', () => {
    expect(() => run(['cat'], { input: 'x', stdin: PIPE })).toThrow(
      'run(options): stdin and input cannot both be given',
    );
    expect(() => run(['true'], { check: 'yes' as never })).toThrow(
      'run(options.check): check must be a boolean, got "yes"',
    );
    expect(() => run(['true'], { timeout: 'x' as never })).toThrow(
      'run: timeout must be a number of milliseconds >= 0 or null, got "x"',
    );
    expect(() => run(['true'], { input: 5 as never })).toThrow(
      'run(input): input must be a Buffer or a string, got 5',
    );
    expect(() => run(42 as never)).toThrow(/^Popen\(args\)/);
    expect(() => run(['curio-no-such-command'])).toThrow(
      'Popen: cannot run "curio-no-such-command": executable not found in PATH (ENOENT)',
    );
  });
});

describe('checkOutput', () => {
  it('returns standard output', async () => {
    function* main() {
      return (yield* checkOutput([node, '-e', 'process.stdout.write("v1")'])).toString();
    }
    expect(await runKernel(main())).toBe('v1');
  });

  it('raises CalledProcessError on a non-zero status or a signal', async () => {
    const events: unknown[] = [];
    function* main() {
      for (const code of [
        'console.log("partial"); process.exit(1)',
        'process.kill(process.pid, "SIGTERM")',
      ]) {
        try {
          yield* checkOutput([node, '-e', code]);
        } catch (err) {
          const e = err as CalledProcessError;
          events.push(e.returncode, e.output?.toString());
        }
      }
    }
    await runKernel(main());
    expect(events).toEqual([1, 'partial\n', -15, '']);
  });

  it('on timeout kills and reaps the process', async () => {
    const file = join(dir, 'co-timeout.pid');
    const events: unknown[] = [];
    function* main() {
      try {
        yield* checkOutput(stayer(file), { timeout: 500 });
      } catch (err) {
        events.push(err instanceof TimeoutExpired);
      }
      events.push(gone(yield* pidIn(file)));
    }
    await runKernel(main());
    expect(events).toEqual([true, true]);
  });

  it('when cancelled kills and reaps the process', async () => {
    const file = join(dir, 'co-cancel.pid');
    const events: unknown[] = [];
    function* runner() {
      try {
        yield* checkOutput(stayer(file));
      } catch (err) {
        events.push(err instanceof CancelledError ? 'cancelled' : err);
      }
    }
    function* main() {
      const task = yield* newTask(runner());
      const pid = yield* pidIn(file);
      yield* task.cancel();
      events.push(gone(pid));
    }
    await runKernel(main());
    expect(events).toEqual(['cancelled', true]);
  });

  it('refuses a stdout option and bad input', async () => {
    function* withStdout() {
      yield* checkOutput(['true'], { stdout: PIPE } as never);
    }
    await expect(runKernel(withStdout(), { logErrors: false })).rejects.toThrow(
      'checkOutput(options): stdout is not allowed, it is captured',
    );
    function* missing() {
      yield* checkOutput(['curio-no-such-command']);
    }
    await expect(runKernel(missing(), { logErrors: false })).rejects.toThrow(/ENOENT/);
  });
});
