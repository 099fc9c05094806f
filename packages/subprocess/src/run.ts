import type { Coro } from '@curio/kernel';
import { CalledProcessError } from './errors.js';
import { checkTimeout, describe, Popen, type PopenOptions, toInput } from './popen.js';
import { PIPE } from './stdio.js';

/** Options of {@link run}: `Popen`'s, plus `input`, `timeout` and `check`. */
export interface RunOptions extends PopenOptions {
  /** Bytes (or a string) sent to standard input, which becomes a pipe; not with `stdin`. */
  input?: Uint8Array | string;
  /** Kill the process and raise `TimeoutExpired` after this many ms. */
  timeout?: number | null;
  /** Raise `CalledProcessError` if the exit status is not 0. */
  check?: boolean;
}

/** Options of {@link checkOutput}: as {@link RunOptions}, standard output is always captured. */
export type CheckOutputOptions = Omit<RunOptions, 'stdout' | 'check'>;

/**
 * What {@link run} returns: the command, its exit status and the captured output.
 * @example
 * ```ts run
 * import { run as runKernel } from '@curio/kernel';
 * import { PIPE, run } from '@curio/subprocess';
 *
 * const done = await runKernel(run(['node', '--version'], { stdout: PIPE }));
 * done.checkReturncode(); // CalledProcessError if it failed
 * console.log(done.returncode, String(done.stdout).startsWith('v')); // 0 true
 * ```
 */
export class CompletedProcess {
  constructor(
    /** The command as given. */
    readonly args: string | readonly string[],
    /** The exit status, or minus the signal number if a signal ended it. */
    readonly returncode: number,
    /** The captured standard output (`null` unless `stdout: PIPE`). */
    readonly stdout: Buffer | null = null,
    /** The captured standard error (`null` unless `stderr: PIPE`). */
    readonly stderr: Buffer | null = null,
  ) {}

  /** Raise `CalledProcessError` if the exit status is not 0. */
  checkReturncode(): void {
    if (this.returncode !== 0) {
      throw new CalledProcessError(this.returncode, this.args, this.stdout, this.stderr);
    }
  }
}

/**
 * Run a command, wait for it to end and return a {@link CompletedProcess}. Output is captured
 * only for streams set to `PIPE`; `input` is sent to standard input. With `shell: true` the
 * command string runs in `/bin/sh`.
 *
 * After `timeout` ms the process is killed and reaped, then `TimeoutExpired` is raised
 * (with the output read so far). A cancelled `run`, or one inside an expired `timeoutAfter`,
 * also kills and reaps its process (the reaping runs inside `disableCancellation`): when it
 * returns or raises, the process is gone and its pipes are closed.
 * @example
 * ```ts run
 * import { run as runKernel } from '@curio/kernel';
 * import { PIPE, run } from '@curio/subprocess';
 *
 * await runKernel(function* () {
 *   const done = yield* run(['node', '-p', '6 * 7'], { stdout: PIPE, timeout: 5000, check: true });
 *   console.log(done.stdout!.toString()); // 42
 * }());
 * ```
 */
export function run(
  args: string | readonly string[],
  options: RunOptions = {},
): Coro<CompletedProcess> {
  return start('run', args, options);
}

/**
 * Run a command and return its standard output; raises `CalledProcessError` (holding the
 * output) if it exits with a non-zero status, and `TimeoutExpired` after `timeout` ms, with
 * the process killed and reaped as in {@link run}.
 * @example
 * ```ts run
 * import { run } from '@curio/kernel';
 * import { checkOutput } from '@curio/subprocess';
 *
 * const version = (await run(checkOutput(['node', '--version']))).toString().trim();
 * console.log(version.startsWith('v')); // true
 * ```
 */
export function checkOutput(
  args: string | readonly string[],
  options: CheckOutputOptions = {},
): Coro<Buffer> {
  if (options !== null && typeof options === 'object' && 'stdout' in options) {
    throw new TypeError('checkOutput(options): stdout is not allowed, it is captured');
  }
  return stdoutOf(start('checkOutput', args, { ...options, stdout: PIPE, check: true }));
}

function* stdoutOf(running: Coro<CompletedProcess>): Coro<Buffer> {
  return (yield* running).stdout as Buffer;
}

function start(
  fn: string,
  args: string | readonly string[],
  options: RunOptions,
): Coro<CompletedProcess> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${fn}(options): options must be an object, got ${describe(options)}`);
  }
  const { input, timeout: _timeout, check, ...popenOptions } = options;
  const timeout = checkTimeout(fn, options);
  if (input !== undefined && input !== null) {
    if (popenOptions.stdin !== undefined && popenOptions.stdin !== null) {
      throw new TypeError(`${fn}(options): stdin and input cannot both be given`);
    }
    popenOptions.stdin = PIPE;
  }
  const data = toInput(fn, input);
  if (check !== undefined && typeof check !== 'boolean') {
    throw new TypeError(`${fn}(options.check): check must be a boolean, got ${describe(check)}`);
  }
  // Popen checks args and the stdio options; a missing executable raises here too.
  const proc = new Popen(args, popenOptions);
  return finish(proc, data, timeout, check === true);
}

function* finish(
  proc: Popen,
  input: Buffer,
  timeout: number | undefined,
  check: boolean,
): Coro<CompletedProcess> {
  let stdout: Buffer | null;
  let stderr: Buffer | null;
  try {
    [stdout, stderr] = yield* proc.communicate(input, { timeout });
  } catch (err) {
    yield* proc.killAndReap();
    throw err;
  }
  yield* proc.closePipes();
  const done = new CompletedProcess(proc.args, proc.returncode as number, stdout, stderr);
  if (check) done.checkReturncode();
  return done;
}
