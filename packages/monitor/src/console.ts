// One console session: greet, then read a command line, run it, show the reply, until exit.
import { CancelledError, type Coro, type ReadinessSource, readWait } from '@curio/kernel';
import { type Commands, UsageError } from './commands.js';

/** The prompt the monitor shows (the curio-monitor command recognises it). */
export const PROMPT = 'curio > ';

/** The two ends of a console: where command lines come from and replies go. */
export interface ConsoleIO {
  /** The next command line without its line ending, or `null` at end of input. */
  readLine(): Coro<string | null>;
  /** Show `text`. */
  write(text: string): Coro<void>;
  /** Show the prompt. */
  prompt(): Coro<void>;
}

/** `Name: message` of an error, for reports. */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** A message for an error raised by a command. */
export function errorText(err: unknown): string {
  if (err instanceof UsageError) return `${err.message}\n`;
  return `error: ${describeError(err)}\n`;
}

/**
 * Run a console on `io` until `exit` (returns true) or end of input (false). A failing
 * command is reported on the console and the session goes on; only cancellation ends it early.
 */
export function* runConsole(io: ConsoleIO, commands: Commands): Coro<boolean> {
  yield* io.write(commands.banner());
  for (;;) {
    yield* io.prompt();
    const line = yield* io.readLine();
    if (line === null) return false;
    let text: string;
    let leave = false;
    try {
      ({ text, leave } = yield* commands.execute(line));
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      text = errorText(err);
    }
    if (text.length > 0) yield* io.write(text);
    if (leave) return true;
  }
}

/**
 * Lines pushed by event callbacks (node:readline) and read by a task. The task waits through
 * the kernel's `readWait` trap: this is a readiness source.
 */
export class LineSource implements ReadinessSource {
  private readonly lines: string[] = [];
  private ended = false;
  private wake: (() => void) | null = null;

  /** Queue a line and wake the reader. */
  push(line: string): void {
    this.lines.push(line);
    this.fire();
  }

  /** No more lines: the reader gets `null` once the queue is empty. */
  end(): void {
    this.ended = true;
    this.fire();
  }

  onReadable(wake: () => void): () => void {
    if (this.lines.length > 0 || this.ended) {
      wake();
      return () => {};
    }
    this.wake = wake;
    return () => {
      if (this.wake === wake) this.wake = null;
    };
  }

  /** The next line, or `null` once ended. */
  *readLine(): Coro<string | null> {
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) return line;
      if (this.ended) return null;
      yield* readWait(this);
    }
  }

  private fire(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
