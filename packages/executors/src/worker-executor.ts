import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { type Callable, describe, toWorkerTask, type WorkerTask } from './callable.js';
import type { Executor } from './executor.js';

/** Options of {@link WorkerExecutor}. */
export interface WorkerExecutorOptions {
  /** Most threads running at once (default: one per core, `os.availableParallelism()`). */
  maxThreads?: number;
  /** How long an idle thread lives before it exits, in ms (default 10000). */
  idleTimeout?: number;
  /** Shown in error messages, such as `'runCpuBound'` (default `'WorkerExecutor'`). */
  name?: string;
}

const workerUrl = new URL('./worker.js', import.meta.url).href;

function checkCount(name: string, arg: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(`${name}(options): ${arg} must be an integer >= 1, got ${describe(value)}`);
  }
}

/**
 * An {@link Executor} backed by a pool of worker threads (piscina). Threads start on the
 * first call, idle threads never keep the process alive, and a call whose task is cancelled
 * or times out while running terminates its thread (a fresh one takes its place).
 * The default executors of `runCpuBound` and `runBlocking` are `WorkerExecutor`s.
 * @example
 * const pool = new WorkerExecutor({ maxThreads: 2 });
 * const n = yield* runInExecutor(pool, (a: number) => a * 2, [21]);
 * await pool.close();
 */
export class WorkerExecutor implements Executor {
  /** Shown in error messages. */
  readonly name: string;
  /** Most threads running at once. */
  readonly maxThreads: number;
  private readonly idleTimeout: number;
  private pool: Piscina | null = null;
  private closed = false;

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
  }

  /** How many worker threads are alive now (0 before the first call and after `close`). */
  get threads(): number {
    return this.pool === null ? 0 : this.pool.threads.length;
  }

  /** Run `callable(...args)` on a worker thread; aborting `signal` terminates a running call. */
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
      filename: workerUrl,
      minThreads: 0,
      maxThreads: this.maxThreads,
      idleTimeout: this.idleTimeout,
    });
    // A worker that fails outside any call (an error thrown later by a timer the callable
    // left behind, say) must not take the whole process down: report it as a warning.
    pool.on('error', (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      process.emitWarning(`${this.name}: a worker thread failed outside any call: ${message}`);
    });
    return pool;
  }

  /** Terminate every thread. Later calls of `submit` fail. */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = null;
    if (pool !== null) await pool.destroy();
  }

  /** Turns the pool's errors about copying data into TypeErrors naming what was not sent. @internal */
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
    return err;
  }
}

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
