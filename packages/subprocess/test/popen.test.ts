import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  asyncFor,
  asyncWith,
  CancelledError,
  newTask,
  run as runKernel,
  sleep,
} from '@curio/kernel';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVNULL, PIPE, Popen, STDOUT, TimeoutExpired } from '../dist/index.js';

const node = process.execPath;
const dir = mkdtempSync(join(tmpdir(), 'curio-popen-'));
const started: Popen[] = [];

function popen(args: string[], options?: ConstructorParameters<typeof Popen>[1]): Popen {
  const p = new Popen(args, options);
  started.push(p);
  return p;
}

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

afterAll(() => {
  for (const p of started) if (p.returncode === null) p.kill();
  rmSync(dir, { recursive: true, force: true });
});

// A child that stays until killed.
const forever = [node, '-e', 'setInterval(() => {}, 1000)'];

describe('Popen', () => {
  it('has a pid; poll is null until the exit, wait returns the status', async () => {
    const events: unknown[] = [];
    function* main() {
      const p = popen([node, '-e', 'process.exit(3)']);
      events.push(typeof p.pid, p.poll());
      events.push(yield* p.wait());
      events.push(p.returncode, p.poll());
    }
    await runKernel(main());
    expect(events).toEqual(['number', null, 3, 3, 3]);
  });

  it('streams standard output line by line with asyncFor', async () => {
    const events: string[] = [];
    const script =
      'let i = 0; const t = setInterval(() => { console.log("line " + i++); if (i === 3) clearInterval(t); }, 10);';
    function* main() {
      const p = popen([node, '-e', script], { stdout: PIPE });
      yield* asyncFor(p.stdout!, function* (line) {
        events.push(line.toString());
      });
      events.push(`exit ${yield* p.wait()}`);
    }
    await runKernel(main());
    expect(events).toEqual(['line 0\n', 'line 1\n', 'line 2\n', 'exit 0']);
  });

  it('wait raises TimeoutExpired and leaves the process running; kill ends it', async () => {
    const events: unknown[] = [];
    function* main() {
      const p = popen(forever);
      try {
        yield* p.wait({ timeout: 20 });
      } catch (err) {
        events.push(
          err instanceof TimeoutExpired ? `timeout ${(err as TimeoutExpired).timeout}` : err,
        );
      }
      events.push(p.poll());
      p.kill();
      events.push(yield* p.wait());
      events.push(gone(p.pid));
    }
    await runKernel(main());
    expect(events).toEqual(['timeout 20', null, -9, true]);
  });

  it('wait is cancellable', async () => {
    const events: unknown[] = [];
    const p = popen(forever);
    function* waiter() {
      try {
        yield* p.wait();
      } catch (err) {
        events.push(err instanceof CancelledError ? 'cancelled' : err);
        throw err;
      }
    }
    function* main() {
      const task = yield* newTask(waiter());
      yield* sleep(10);
      yield* task.cancel();
      events.push(p.poll());
      p.terminate();
      events.push(yield* p.wait());
    }
    await runKernel(main());
    expect(events).toEqual(['cancelled', null, -15]);
  });

  it('sendSignal sends by name or number and does nothing after the exit', async () => {
    const events: unknown[] = [];
    function* main() {
      const p = popen(forever);
      p.sendSignal('SIGINT');
      events.push(yield* p.wait());
      p.sendSignal('SIGTERM');
      p.kill();
      events.push(p.returncode);
      const q = popen(forever);
      q.sendSignal(9);
      events.push(yield* q.wait());
    }
    await runKernel(main());
    expect(events).toEqual([-2, -2, -9]);
  });

  it('refuses a bad signal', () => {
    const p = popen([node, '-e', '']);
    expect(() => p.sendSignal('SIGNOPE' as never)).toThrow(
      `Popen.sendSignal(signal): signal must be a name like 'SIGTERM' or a number, got "SIGNOPE"`,
    );
    expect(() => p.sendSignal(-1)).toThrow(TypeError);
  });

  it('communicate writes input while reading large stdout and stderr at once (no deadlock)', async () => {
    const script = `
      let n = 0;
      process.stdin.on('data', (d) => { n += d.length; });
      process.stdin.on('end', () => {
        process.stdout.write('o'.repeat(1 << 20));
        process.stderr.write('e'.repeat(1 << 20));
        process.stdout.write(' read ' + n);
      });
      process.stdout.write('x'.repeat(1 << 20));
      process.stderr.write('y'.repeat(1 << 20));`;
    function* main() {
      const p = popen([node, '-e', script], { stdin: PIPE, stdout: PIPE, stderr: PIPE });
      const [out, err] = yield* p.communicate(Buffer.alloc(1 << 20, 'i'), { timeout: 10_000 });
      return [out!.length, err!.length, out!.subarray(-13).toString(), p.returncode];
    }
    const len = 1 << 20;
    expect(await runKernel(main())).toEqual([2 * len + 13, 2 * len, ` read ${len}`, 0]);
  });

  it('communicate returns null for streams that are not piped, and takes a string', async () => {
    function* main() {
      const p = popen([node, '-e', 'process.stdin.pipe(process.stdout)'], {
        stdin: PIPE,
        stdout: PIPE,
      });
      const [out, err] = yield* p.communicate('echo me');
      const q = popen([node, '-e', '']);
      return [out!.toString(), err, yield* q.communicate()];
    }
    expect(await runKernel(main())).toEqual(['echo me', null, [null, null]]);
  });

  it('communicate raises TimeoutExpired with the output so far; the process keeps running', async () => {
    const events: unknown[] = [];
    function* main() {
      // The child says on stderr that its stdout line is written, so the timeout below only
      // has to outlast a pipe read, never the child's start-up on a loaded machine.
      const p = popen(
        [
          node,
          '-e',
          'process.stdout.write("early\\n", () => console.error("ready")); setInterval(() => {}, 1000)',
        ],
        { stdout: PIPE, stderr: PIPE },
      );
      events.push((yield* p.stderr!.readline()).toString());
      try {
        yield* p.communicate(undefined, { timeout: 1500 });
      } catch (err) {
        const e = err as TimeoutExpired;
        events.push(e instanceof TimeoutExpired, e.output?.toString(), e.stderr?.toString());
      }
      events.push(p.poll());
      p.kill();
      events.push(yield* p.wait());
    }
    await runKernel(main());
    expect(events).toEqual(['ready\n', true, 'early\n', '', null, -9]);
  });

  it('communicate is cancellable', async () => {
    const events: unknown[] = [];
    const p = popen(forever, { stdout: PIPE, stderr: PIPE });
    function* talker() {
      try {
        yield* p.communicate();
      } catch (err) {
        events.push(err instanceof CancelledError ? 'cancelled' : err);
      }
    }
    function* main() {
      const task = yield* newTask(talker());
      yield* sleep(10);
      yield* task.cancel();
      p.kill();
      events.push(yield* p.wait());
    }
    await runKernel(main());
    expect(events).toEqual(['cancelled', -9]);
  });

  it('communicate refuses input without a stdin pipe, and bad input', () => {
    const p = popen([node, '-e', '']);
    expect(() => p.communicate(Buffer.from('x'))).toThrow(
      'Popen.communicate(input): stdin is not a pipe (start it with stdin: PIPE)',
    );
    expect(() => p.communicate(42 as never)).toThrow(
      'Popen.communicate(input): input must be a Buffer or a string, got 42',
    );
    expect(() => p.communicate(undefined, { timeout: 'x' as never })).toThrow(
      'Popen.communicate: timeout must be a number of milliseconds >= 0 or null, got "x"',
    );
    expect(() => p.wait({ timeout: -1 })).toThrow(/^Popen.wait: timeout must be/);
  });

  it('STDOUT merges standard error into standard output; DEVNULL discards', async () => {
    function* main() {
      const p = popen(
        [node, '-e', 'console.log("out"); setTimeout(() => console.error("err"), 20)'],
        {
          stdout: PIPE,
          stderr: STDOUT,
        },
      );
      const merged = yield* p.communicate();
      const q = popen([node, '-e', 'console.log("lost")'], { stdout: DEVNULL, stderr: PIPE });
      const discarded = yield* q.communicate();
      // Two pipes merged: each line arrives whole, in the order the parent reads them.
      const lines = merged[0]!.toString().split('\n').sort();
      return [lines, merged[1], p.stderr, discarded[0], discarded[1]!.length];
    }
    expect(await runKernel(main())).toEqual([['', 'err', 'out'], null, null, null, 0]);
  });

  it('as a context manager, closes its pipes and waits for the process', async () => {
    const events: unknown[] = [];
    function* main() {
      const p = popen(
        [node, '-e', 'process.stdin.resume(); process.stdin.on("end", () => process.exit(5))'],
        {
          stdin: PIPE,
        },
      );
      yield* asyncWith(p, function* (proc) {
        events.push(proc === p, proc.poll());
      });
      events.push(p.returncode, p.stdin!.closed);
    }
    await runKernel(main());
    expect(events).toEqual([true, null, 5, true]);
  });

  it('names a missing executable, a bad working directory and a file that is not executable', () => {
    expect(() => new Popen(['curio-no-such-command'])).toThrow(
      'Popen: cannot run "curio-no-such-command": executable not found in PATH (ENOENT)',
    );
    expect(() => new Popen(['/nonexistent/tool'])).toThrow(
      'Popen: cannot run "/nonexistent/tool": no such file (ENOENT)',
    );
    expect(() => new Popen(['true'], { cwd: join(dir, 'missing') })).toThrow(
      /^Popen: cannot run "true": the working directory .* does not exist$/,
    );
    const script = join(dir, 'not-executable.sh');
    writeFileSync(script, 'echo hi\n');
    chmodSync(script, 0o644);
    let code: unknown;
    try {
      new Popen([script]);
    } catch (err) {
      code = (err as NodeJS.ErrnoException).code;
    }
    expect(code).toBe('EACCES');
  });

  it('refuses bad args and stdio options', () => {
    expect(() => new Popen([])).toThrow(
      'Popen(args): args must be a command string or a non-empty array of strings, got an empty array',
    );
    expect(() => new Popen([node, 3 as never])).toThrow(/^Popen\(args\)/);
    expect(() => new Popen('')).toThrow('Popen(args): args must not be empty');
    expect(() => new Popen(['true'], { stdout: 'bogus' as never })).toThrow(
      `Popen(options.stdout): stdout must be PIPE, DEVNULL, 'inherit', a file descriptor or a Node stream with one, got "bogus"`,
    );
    expect(() => new Popen(['true'], { stdin: STDOUT })).toThrow(/^Popen\(options.stdin\)/);
    expect(() => new Popen(['true'], { stdio: 'pipe' } as never)).toThrow(
      'Popen(options): use stdin, stdout and stderr instead of stdio',
    );
  });
});
