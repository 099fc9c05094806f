import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ResourceLimits, Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { type Callable, describe, toWorkerTask, type WorkerTask } from './callable.js';
import { WorkerFailed } from './errors.js';
import type { Executor } from './executor.js';

/** Options of {@link WorkerExecutor}. */
export interface WorkerExecutorOptions {
  /** Most threads running at once (default: one per core, `os.availableParallelism()`). */
  maxThreads?: number;
  /** How long an idle thread lives before it exits, in ms (default 10000). */
  idleTimeout?: number;
  /** Shown in error messages, such as `'runCpuBound'` (default `'WorkerExecutor'`). */
  name?: string;
  /**
   * Memory limits of each thread, in megabytes (Node's `Worker` `resourceLimits`:
   * `maxOldGenerationSizeMb`, `maxYoungGenerationSizeMb`, `codeRangeSizeMb`, `stackSizeMb`).
   * A call whose thread goes over them fails with {@link WorkerFailed} ("ran out of memory")
   * and the thread is replaced. Default: Node's limits.
   */
  resourceLimits?: ResourceLimits;
}

const workerUrl = new URL('./worker.js', import.meta.url);
const workerPath = fileURLToPath(workerUrl);

const limitNames = [
  'maxOldGenerationSizeMb',
  'maxYoungGenerationSizeMb',
  'codeRangeSizeMb',
  'stackSizeMb',
];

// How piscina reports a thread that exited while running a call.
const exitMessage = /^worker exited with code: (-?\d+)$/;

function checkCount(name: string, arg: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(`${name}(options): ${arg} must be an integer >= 1, got ${describe(value)}`);
  }
}

function checkResourceLimits(value: unknown): ResourceLimits | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object') {
    throw new TypeError(
      `WorkerExecutor(options): resourceLimits must be an object, got ${describe(value)}`,
    );
  }
  for (const [key, limit] of Object.entries(value)) {
    if (!limitNames.includes(key)) {
      throw new TypeError(
        `WorkerExecutor(options): resourceLimits.${key} is not a resource limit; use ${limitNames.join(', ')}`,
      );
    }
    if (limit === undefined) continue;
    if (typeof limit !== 'number' || !(limit > 0) || limit === Infinity) {
      throw new TypeError(
        `WorkerExecutor(options): resourceLimits.${key} must be a number of megabytes > 0, got ${describe(limit)}`,
      );
    }
    // Node cannot even start a thread on a tiny stack, and that takes the process down.
    if (key === 'stackSizeMb' && limit < 1) {
      throw new TypeError(
        `WorkerExecutor(options): resourceLimits.stackSizeMb must be a number of megabytes >= 1 (a smaller stack can crash the whole process), got ${limit}`,
      );
    }
  }
  return { ...value };
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * An {@link Executor} backed by a pool of worker threads (piscina). Threads start on the
 * first call, idle threads never keep the process alive, and a call whose task is cancelled
 * or times out while running terminates its thread (a fresh one takes its place).
 * The default executors of `runCpuBound` and `runBlocking` are `WorkerExecutor`s.
 *
 * No call waits for a thread that failed: a thread that dies while running a call
 * (`process.exit()`, out of memory) fails that call with {@link WorkerFailed} and is
 * replaced, and calls queued behind it run on the replacement; when no thread can start
 * (the worker file is missing or throws at load), every call fails with `WorkerFailed`.
 * @example
 * ```ts run
 * import { run } from '@curio/kernel';
 * import { runInExecutor, WorkerExecutor } from '@curio/executors';
 *
 * const pool = new WorkerExecutor({ maxThreads: 2, resourceLimits: { maxOldGenerationSizeMb: 256 } });
 * const n = await run(runInExecutor(pool, (a: number) => a * 2, [21]));
 * console.log(n); // 42
 * await pool.close();
 * ```
 */
export class WorkerExecutor implements Executor {
  /** Shown in error messages. */
  readonly name: string;
  /** Most threads running at once. */
  readonly maxThreads: number;
  private readonly idleTimeout: number;
  private readonly resourceLimits: ResourceLimits | undefined;
  private pool: Piscina | null = null;
  private closed = false;
  // Threads whose 'error' event is watched, and the errors they died of while running a call.
  private readonly watched = new WeakSet<Worker>();
  private readonly deaths = new WeakSet<object>();
  // What the thread that just ended outside any call failed with (set between its
  // 'workerDestroy' and the check that follows it); `ending` is true in between.
  private ending = false;
  private endError: unknown = undefined;
  // True from restarting a thread for queued calls until a thread is ready: if the pool is
  // stuck again by then, no thread can start, and `startFailure` is why.
  private restarting = false;
  private startFailure: unknown = undefined;

