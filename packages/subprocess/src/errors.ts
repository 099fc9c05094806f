import { CurioError, TaskTimeout } from '@curio/kernel';

/** The command as shown in error messages. */
function show(cmd: string | readonly string[]): string {
  return JSON.stringify(cmd);
}

/**
 * Raised by `run({ check: true })` and `checkOutput` when the command exits with a non-zero
 * status. A negative `returncode` is the number of the signal that ended it.
 * @example
 * ```ts run
 * import { run } from '@curio/kernel';
 * import { CalledProcessError, checkOutput } from '@curio/subprocess';
 *
 * await run(function* () {
 *   try {
 *     yield* checkOutput(['node', '-e', 'process.exit(3)']);
 *   } catch (e) {
 *     if (e instanceof CalledProcessError) console.log(e.returncode); // 3
 *   }
 * }());
 * ```
 */
export class CalledProcessError extends CurioError {
  static override readonly brand: string = 'curio.error.CalledProcessError';
  /** The exit status, or minus the signal number. */
  readonly returncode: number;
  /** The command's arguments, as given. */
  readonly cmd: string | readonly string[];
  /** Its captured standard output (`null` if not captured). */
  readonly output: Buffer | null;
  /** Its captured standard error (`null` if not captured). */
  readonly stderr: Buffer | null;

  constructor(
    returncode: number,
    cmd: string | readonly string[],
    output: Buffer | null = null,
    stderr: Buffer | null = null,
  ) {
    super(
      returncode < 0
        ? `Command ${show(cmd)} died with signal ${-returncode}.`
        : `Command ${show(cmd)} returned non-zero exit status ${returncode}.`,
    );
    this.returncode = returncode;
    this.cmd = cmd;
    this.output = output;
    this.stderr = stderr;
  }

  /** Same as `output`, as in Python. */
  get stdout(): Buffer | null {
    return this.output;
  }
}

/**
 * Raised when `Popen.wait`, `Popen.communicate`, `run` or `checkOutput` runs out of its
 * `timeout`. A `TaskTimeout`, so code catching timeouts in general catches it too. `run` and
 * `checkOutput` have killed and reaped the process by the time it is raised.
 * @example
 * ```ts run
 * import { run as runKernel } from '@curio/kernel';
 * import { PIPE, run, TimeoutExpired } from '@curio/subprocess';
 *
 * const script = 'console.log("started"); setTimeout(() => {}, 5000)';
 * await runKernel(function* () {
 *   try {
 *     yield* run(['node', '-e', script], { stdout: PIPE, timeout: 2000 });
 *   } catch (e) {
 *     if (e instanceof TimeoutExpired) console.log(String(e.output).trim()); // started
 *   }
 * }());
 * ```
 */
export class TimeoutExpired extends TaskTimeout {
  static override readonly brand: string = 'curio.error.TimeoutExpired';
  /** The command's arguments, as given. */
  readonly cmd: string | readonly string[];
  /** The timeout that expired, in ms. */
  readonly timeout: number;
  /** Standard output read before the timeout (`null` if not captured). */
  readonly output: Buffer | null;
  /** Standard error read before the timeout (`null` if not captured). */
  readonly stderr: Buffer | null;

  constructor(
    cmd: string | readonly string[],
    timeout: number,
    output: Buffer | null = null,
    stderr: Buffer | null = null,
  ) {
    super(`Command ${show(cmd)} timed out after ${timeout} ms`);
    this.cmd = cmd;
    this.timeout = timeout;
    this.output = output;
    this.stderr = stderr;
  }

  /** Same as `output`, as in Python. */
  get stdout(): Buffer | null {
    return this.output;
  }
}
