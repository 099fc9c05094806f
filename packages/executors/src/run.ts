import { availableParallelism } from 'node:os';
import {
  CancelledError,
  type Coro,
  futureWait,
  TaskTimeout,
  type TimeoutOptions,
} from '@curio/kernel';
import { describe, type ModuleFunction, toWorkerTask, type WorkerTask } from './callable.js';
import type { Executor } from './executor.js';
import { AbortHandle, defaultThreads, WorkerExecutor } from './worker-executor.js';

// The executors in use; null until first needed (pools start lazily).
let cpuExecutor: Executor | null = null;
let blockingExecutor: Executor | null = null;
// The default pools this module created, so that replacing them closes them.
const ownPools = new Set<Executor>();

function cpu(): Executor {
  if (cpuExecutor === null) {
    cpuExecutor = new WorkerExecutor({ name: 'runCpuBound', maxThreads: defaultThreads() });
    ownPools.add(cpuExecutor);
  }
  return cpuExecutor;
}

function blocking(): Executor {
  if (blockingExecutor === null) {
    // Python's ThreadPoolExecutor default: min(32, cores + 4).
    const maxThreads = Math.min(32, availableParallelism() + 4);
    blockingExecutor = new WorkerExecutor({ name: 'runBlocking', maxThreads });
    ownPools.add(blockingExecutor);
  }
  return blockingExecutor;
}

function checkExecutor(fn: string, executor: unknown): asserts executor is Executor {
  if (
    executor === null ||
    typeof executor !== 'object' ||
    typeof (executor as Executor).submit !== 'function'
  ) {
    throw new TypeError(
      `${fn}(executor): executor must have a submit(callable, args, signal) method, got ${describe(executor)}`,
    );
  }
}

