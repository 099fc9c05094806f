import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { PassThrough, pipeline, type Readable, type Writable } from 'node:stream';
import { Stream } from '@curio/io';
import {
  type AsyncContextManager,
  type Coro,
  disableCancellation,
  futureWait,
  ignoreAfter,
  newTask,
  type Task,
  TaskError,
  TaskTimeout,
  type TimeoutOptions,
} from '@curio/kernel';
import { TimeoutExpired } from './errors.js';
import {
  type SpawnStdio,
  STDOUT,
  type StdinSource,
  type StdioOption,
  takeStdin,
  toSpawnStdio,
} from './stdio.js';

/** Options of `new Popen(args, options)`: Node's `spawn` options plus the three streams. */
export interface PopenOptions extends Omit<SpawnOptions, 'stdio' | 'timeout'> {
  /**
   * The child's standard input (default: inherit). `PIPE` makes `popen.stdin` a `Stream`.
   * Another process's `stdout` (a curio `Stream`) makes a pipeline: the Stream is handed to
   * this process and closed in the parent.
   */
  stdin?: StdioOption;
  /** The child's standard output (default: inherit). `PIPE` makes `popen.stdout` a `Stream`. */
  stdout?: StdioOption;
  /** The child's standard error (default: inherit); `STDOUT` merges it into standard output. */
  stderr?: StdioOption;
}

const EMPTY = Buffer.alloc(0);

// How long killAndReap waits for a killed process to be reaped before it gives up (ms).
let reapTimeout = 5000;

/** Change how long a killed process may take to be reaped (for tests). @internal */
export function setReapTimeout(ms: number): number {
  const previous = reapTimeout;
  reapTimeout = ms;
  return previous;
}
const TIMED_OUT = Symbol('timed out');
const READ_SIZE = 65536;

/** @internal */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  const ctor = (value as object).constructor;
  return ctor && ctor !== Object ? `a ${ctor.name}` : 'an object';
}

