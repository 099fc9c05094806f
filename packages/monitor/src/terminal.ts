// The console in the program's own terminal: Ctrl-C opens it, a second Ctrl-C or exit leaves.
import { createInterface } from 'node:readline';
import {
  type Coro,
  currentTask,
  newTask,
  type StreamLike,
  sigunwatch,
  sigwait,
  sigwatch,
  type Task,
  writeWait,
} from '@curio/kernel';
import { LineSource, PROMPT, runConsole } from './console.js';
import type { MonitorContext } from './context.js';

const SIGINT = { signals: ['SIGINT'] } as const;

/** True when `stream` is a terminal. */
export function isTTY(stream: unknown): boolean {
  return (stream as { isTTY?: boolean } | undefined)?.isTTY === true;
}

/**
 * Watch SIGINT for ever: each Ctrl-C opens the terminal console, or closes it when it is
 * open. While this runs, Ctrl-C no longer interrupts the program.
 */
export function* watchCtrlC(
  ctx: MonitorContext,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Coro<void> {
  let session: Task | null = null;
  yield* sigwatch(SIGINT);
  try {
    for (;;) {
      yield* sigwait(SIGINT);
      if (session !== null && !session.terminated) {
        yield* session.cancel();
        session = null;
      } else {
        session = yield* newTask(terminalSession(ctx, input, output), {
          daemon: true,
          name: 'monitor-terminal',
        });
      }
    }
  } finally {
    yield* sigunwatch(SIGINT);
  }
}

function* writeText(output: NodeJS.WritableStream, text: string): Coro<void> {
  if (!output.write(text)) yield* writeWait(output as unknown as StreamLike);
}

// One console in the terminal, read through node:readline (line editing and history).
function* terminalSession(
  ctx: MonitorContext,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Coro<void> {
  const me = yield* currentTask();
  ctx.own.add(me);
  const lines = new LineSource();
  const rl = createInterface({
    input,
    output,
    terminal: isTTY(input) && isTTY(output),
    historySize: 100,
    prompt: PROMPT,
  });
  rl.on('line', (line) => lines.push(line));
  rl.on('close', () => lines.end());
  // In a raw-mode terminal Ctrl-C reaches readline, not the process: it leaves the console.
  rl.on('SIGINT', () => rl.close());
  let finished = false;
  try {
    finished = yield* runConsole(
      {
        readLine: () => lines.readLine(),
        write: (text) => writeText(output, text),
        *prompt() {
          rl.prompt();
          yield* writeWait(output as unknown as StreamLike);
        },
      },
      ctx.commands,
    );
  } finally {
    ctx.own.delete(me);
    rl.close();
    if (!finished) output.write('\nLeaving the monitor\n');
  }
}
