// The console's commands: ps, where, cancel, help, exit. Each returns the text to show.
import { type Coro, type Kernel, type Task, TaskTimeout } from '@curio/kernel';
import { describe } from './options.js';

/** What one command line gives: the text to show and whether the console ends. */
export interface Reply {
  text: string;
  leave: boolean;
}

const HELP = `Commands:
  ps            show the task table (id, name, state, cycles, run time)
  where ID      show where task ID is blocked (its stack at its last kernel call)
  cancel ID     cancel task ID and wait (up to 1 s) until it has ended
  help          show this list
  exit          leave the monitor (the program keeps running)
`;

const MAX_NAME = 40;
// How long `cancel` waits for the task to end before giving the prompt back.
const CANCEL_WAIT_MS = 1000;

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 3)}...`;
}

/** The task table, one row per task in id order. */
export function formatPs(kernel: Kernel): string {
  const header = ['Task', 'Name', 'State', 'Cycles', 'Time(ms)'];
  const rows = [...kernel.tasks.values()]
    .sort((a, b) => a.id - b.id)
    .map((t) => [
      String(t.id),
      clip(t.daemon ? `${t.name} (daemon)` : t.name, MAX_NAME),
      t.state,
      String(t.cycles),
      t.runTime.toFixed(1),
    ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => pad(c, widths[i]))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return `${[line(header), rule, ...rows.map(line)].join('\n')}\n`;
}

// Frames of the generator machinery and the scheduler. (The kernel records a trap's stack from
// the code that issued it: its own trap plumbing is already left out.)
const RESUME = /^\s*at \S+\.(next|throw|return) \(<anonymous>\)$/;
const SCHEDULER = /^\s*at Kernel\./;

/**
 * The frames of a trap's stack (`Task.where`) that belong to the task: from the trap call
 * (`sleep`, `Queue.get`, ...) down to the task's outermost coroutine; the generators' resume
 * frames and the scheduler below are left out.
 */
export function taskFrames(stack: string): string[] {
  const frames: string[] = [];
  for (const line of stack.split('\n')) {
    if (!/^\s*at /.test(line)) continue; // a message line, not a frame
    if (SCHEDULER.test(line)) break;
    if (RESUME.test(line)) continue;
    frames.push(`  ${line.trim()}`);
  }
  return frames;
}

/** Where task `task` is blocked, as the console shows it (and, in debug mode, where it was spawned). */
export function formatWhere(task: Task): string {
  const stack = task.where;
  const title = `Task ${task.id} (${task.name}), ${task.state}`;
  if (stack === undefined) {
    return `${title}: no stack recorded (it has not called the kernel since the monitor started)\n`;
  }
  const frames = taskFrames(stack);
  // Debug mode records where each task was spawned.
  const spawned = task.spawnSite === undefined ? '' : `Spawned at ${task.spawnSite}\n`;
  if (frames.length === 0)
    return `${title}: no frames of its own in the recorded stack\n${spawned}`;
  return `${title}, at its last kernel call (most recent call first):\n${frames.join('\n')}\n${spawned}`;
}

/**
 * Runs console commands against one kernel. `isOwn` tells the monitor's own tasks, which
 * `cancel` refuses.
 */
export class Commands {
  constructor(
    private readonly kernel: Kernel,
    private readonly isOwn: (task: Task) => boolean,
  ) {}

  /** The greeting shown when a console opens. */
  banner(): string {
    const n = this.kernel.tasks.size;
    return `\nCurio Monitor: ${n} task${n === 1 ? '' : 's'} running\nType help for commands\n`;
  }

  /** Run one command line. Errors of the command itself propagate to the console. */
  *execute(line: string): Coro<Reply> {
    const words = line
      .trim()
      .split(/\s+/)
      .filter((w) => w.length > 0);
    if (words.length === 0) return { text: '', leave: false };
    const [name, ...args] = words;
    switch (name) {
      case 'ps':
        this.noArgs(name, args);
        return { text: formatPs(this.kernel), leave: false };
      case 'where':
        return { text: formatWhere(this.taskArg(name, args)), leave: false };
      case 'cancel':
        return { text: yield* this.cancel(this.taskArg(name, args)), leave: false };
      case 'help':
        this.noArgs(name, args);
        return { text: HELP, leave: false };
      case 'exit':
      case 'quit':
        this.noArgs(name, args);
        return { text: 'Leaving the monitor\n', leave: true };
      default:
        return {
          text: `Unknown command ${describe(name)}: type help for the commands\n`,
          leave: false,
        };
    }
  }

  private *cancel(task: Task): Coro<string> {
    if (this.isOwn(task)) {
      throw new UsageError(
        `cancel: task ${task.id} (${task.name}) is part of the monitor; leave the console with exit`,
      );
    }
    try {
      yield* task.cancel({ timeout: CANCEL_WAIT_MS });
    } catch (err) {
      if (!(err instanceof TaskTimeout)) throw err;
      return `Task ${task.id} (${task.name}) has not ended ${CANCEL_WAIT_MS} ms after the cancel (it may be cleaning up or ignoring it); ps shows whether it ends\n`;
    }
    return `Cancelled task ${task.id} (${task.name})\n`;
  }

  private noArgs(name: string, args: string[]): void {
    if (args.length > 0)
      throw new UsageError(`${name} takes no arguments, got ${describe(args.join(' '))}`);
  }

  private taskArg(name: string, args: string[]): Task {
    if (args.length !== 1) throw new UsageError(`usage: ${name} ID (ps lists the task ids)`);
    const text = args[0];
    if (!/^\d+$/.test(text)) {
      throw new UsageError(`${name}: ID must be a task id (a whole number), got ${describe(text)}`);
    }
    const task = this.kernel.tasks.get(Number(text));
    if (task === undefined) {
      throw new UsageError(`${name}: no task ${text} (it has ended or never existed; try ps)`);
    }
    return task;
  }
}

/** A mistake in a command line: the console shows its message alone. */
export class UsageError extends Error {
  override name = 'UsageError';
}