function checkTimeout(fn: string, options: TimeoutOptions | undefined): number | undefined {
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

function* submit(
  executor: Executor,
  callable: unknown,
  args: readonly unknown[],
  timeout: number | undefined,
): Coro<unknown> {
  return yield* futureWait((signal) => executor.submit(callable as never, args, signal), {
    timeout,
  });
}

// The default pools' path: no AbortController per call; the work is aborted when the wait
// ends by cancellation or timeout (the pool ignores an abort once the call has finished).
function* submitToWorkers(
  executor: WorkerExecutor,
  task: WorkerTask,
  timeout: number | undefined,
): Coro<unknown> {
  const handle = new AbortHandle();
  const result = executor._run(task, handle);
  try {
    return yield* futureWait(result, { timeout });
  } catch (err) {
    // Cancelled or timed out: stop the work. (After the call has settled, the pool has let go
    // of the handle and this does nothing.)
    handle.abort(err);
    throw err instanceof CancelledError || err instanceof TaskTimeout
      ? err
      : executor._explain(err, task);
  }
}

function dispatch(
  fn: string,
  executor: Executor,
  callable: unknown,
  args: unknown,
  options: TimeoutOptions | undefined,
): Coro<unknown> {
  if (!Array.isArray(args)) {
    throw new TypeError(`${fn}(args): args must be an array, got ${describe(args)}`);
  }
  const task = toWorkerTask(fn, callable, args); // checks the callable's shape at once
  const timeout = checkTimeout(fn, options);
  if (executor instanceof WorkerExecutor) return submitToWorkers(executor, task, timeout);
  return submit(executor, callable, args, timeout);
}

/**
 * Run `callable(...args)` on the CPU-bound executor (worker threads, one per core) and
 * return its result; the kernel keeps running other tasks meanwhile. `callable` is a
 * self-contained function (sent by its source text) or `{ module, name }`. Arguments and
 * results are copied with the structured clone algorithm.
 *
 * On timeout (`TaskTimeout`) or cancellation the task stops waiting at once and the worker
 * running the call is terminated and replaced.
 * @example
 * ```ts run
 * import { run } from '@curio/kernel';
 * import { runCpuBound } from '@curio/executors';
 *
 * function* countPrimes() {
 *   // The function runs in a worker thread: everything it uses is defined inside it.
 *   return yield* runCpuBound(
 *     (limit: number) => {
 *       const isPrime = (n: number) => {
 *         for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
 *         return true;
 *       };
 *       let count = 0;
 *       for (let i = 2; i < limit; i++) if (isPrime(i)) count++;
 *       return count;
 *     },
 *     [100_000],
 *     { timeout: 5000 },
 *   );
 * }
 *
 * console.log(await run(countPrimes())); // 9592
 * ```
 */
export function runCpuBound<A extends unknown[], R>(
  callable: (...args: A) => R,
  args?: A,
  options?: TimeoutOptions,
): Coro<Awaited<R>>;
export function runCpuBound<R = unknown>(
  callable: ModuleFunction,
  args?: unknown[],
  options?: TimeoutOptions,
): Coro<R>;
export function runCpuBound(
  callable: ((...args: unknown[]) => unknown) | ModuleFunction,
  args: unknown[] = [],
  options?: TimeoutOptions,
): Coro<unknown> {
  return dispatch('runCpuBound', cpu(), callable, args, options);
}

/**
 * Run `callable(...args)` on the blocking executor (a larger pool of worker threads, for
 * work that waits: synchronous file or process calls, `Atomics.wait`, native calls) and
 * return its result. Same callables, timeout and cancellation as {@link runCpuBound}.
 * @example
 * ```ts run
 * import { run } from '@curio/kernel';
 * import { runBlocking } from '@curio/executors';
 *
 * function* readText(path: string) {
 *   return yield* runBlocking(
 *     async (file: string) => {
 *       const { readFileSync } = await import('node:fs');
 *       return readFileSync(file, 'utf8');
 *     },
 *     [path],
 *   );
 * }
 *
 * console.log((await run(readText('package.json'))).length > 0); // true
 * ```
 */
export function runBlocking<A extends unknown[], R>(
  callable: (...args: A) => R,
  args?: A,
  options?: TimeoutOptions,
): Coro<Awaited<R>>;
export function runBlocking<R = unknown>(
  callable: ModuleFunction,
  args?: unknown[],
  options?: TimeoutOptions,
): Coro<R>;
export function runBlocking(
  callable: ((...args: unknown[]) => unknown) | ModuleFunction,
  args: unknown[] = [],
  options?: TimeoutOptions,
): Coro<unknown> {
  return dispatch('runBlocking', blocking(), callable, args, options);
}

/**
 * Run `callable(...args)` on `executor` (any {@link Executor}) and return its result.
 * `TaskTimeout` after `timeout` ms; on timeout or cancellation the executor's `signal` is
 * aborted.
 * @example
 * ```ts run
 * import { run } from '@curio/kernel';
 * import { runInExecutor, WorkerExecutor } from '@curio/executors';
 *
 * const pool = new WorkerExecutor({ maxThreads: 1 });
 * const sum = await run(runInExecutor(pool, (a: number, b: number) => a + b, [1, 2]));
 * console.log(sum); // 3
 * await pool.close();
 * ```
 */
export function runInExecutor<A extends unknown[], R>(
  executor: Executor,
  callable: (...args: A) => R,
  args?: A,
  options?: TimeoutOptions,
): Coro<Awaited<R>>;
export function runInExecutor<R = unknown>(
  executor: Executor,
  callable: ModuleFunction,
  args?: unknown[],
  options?: TimeoutOptions,
): Coro<R>;
export function runInExecutor(
  executor: Executor,
  callable: ((...args: unknown[]) => unknown) | ModuleFunction,
  args: unknown[] = [],
  options?: TimeoutOptions,
): Coro<unknown> {
  checkExecutor('runInExecutor', executor);
  return dispatch('runInExecutor', executor, callable, args, options);
}

function replace(current: Executor | null, next: Executor | null): Executor | null {
  if (current !== null && ownPools.delete(current)) void current.close?.();
  return next;
}

/**
 * Use `executor` for {@link runCpuBound} from now on (`null` restores the default pool).
 * A default pool being replaced is closed.
 * @example
 * import { setCpuExecutor, WorkerExecutor } from '@curio/executors';
 *
 * setCpuExecutor(new WorkerExecutor({ maxThreads: 2 })); // runCpuBound uses two threads at most
 */
export function setCpuExecutor(executor: Executor | null): void {
  if (executor !== null) checkExecutor('setCpuExecutor', executor);
  cpuExecutor = replace(cpuExecutor, executor);
}

/**
 * Use `executor` for {@link runBlocking} from now on (`null` restores the default pool).
 * A default pool being replaced is closed.
 * @example
 * import { setBlockingExecutor, WorkerExecutor } from '@curio/executors';
 *
 * setBlockingExecutor(new WorkerExecutor({ maxThreads: 64 }));
 */
export function setBlockingExecutor(executor: Executor | null): void {
  if (executor !== null) checkExecutor('setBlockingExecutor', executor);
  blockingExecutor = replace(blockingExecutor, executor);
}

/**
 * Close the CPU-bound and blocking executors (the defaults and any set with
 * `setCpuExecutor` / `setBlockingExecutor` that has `close`) and go back to the defaults,
 * which start again on their next use. Call it in a test's `afterAll` or when an
 * application shuts down, so no worker thread outlives it.
 * @example
 * import { afterAll } from 'vitest';
 * import { shutdownExecutors } from '@curio/executors';
 *
 * afterAll(() => shutdownExecutors()); // no worker thread outlives the tests
 */
export async function shutdownExecutors(): Promise<void> {
  const executors = [cpuExecutor, blockingExecutor];
  cpuExecutor = null;
  blockingExecutor = null;
  ownPools.clear();
  await Promise.all(executors.map((executor) => executor?.close?.()));
}
