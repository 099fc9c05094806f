import { CancelledError, newTask, run as runKernel, sleep } from '@curio/kernel';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutput, PIPE, Popen, run, STDOUT, TimeoutExpired } from '../dist/index.js';

const node = process.execPath;
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
});

function messageOf(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return `${(err as Error).constructor.name}: ${(err as Error).message}`;
  }
}

/**
 * How `yes` ended once its reader was gone: killed by SIGPIPE (-13), or, where the pipe is a
 * socket pair that reports the reset instead (gVisor), exit status 1 after a write error.
 */
function wrote(status: number): string {
  return status === -13 || status === 1 ? 'stopped writing' : `status ${status}`;
}

describe('pipelines: another process stdout as stdin', () => {
  it('ls /usr/bin | wc -l counts what ls lists', async () => {
    function* main() {
      const expected = (yield* checkOutput(['ls', '/usr/bin'])).toString().split('\n').length - 1;
      const ls = popen(['ls', '/usr/bin'], { stdout: PIPE });
      const wc = popen(['wc', '-l'], { stdin: ls.stdout!, stdout: PIPE });
      const handedOver = [ls.stdout!.closed, wc.stdin];
      const [out] = yield* wc.communicate();
      return [
        ...handedOver,
        Number(out!.toString().trim()) === expected,
        expected > 0,
        yield* ls.wait(),
      ];
    }
    expect(await runKernel(main())).toEqual([true, null, true, true, 0]);
  });

  it('chains three processes: printf | sort | head -2', async () => {
    function* main() {
      const printf = popen(['printf', 'pear\\napple\\nfig\\n'], { stdout: PIPE });
      const sort = popen(['sort'], { stdin: printf.stdout!, stdout: PIPE });
      const head = popen(['head', '-2'], { stdin: sort.stdout!, stdout: PIPE });
      const [out] = yield* head.communicate();
      return [out!.toString(), yield* printf.wait(), yield* sort.wait()];
    }
    expect(await runKernel(main())).toEqual(['apple\nfig\n', 0, 0]);
  });

  it('yes | head -1: the reader exits early, the writer gets SIGPIPE; no hang, no zombie', async () => {
    function* main() {
      const yes = popen(['yes'], { stdout: PIPE });
      const head = popen(['head', '-1'], { stdin: yes.stdout!, stdout: PIPE });
      const [out] = yield* head.communicate(undefined, { timeout: 10_000 });
      const status = yield* yes.wait({ timeout: 10_000 });
      return [out!.toString(), head.returncode, wrote(status), gone(yes.pid), gone(head.pid)];
    }
    expect(await runKernel(main())).toEqual(['y\n', 0, 'stopped writing', true, true]);
  });

  it('bytes the parent already read ahead reach the next process first', async () => {
    function* main() {
      const script = 'process.stdout.write("a\\nb\\nc\\n"); setTimeout(() => console.log("d"), 50)';
      const src = popen([node, '-e', script], { stdout: PIPE });
      const first = (yield* src.stdout!.readline()).toString();
      const cat = popen(['cat'], { stdin: src.stdout!, stdout: PIPE });
      const [rest] = yield* cat.communicate(undefined, { timeout: 10_000 });
      return [first, rest!.toString(), yield* src.wait()];
    }
    expect(await runKernel(main())).toEqual(['a\n', 'b\nc\nd\n', 0]);
  });

  it('a merged stdout+stderr is pumped by the parent; an early exit still stops the writer', async () => {
    function* main() {
      const yes = popen(['yes'], { stdout: PIPE, stderr: STDOUT });
      const head = popen(['head', '-1'], { stdin: yes.stdout!, stdout: PIPE });
      const [out] = yield* head.communicate(undefined, { timeout: 10_000 });
      const status = yield* yes.wait({ timeout: 10_000 });
      return [out!.toString(), wrote(status), gone(yes.pid)];
    }
    expect(await runKernel(main())).toEqual(['y\n', 'stopped writing', true]);
  });

  it('run() with a pipeline stdin: a timeout kills the reader, then the writer gets SIGPIPE', async () => {
    function* main() {
      const yes = popen(['yes'], { stdout: PIPE });
      let raised = '';
      try {
        yield* run(['sleep', '30'], { stdin: yes.stdout!, timeout: 100 });
      } catch (err) {
        raised = `${err instanceof TimeoutExpired}`;
      }
      return [raised, wrote(yield* yes.wait({ timeout: 10_000 })), gone(yes.pid)];
    }
    expect(await runKernel(main())).toEqual(['true', 'stopped writing', true]);
  });

  it('a cancelled wait on the last process leaves the pipeline to be killed', async () => {
    const events: string[] = [];
    function* main() {
      const yes = popen(['yes'], { stdout: PIPE });
      const cat = popen(['cat'], { stdin: yes.stdout!, stdout: PIPE });
      const waiter = yield* newTask(cat.communicate());
      yield* sleep(20);
      yield* waiter.cancel();
      events.push(`cancelled ${waiter.excInfo instanceof CancelledError}, running ${cat.poll()}`);
      cat.kill();
      events.push(`cat ${yield* cat.wait()}, yes ${wrote(yield* yes.wait({ timeout: 10_000 }))}`);
      yield* cat.exit();
    }
    await runKernel(main());
    expect(events).toEqual(['cancelled true, running null', 'cat -9, yes stopped writing']);
  });

  it('refuses a closed Stream, one that is not readable, and a Stream as stdout, clearly', async () => {
    function* main() {
      const p = popen(['cat'], { stdin: PIPE, stdout: PIPE });
      const writeEnd = messageOf(() => new Popen(['wc'], { stdin: p.stdin! }));
      const asStdout = messageOf(() => new Popen(['ls'], { stdout: p.stdin! as never }));
      const stillOpen = !p.stdin!.closed;
      yield* p.exit();
      const closedStream = messageOf(() => new Popen(['wc'], { stdin: p.stdout! }));
      return [writeEnd, asStdout, stillOpen, closedStream];
    }
    expect(await runKernel(main())).toEqual([
      "TypeError: Popen(options.stdin): the Stream is not readable (pass another process's stdout or stderr)",
      "TypeError: Popen(options.stdout): stdout must be PIPE, DEVNULL, 'inherit', a file descriptor or a Node stream with one, got a Stream (a curio Stream can only be stdin)",
      true,
      "TypeError: Popen(options.stdin): the Stream is closed (pass another process's stdout or stderr)",
    ]);
  });
});
