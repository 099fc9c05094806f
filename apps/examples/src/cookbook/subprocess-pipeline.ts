// Cookbook: a pipeline of processes, as a shell's `a | b | c`. `pipeline(stages, input)` starts
// one process per stage, each reading the previous one's output (an OS pipe from process to
// process, no copy through us), feeds `input` to the first, and returns what the last prints.
// However it ends (done, failed, timed out, cancelled), no process outlives it.
//   node apps/examples/dist/cookbook/subprocess-pipeline.js
import { pathToFileURL } from 'node:url';
import { type Coro, disableCancellation, newTask, run, type Task } from '@curio/kernel';
import { CalledProcessError, PIPE, Popen } from '@curio/subprocess';

export function* pipeline(stages: string[][], input: string | Buffer): Coro<Buffer> {
  const env = { ...process.env, LC_ALL: 'C' }; // the same sort order everywhere
  const processes: Popen[] = [];
  let feeding: Task | undefined;
  try {
    for (const args of stages) {
      const previous = processes.at(-1);
      // The first stage reads from us; each other stage reads the previous one's output.
      const stdin = previous === undefined ? PIPE : previous.stdout!;
      processes.push(new Popen(args, { stdin, stdout: PIPE, env }));
    }
    const first = processes[0];
    const last = processes[processes.length - 1];
    // Feed the first stage while the last one's output is read: neither waits on the other.
    feeding = yield* newTask(first.communicate(Buffer.from(input)));
    const [output] = yield* last.communicate();
    yield* feeding.join();
    // As in a shell, the pipeline's status is its last stage's.
    const status = yield* last.wait();
    if (status !== 0) throw new CalledProcessError(status, last.args, output);
    return output!;
  } finally {
    // After a timeout or a cancellation too: disableCancellation lets the cleanup wait to the
    // end (the deadline or the cancel is raised after it), or it would stop at its first wait.
    yield* disableCancellation(stopAll(processes, feeding));
  }
}

// Kill the stages still running (after a failure, a timeout or a cancellation) and reap them
// all, so that none is left behind.
function* stopAll(processes: Popen[], feeding: Task | undefined): Coro<void> {
  for (const stage of processes) if (stage.returncode === null) stage.kill();
  for (const stage of processes) yield* stage.wait();
  if (feeding !== undefined) yield* feeding.cancel();
}

// The demo: the three most frequent words of a text, `tr | tr | sort | uniq -c | sort | head`.
const TEXT = `The cat sat on the mat. The dog sat on the log.
A cat and a dog: the cat ran, the cat sat.`;

function* main(): Coro<void> {
  const output = yield* pipeline(
    [
      ['tr', '-cs', 'A-Za-z', '\n'], // one word per line
      ['tr', 'A-Z', 'a-z'], // in lower case
      ['sort'],
      ['uniq', '-c'], // each word once, with its count
      ['sort', '-rn'], // the most frequent first
      ['head', '-n', '3'],
    ],
    TEXT,
  );
  for (const line of output.toString().trim().split('\n')) {
    const [count, word] = line.trim().split(/\s+/);
    console.log(`${word}: ${count}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run(main());