  constructor(options: WorkerExecutorOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `WorkerExecutor(options): options must be an object, got ${describe(options)}`,
      );
    }
    const name = options.name ?? 'WorkerExecutor';
    if (typeof name !== 'string') {
      throw new TypeError(`WorkerExecutor(options): name must be a string, got ${describe(name)}`);
    }
    const maxThreads = options.maxThreads ?? defaultThreads();
    checkCount('WorkerExecutor', 'maxThreads', maxThreads);
    const idleTimeout = options.idleTimeout ?? 10_000;
    if (typeof idleTimeout !== 'number' || !(idleTimeout >= 0)) {
      throw new TypeError(
        `WorkerExecutor(options): idleTimeout must be a number of ms >= 0, got ${describe(idleTimeout)}`,
      );
    }
    this.name = name;
    this.maxThreads = maxThreads;
    this.idleTimeout = idleTimeout;
    this.resourceLimits = checkResourceLimits(options.resourceLimits);
  }

  /** How many worker threads are alive now (0 before the first call and after `close`). */
  get threads(): number {
    return this.pool === null ? 0 : this.pool.threads.length;
  }

  /**
   * Run `callable(...args)` on a worker thread; aborting `signal` terminates a running call.
   * Rejects with {@link WorkerFailed} when the thread fails rather than the callable.
   */
  submit(callable: Callable, args: readonly unknown[], signal: AbortSignal): Promise<unknown> {
    const task = toWorkerTask(this.name, callable, args);
    return this._run(task, signal).catch((err: unknown) => {
      throw this._explain(err, task);
    });
  }

  /**
   * Runs a checked task; `signal` may be any abort signal piscina accepts. Errors come back
   * raw: pass them through `_explain`. @internal
   */
  _run(task: WorkerTask, signal: AbortSignal | AbortHandle): Promise<unknown> {
    if (this.closed) {
      return Promise.reject(new Error(`${this.name}: the executor is closed`));
    }
    this.pool ??= this.startPool();
    return this.pool.run(task, { signal: signal as AbortSignal });
  }

  private startPool(): Piscina {
    const pool = new Piscina({
      filename: workerUrl.href,
      minThreads: 0,
      maxThreads: this.maxThreads,
      idleTimeout: this.idleTimeout,
      resourceLimits: this.resourceLimits,
    });
    // A thread ends: piscina says 'workerDestroy', then fails the call it was running or,
    // when it failed outside any call (while starting, or idle), says 'error' at once.
    pool.on('workerDestroy', () => {
      this.ending = true;
      queueMicrotask(() => this.afterThreadEnded(pool));
    });
    pool.on('error', (err: unknown) => {
      if (this.ending) this.endError = err;
      else this.warn(err);
    });
    // A thread is ready (it loaded the worker file): watch how it dies from now on.
    pool.on('workerCreate', () => {
      this.restarting = false;
      for (const worker of pool.threads) {
        if (this.watched.has(worker)) continue;
        this.watched.add(worker);
        worker.on('error', this.onWorkerError);
      }
    });
    return pool;
  }

  // Runs after piscina's own listener has failed the thread's call with `err`, before that
  // call is explained (a later microtask).
  private readonly onWorkerError = (err: unknown): void => {
    if (typeof err === 'object' && err !== null) this.deaths.add(err);
  };

  // piscina starts a thread only when a call arrives, so calls queued when the last thread
  // ends would wait forever. If that thread failed while starting (it could not load the
  // worker file, or ran out of memory), no thread can start: fail the queued calls. If it
  // died running a call, start another for them, once: should that one end before it is
  // ready, fail them too, rather than start threads in a loop.
  private afterThreadEnded(pool: Piscina): void {
    const failure = this.endError;
    this.ending = false;
    this.endError = undefined;
    if (pool !== this.pool || pool.threads.length > 0 || pool.queueSize === 0) {
      if (failure !== undefined) this.warn(failure);
      return;
    }
    if (failure === undefined && !this.restarting) {
      this.restarting = true;
      // A call with nowhere to run makes piscina start a thread; dropping the call at once
      // leaves the thread to the queued calls.
      const handle = new AbortHandle();
      pool.run(null, { signal: handle as never }).catch(ignore);
      handle.abort(undefined);
      return;
    }
    this.restarting = false;
    this.startFailure = failure;
    this.pool = null; // the next call starts afresh
    void pool.destroy(); // fails the queued calls: see `_explain`
  }

  // A thread failed outside any call (an error thrown later by a timer the callable left
  // behind, say): that must not take the whole process down, so it is a warning.
  private warn(err: unknown): void {
    process.emitWarning(`${this.name}: a worker thread failed outside any call: ${text(err)}`);
  }

  /** Terminate every thread. Later calls of `submit` fail. */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = null;
    if (pool !== null) await pool.destroy();
  }

  /**
   * Explains why the pool failed a call: data that cannot be copied (TypeError), a thread
   * that died or could not start ({@link WorkerFailed}); the callable's own errors as they
   * are. @internal
   */
  _explain(err: unknown, task: WorkerTask): unknown {
    if (err instanceof Error && err.name === 'DataCloneError') {
      for (let i = 0; i < task.args.length; i++) {
        try {
          structuredClone(task.args[i]);
        } catch (cloneErr) {
          return new TypeError(
            `${this.name}(args): args[${i}] cannot be sent to a worker thread: ${(cloneErr as Error).message}`,
          );
        }
      }
      return new TypeError(`${this.name}(args): cannot be sent to a worker thread: ${err.message}`);
    }
    if (err !== null && typeof err === 'object' && !(err instanceof Error) && !('message' in err)) {
      // The worker could not post its result (what it returned cannot be cloned).
      return new TypeError(
        `${this.name}: the result of ${task.label} cannot be copied back from the worker thread (it holds a function, symbol or other value that cannot be cloned)`,
      );
    }
    const running = `${this.name}: the worker thread running ${callName(task)}`;
    if (isOutOfMemory(err)) {
      return new WorkerFailed(`${running} ${outOfMemory(err)}`, { cause: err });
    }
    if (typeof err === 'object' && err !== null && this.deaths.has(err)) {
      return new WorkerFailed(`${running} died of an uncaught error: ${text(err)}`, {
        cause: err,
      });
    }
    if (!(err instanceof Error)) return err;
    const exit = exitMessage.exec(err.message);
    if (exit !== null) {
      return new WorkerFailed(`${running} exited with code ${exit[1]} before the call returned`);
    }
    if (err.message === 'Terminating worker thread' && !this.closed) {
      return this.cannotStart(task, this.startFailure);
    }
    if (err.message === `No handler function exported from ${workerPath}`) {
      return this.cannotStart(task, err);
    }
    return err;
  }

  private cannotStart(task: WorkerTask, cause: unknown): WorkerFailed {
    const prefix = `${this.name}: cannot run ${callName(task)}`;
    if (isOutOfMemory(cause)) {
      return new WorkerFailed(`${prefix}: a worker thread starting ${outOfMemory(cause)}`, {
        cause,
      });
    }
    if (cause === undefined) {
      return new WorkerFailed(
        `${prefix}: a worker thread exited while starting (loading the worker file ${workerPath})`,
      );
    }
    return new WorkerFailed(
      `${prefix}: the worker file ${workerPath} failed to load in a worker thread: ${text(cause)}`,
      { cause },
    );
  }
}

function callName(task: WorkerTask): string {
  return task.source !== undefined ? `function ${task.label}` : task.label;
}

function isOutOfMemory(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
}

function outOfMemory(err: unknown): string {
  return `ran out of memory (ERR_WORKER_OUT_OF_MEMORY: ${text(err)}); raise resourceLimits or use less memory`;
}

function ignore(): void {}

/**
 * A one-shot abort signal much cheaper than an AbortController, for the calls curio makes
 * itself (the pool takes anything with addEventListener / removeEventListener). @internal
 */
export class AbortHandle {
  aborted = false;
  reason: unknown = undefined;
  private listener: (() => void) | null = null;

  addEventListener(_type: 'abort', listener: () => void): void {
    this.listener = listener;
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    if (this.listener === listener) this.listener = null;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listener = this.listener;
    this.listener = null;
    listener?.();
  }
}

/** One thread per core. @internal */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}