/** Normalises `{ timeout }`: undefined means none. Throws on bad input. @internal */
export function checkTimeout(fn: string, options: TimeoutOptions | undefined): number | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${fn}(options): options must be an object, got ${describe(options)}`);
  }
  const timeout = options.timeout;
  if (timeout === undefined || timeout === null || timeout === Infinity) return undefined;
  if (typeof timeout !== 'number' || !(timeout >= 0)) {
    throw new TypeError(
      `${fn}: timeout must be a number of milliseconds >= 0 or null, got ${describe(timeout)}`,
    );
  }
  return timeout;
}

/** Checks `input` and makes it a Buffer. @internal */
export function toInput(fn: string, input: unknown): Buffer {
  if (input === undefined || input === null) return EMPTY;
  if (typeof input === 'string') return Buffer.from(input);
  if (input instanceof Uint8Array) return Buffer.from(input.buffer, input.byteOffset, input.length);
  throw new TypeError(`${fn}(input): input must be a Buffer or a string, got ${describe(input)}`);
}

function checkArgs(fn: string, args: unknown): void {
  if (typeof args === 'string') {
    if (args === '') throw new TypeError(`${fn}(args): args must not be empty`);
    return;
  }
  if (
    !Array.isArray(args) ||
    args.length === 0 ||
    args.some((a) => typeof a !== 'string') ||
    args[0] === ''
  ) {
    throw new TypeError(
      `${fn}(args): args must be a command string or a non-empty array of strings, got ${describe(args)}`,
    );
  }
}

function signalNumber(name: string | null): number {
  return name === null ? 0 : ((osConstants.signals as Record<string, number>)[name] ?? 0);
}

// Why spawn gave no pid: Node reports it only later, as an 'error' event; say it now.
function spawnFailure(fn: string, file: string, options: SpawnOptions): Error {
  const fail = (message: string, code: string) =>
    Object.assign(new Error(`${fn}: cannot run ${JSON.stringify(file)}: ${message}`), {
      code,
      path: file,
      syscall: 'spawn',
    });
  const cwd = options.cwd === undefined ? undefined : String(options.cwd);
  if (cwd !== undefined) {
    try {
      if (!statSync(cwd).isDirectory()) return fail(`cwd ${cwd} is not a directory`, 'ENOTDIR');
    } catch {
      return fail(`the working directory ${cwd} does not exist`, 'ENOENT');
    }
  }
  const candidates = file.includes('/')
    ? [resolve(cwd ?? '.', file)]
    : String(options.env?.PATH ?? process.env.PATH ?? '')
        .split(delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => join(dir, file));
  let exists = false;
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      exists = true;
      accessSync(candidate, fsConstants.X_OK);
      return fail('the process could not be started', 'EAGAIN');
    } catch {}
  }
  if (exists) return fail('the file is not executable (EACCES)', 'EACCES');
  return file.includes('/')
    ? fail('no such file (ENOENT)', 'ENOENT')
    : fail('executable not found in PATH (ENOENT)', 'ENOENT');
}

/**
 * A child process, as Python's `subprocess.Popen`: started at once; its piped standard
 * streams are `@curio/io` `Stream`s; `wait` and `communicate` are coroutines.
 * As an async context manager, `exit` closes the pipes and waits for the process.
 * @example
 * ```ts run
 * import { asyncFor, run } from '@curio/kernel';
 * import { PIPE, Popen } from '@curio/subprocess';
 *
 * await run(function* () {
 *   const p = new Popen(['node', '-e', 'for (let i = 1; i <= 3; i++) console.log(i)'], {
 *     stdout: PIPE,
 *   });
 *   yield* asyncFor(p.stdout!, function* (line) {
 *     process.stdout.write(`Got: ${line}`); // Got: 1, Got: 2, Got: 3
 *   });
 *   console.log('exit status', yield* p.wait()); // exit status 0
 * }());
 * ```
 */
export class Popen implements AsyncContextManager<Popen> {
  /** The command as given. */
  readonly args: string | readonly string[];
  /** The child's process id. */
  readonly pid: number;
  /** The exit status once the process has ended (minus the signal number if a signal ended it), else `null`. */
  returncode: number | null = null;
  /** The write end of the child's standard input, with `stdin: PIPE`. */
  readonly stdin: Stream | null;
  /** The read end of the child's standard output, with `stdout: PIPE`. */
  readonly stdout: Stream | null;
  /** The read end of the child's standard error, with `stderr: PIPE`. */
  readonly stderr: Stream | null;
  private readonly child: ChildProcess;
  private readonly exited: Promise<number>;
  private readonly pipes: Array<Readable | Writable>;
  // Settles once every pipe has emitted 'close': Node has closed its handle. (A destroyed
  // socket reports `closed` before that, while its handle is still closing.)
  private readonly pipesClosed: Promise<unknown>;

  constructor(args: string | readonly string[], options: PopenOptions = {}) {
    checkArgs('Popen', args);
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`Popen(options): options must be an object, got ${describe(options)}`);
    }
    const { stdin, stdout, stderr, ...spawnOptions } = options;
    if ('stdio' in spawnOptions) {
      throw new TypeError('Popen(options): use stdin, stdout and stderr instead of stdio');
    }
    let source: StdinSource | null = null;
    let inSpec: SpawnStdio;
    if (stdin instanceof Stream) {
      source = takeStdin('Popen', stdin);
      inSpec = source.spec;
    } else {
      inSpec = toSpawnStdio('Popen', 'stdin', stdin === STDOUT ? {} : stdin);
    }
    const outSpec = toSpawnStdio('Popen', 'stdout', stdout === STDOUT ? {} : stdout);
    const mergeErr = stderr === STDOUT;
    let errSpec: SpawnStdio;
    if (mergeErr) errSpec = outSpec === 'inherit' ? 1 : outSpec;
    else errSpec = toSpawnStdio('Popen', 'stderr', stderr);

    const [file, argv] = typeof args === 'string' ? [args, []] : [args[0], args.slice(1)];
    const child = spawn(file, argv, { ...spawnOptions, stdio: [inSpec, outSpec, errSpec] });
    // Spawn errors also arrive as an 'error' event (after the throw below): keep them quiet.
    child.on('error', () => {});
    this.pipes = [child.stdin, child.stdout, child.stderr].filter(
      (s): s is Readable | Writable => s !== null,
    );
    if (source !== null) feedFrom(source, child.pid === undefined ? null : child.stdin);
    if (child.pid === undefined) {
      for (const pipe of this.pipes) pipe.destroy();
      throw spawnFailure('Popen', file, spawnOptions);
    }
    this.child = child;
    this.args = args;
    this.pid = child.pid;
    this.exited = new Promise<number>((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.returncode = code ?? -signalNumber(signal);
        resolveExit(this.returncode);
      });
    });
    let out: Readable | null = child.stdout;
    if (mergeErr && child.stdout !== null && child.stderr !== null) {
      const merged = new PassThrough();
      const sources = [child.stdout, child.stderr];
      let open = 2;
      for (const source of sources) {
        source.pipe(merged, { end: false });
        source.once('end', () => {
          if (--open === 0) merged.end();
        });
      }
      // Closing the merged stream closes both pipes, so the child sees a closed pipe.
      merged.once('close', () => {
        for (const source of sources) source.destroy();
      });
      this.pipes.push(merged);
      out = merged;
    }
    this.pipesClosed = Promise.all(
      this.pipes.map((pipe) => new Promise<void>((resolve) => pipe.once('close', () => resolve()))),
    );
    this.stdin = child.stdin === null || source !== null ? null : new Stream(child.stdin);
    this.stdout = out === null ? null : new Stream(out);
    this.stderr = mergeErr || child.stderr === null ? null : new Stream(child.stderr);
  }

  /**
   * The exit status if the process has ended (as Node has reported it so far), else `null`.
   * @example
   * import type { Popen } from '@curio/subprocess';
   *
   * function stopIfRunning(p: Popen) {
   *   if (p.poll() === null) p.terminate(); // poll(): the exit status, or null while it runs
   * }
   */
  poll(): number | null {
    return this.returncode;
  }

  /**
   * Wait for the process to end and return its exit status (minus the signal number if a
   * signal ended it). Raises `TimeoutExpired` after `timeout` ms (the process keeps running).
   * @example
   * import type { Popen } from '@curio/subprocess';
   *
   * function* exitStatus(p: Popen) {
   *   return yield* p.wait({ timeout: 1000 }); // TimeoutExpired after a second
   * }
   */
  wait(options?: TimeoutOptions): Coro<number> {
    const timeout = checkTimeout('Popen.wait', options);
    return this.waitExit(timeout);
  }

  private *waitExit(timeout: number | undefined): Coro<number> {
    if (timeout === undefined) return yield* futureWait(this.exited);
    const status = yield* ignoreAfter(timeout, futureWait(this.exited), TIMED_OUT);
    if (status === TIMED_OUT) throw new TimeoutExpired(this.args, timeout);
    return status;
  }

  /**
   * Send `input` to standard input (then close it), read standard output and standard error
   * to their end at the same time (so neither pipe can fill up and deadlock the child), wait
   * for the process to end, and return `[stdout, stderr]` (`null` for a stream that is not
   * piped, or was closed or handed to another process). Raises `TimeoutExpired` (holding the output read so far) after `timeout` ms; the
   * process keeps running.
   * @example
   * ```ts run
   * import { run } from '@curio/kernel';
   * import { PIPE, Popen } from '@curio/subprocess';
   *
   * await run(function* () {
   *   const p = new Popen(['node', '-e', 'process.stdin.pipe(process.stdout)'], {
   *     stdin: PIPE,
   *     stdout: PIPE,
   *     stderr: PIPE,
   *   });
   *   const [out, err] = yield* p.communicate(Buffer.from('hello'), { timeout: 5000 });
   *   console.log(String(out), String(err).length); // hello 0
   * }());
   * ```
   */
  communicate(
    input: Uint8Array | string = EMPTY,
    options?: TimeoutOptions,
  ): Coro<[Buffer | null, Buffer | null]> {
    const data = toInput('Popen.communicate', input);
    const timeout = checkTimeout('Popen.communicate', options);
    if (data.length > 0 && this.stdin === null) {
      throw new TypeError(
        'Popen.communicate(input): stdin is not a pipe (start it with stdin: PIPE)',
      );
    }
    return this.communicating(data, timeout);
  }

  private *communicating(
    input: Buffer,
    timeout: number | undefined,
  ): Coro<[Buffer | null, Buffer | null]> {
    // A stream already closed here (say, handed to another process) is not read.
    const stdout = this.stdout?.closed === false ? this.stdout : null;
    const stderr = this.stderr?.closed === false ? this.stderr : null;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const readers: Task<void>[] = [];
    const collected = (): [Buffer | null, Buffer | null] => [
      stdout === null ? null : Buffer.concat(out),
      stderr === null ? null : Buffer.concat(err),
    ];
    try {
      if (stdout !== null) readers.push(yield* newTask(drain(stdout, out)));
      if (stderr !== null) readers.push(yield* newTask(drain(stderr, err)));
      const body = this.exchange(input, readers);
      const done =
        timeout === undefined ? yield* body : yield* ignoreAfter(timeout, body, TIMED_OUT);
      if (done === TIMED_OUT) {
        const [stdout, stderr] = collected();
        throw new TimeoutExpired(this.args, timeout as number, stdout, stderr);
      }
    } finally {
      // Even when cancelled or inside an expired timeoutAfter, stop the readers for good.
      yield* disableCancellation(stopAll(readers));
    }
    return collected();
  }

  private *exchange(input: Buffer, readers: readonly Task<void>[]): Coro<void> {
    if (this.stdin !== null && !this.stdin.closed) yield* feed(this.stdin, input);
    for (const reader of readers) {
      try {
        yield* reader.join();
      } catch (e) {
        throw e instanceof TaskError && e.cause !== undefined ? e.cause : e;
      }
    }
    yield* futureWait(this.exited);
  }

  /**
   * Send `signal` (a name like `'SIGTERM'` or a number) to the process; does nothing once it
   * has ended.
   * @example
   * import type { Popen } from '@curio/subprocess';
   *
   * function interrupt(p: Popen) {
   *   p.sendSignal('SIGINT'); // Python: send_signal
   * }
   */
  sendSignal(signal: NodeJS.Signals | number): void {
    const ok =
      (typeof signal === 'string' && Object.hasOwn(osConstants.signals, signal)) ||
      (typeof signal === 'number' && Number.isInteger(signal) && signal >= 0);
    if (!ok) {
      throw new TypeError(
        `Popen.sendSignal(signal): signal must be a name like 'SIGTERM' or a number, got ${describe(signal)}`,
      );
    }
    if (this.returncode !== null || this.child.exitCode !== null) return;
    this.child.kill(signal);
  }

  /**
   * Ask the process to end (`SIGTERM`).
   * @example
   * import type { Popen } from '@curio/subprocess';
   *
   * function stop(p: Popen) {
   *   p.terminate();
   * }
   */
  terminate(): void {
    this.sendSignal('SIGTERM');
  }

  /**
   * End the process at once (`SIGKILL`).
   * @example
   * import type { Popen } from '@curio/subprocess';
   *
   * function stopNow(p: Popen) {
   *   p.kill();
   * }
   */
  kill(): void {
    this.sendSignal('SIGKILL');
  }

  /**
   * Returns the `Popen` itself.
   * @example
   * ```ts run
   * import { asyncWith, run } from '@curio/kernel';
   * import { Popen } from '@curio/subprocess';
   *
   * await run(
   *   asyncWith(new Popen(['node', '-e', '']), function* (p) {
   *     yield* p.wait();
   *   }), // the pipes are closed and the process has ended here
   * );
   * ```
   */
  *enter(): Coro<Popen> {
    return this;
  }

  /**
   * Close the pipes (standard input first, so the child sees end of file) and wait for the
   * process to end. Never suppresses the body's error.
   * @example
   * import type { Popen } from '@curio/subprocess';
   *
   * function* finish(p: Popen) {
   *   yield* p.exit(); // what leaving asyncWith(p, ...) does
   * }
   */
  *exit(_error?: unknown): Coro<boolean> {
    for (const stream of [this.stdin, this.stdout, this.stderr]) {
      if (stream !== null && !stream.closed) yield* stream.close();
    }
    yield* futureWait(this.exited);
    return false;
  }

  /**
   * Kill the process, wait for it to be reaped and destroy its pipes: what `run` and
   * `checkOutput` do when their call times out, is cancelled or fails. The wait runs inside
   * `disableCancellation`, so it also happens in a cancelled task or an expired `timeoutAfter`;
   * it is bounded (5 s), after which a `CURIO_SUBPROCESS_NOT_REAPED` warning is emitted. @internal
   */
  *killAndReap(): Coro<void> {
    this.kill();
    try {
      yield* disableCancellation(futureWait(this.exited, { timeout: reapTimeout }));
    } catch (err) {
      if (!(err instanceof TaskTimeout)) throw err;
      process.emitWarning(
        `Popen: process ${this.pid} was killed (SIGKILL) but not reaped within ${reapTimeout} ms; giving up waiting for it`,
        { code: 'CURIO_SUBPROCESS_NOT_REAPED' },
      );
    } finally {
      yield* this.closePipes();
    }
  }

  /**
   * Destroy the pipes (after the process has ended) and wait until Node has closed them, so
   * none is left among the program's handles when `run` returns or raises. Runs inside
   * `disableCancellation`; bounded like the reaping (a pipe Node never closes is left to it).
   * @internal
   */
  *closePipes(): Coro<void> {
    for (const pipe of this.pipes) pipe.destroy();
    try {
      yield* disableCancellation(futureWait(this.pipesClosed, { timeout: reapTimeout }));
    } catch (err) {
      if (!(err instanceof TaskTimeout)) throw err;
    }
  }
}

// Feed the child's stdin from another process's stream taken over by takeStdin. The child
// got the pipe itself (or failed to start: `stdin` null): close the parent's copy, so the
// writer gets SIGPIPE once the reader is gone. Otherwise pump it (bytes were read ahead, or
// it has no pipe of its own); a reader that exits early ends the pump and closes the source.
function feedFrom(source: StdinSource, stdin: Writable | null): void {
  if (!source.pump || stdin === null) source.raw.destroy();
  else pipeline(source.raw, stdin, () => {});
}

function* stopAll(tasks: readonly Task<void>[]): Coro<void> {
  for (const task of tasks) if (!task.terminated) yield* task.cancel();
}

function* drain(stream: Stream, chunks: Buffer[]): Coro<void> {
  for (;;) {
    const chunk = yield* stream.read(READ_SIZE);
    if (chunk.length === 0) return;
    chunks.push(chunk);
  }
}

// Write all of `input`, then close: a child that exits without reading is not an error.
function* feed(stdin: Stream, input: Buffer): Coro<void> {
  try {
    if (input.length > 0) yield* stdin.write(input);
    yield* stdin.close();
  } catch (err) {
    const code = (err as { code?: string } | null)?.code;
    if (code !== 'EPIPE' && code !== 'ECONNRESET' && code !== 'ERR_STREAM_DESTROYED') throw err;
  }
}
