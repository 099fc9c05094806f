/**
 * curio for TypeScript: the whole library under one import.
 *
 * The kernel, synchronization, queues, signals, high-level networking, executors and the
 * monitor are re-exported by name, as Python's `curio` package offers them. The I/O layer and
 * the standard-library wrappers keep their own namespace, as in Python (`curio.io`,
 * `curio.socket`, `curio.ssl`, `curio.subprocess`): their names would clash otherwise
 * (`subprocess.run` and the kernel's `run`, the socket constants that `io` and `socket` share).
 *
 * Bundlers keep only what you use: every package is free of side effects.
 *
 * @example
 * import { Queue, newTask, run, subprocess } from 'curio';
 *
 * function* main() {
 *   const queue = new Queue<string>();
 *   const worker = yield* newTask(function* () {
 *     const result = yield* subprocess.run(['echo', 'hello'], { stdout: subprocess.PIPE });
 *     yield* queue.put(result.stdout.toString().trim());
 *   }());
 *   console.log(yield* queue.get()); // 'hello'
 *   yield* worker.join();
 * }
 *
 * await run(main());
 * @packageDocumentation
 */

export * from '@curio/executors';
/** `@curio/io`: the `Socket` and `Stream` wrappers (Python's `curio.io`). */
export * as io from '@curio/io';
export * from '@curio/kernel';
export * from '@curio/monitor';
export * from '@curio/net';
export * from '@curio/queue';
export * from '@curio/signal';
/** `@curio/socket`: `socket()`, `socketpair()`, DNS, constants (Python's `curio.socket`). */
export * as socket from '@curio/socket';
/** `@curio/ssl`: TLS contexts and wrappers (Python's `curio.ssl`). */
export * as ssl from '@curio/ssl';
/** `@curio/subprocess`: `Popen`, `run`, `checkOutput` (Python's `curio.subprocess`). */
export * as subprocess from '@curio/subprocess';
export * from '@curio/sync';
