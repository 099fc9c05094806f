/**
 * The whole of curio for TypeScript under one import. Bundlers keep only what you use: every
 * package is free of side effects, so `import { Queue, run, sleep } from 'curio'` bundles to
 * the same code as importing those names from `@curio/queue` and `@curio/kernel`.
 *
 * @packageDocumentation
 *
 * ## What it exports
 *
 * Re-exported by name, as Python's `curio` package offers them:
 *
 * - everything of {@link @curio/kernel! @curio/kernel}: {@link @curio/kernel!run run}, {@link @curio/kernel!Kernel Kernel},
 *   {@link @curio/kernel!newTask newTask}, {@link @curio/kernel!Task Task}, {@link @curio/kernel!sleep sleep},
 *   {@link @curio/kernel!timeoutAfter timeoutAfter}, {@link @curio/kernel!ignoreAfter ignoreAfter},
 *   {@link @curio/kernel!TaskGroup TaskGroup}, {@link @curio/kernel!race race},
 *   {@link @curio/kernel!gather gather}, {@link @curio/kernel!asyncWith asyncWith},
 *   {@link @curio/kernel!asyncFor asyncFor}, {@link @curio/kernel!futureWait futureWait},
 *   {@link @curio/kernel!TaskLocal TaskLocal}, {@link @curio/kernel!CancelledError CancelledError},
 *   {@link @curio/kernel!TaskError TaskError}, {@link @curio/kernel!TaskTimeout TaskTimeout},
 *   {@link @curio/kernel!CurioError CurioError}, {@link @curio/kernel!VirtualTimeSelector VirtualTimeSelector}, the
 *   low-level traps;
 * - everything of {@link @curio/sync! @curio/sync}: {@link @curio/sync!Event Event}, {@link @curio/sync!Lock Lock},
 *   {@link @curio/sync!Semaphore Semaphore}, {@link @curio/sync!BoundedSemaphore BoundedSemaphore},
 *   {@link @curio/sync!Condition Condition}, {@link @curio/sync!UniversalEvent UniversalEvent};
 * - everything of {@link @curio/queue! @curio/queue}: {@link @curio/queue!Queue Queue},
 *   {@link @curio/queue!PriorityQueue PriorityQueue}, {@link @curio/queue!LifoQueue LifoQueue},
 *   {@link @curio/queue!UniversalQueue UniversalQueue};
 * - everything of {@link @curio/signal! @curio/signal}: {@link @curio/signal!SignalSet SignalSet};
 * - everything of {@link @curio/net! @curio/net}: {@link @curio/net!openConnection openConnection},
 *   {@link @curio/net!openUnixConnection openUnixConnection}, {@link @curio/net!createServer createServer},
 *   {@link @curio/net!createUnixServer createUnixServer}, {@link @curio/net!runServer runServer},
 *   {@link @curio/net!runUnixServer runUnixServer}, {@link @curio/net!Server Server};
 * - everything of {@link @curio/executors! @curio/executors}: {@link @curio/executors!runCpuBound runCpuBound},
 *   {@link @curio/executors!runBlocking runBlocking}, {@link @curio/executors!runInExecutor runInExecutor},
 *   {@link @curio/executors!setCpuExecutor setCpuExecutor}, {@link @curio/executors!setBlockingExecutor setBlockingExecutor},
 *   {@link @curio/executors!WorkerExecutor WorkerExecutor};
 * - everything of {@link @curio/monitor! @curio/monitor}: {@link @curio/monitor!monitor monitor},
 *   {@link @curio/monitor!createMonitor createMonitor}, {@link @curio/monitor!monitorClient monitorClient}.
 *
 * As namespaces, as in Python (`curio.io`, `curio.socket`, `curio.ssl`, `curio.subprocess`):
 *
 * - `io`: {@link @curio/io! @curio/io} (`io.Socket`, `io.Stream`);
 * - `socket`: {@link @curio/socket! @curio/socket} (`socket.socket()`, `socket.socketpair()`,
 *   `socket.getaddrinfo()`, `socket.AF_INET`, ...);
 * - `ssl`: {@link @curio/ssl! @curio/ssl} (`ssl.SSLContext`, `ssl.createDefaultContext()`, ...);
 * - `subprocess`: {@link @curio/subprocess! @curio/subprocess} (`subprocess.run()`, `subprocess.checkOutput()`,
 *   `subprocess.Popen`, `subprocess.PIPE`, ...).
 *
 * Their names would clash otherwise: `run` is the kernel's `run` (start a kernel) and the
 * subprocess helper is `subprocess.run`; `@curio/io` and `@curio/socket` share the socket
 * constants and the `Socket` class; option types with the same name in two packages
 * (`RunOptions`, `WrapOptions`) stay inside their namespace (the top-level `RunOptions` is the
 * kernel's).
 *
 * ```sh
 * npm install curio
 * ```
 *
 * @example
 * ```ts run
 * import { newTask, Queue, run, subprocess } from 'curio';
 *
 * function* main() {
 *   const queue = new Queue<string>();
 *   const worker = yield* newTask(
 *     (function* () {
 *       const out = yield* subprocess.checkOutput(['node', '-e', 'console.log("hello")']);
 *       yield* queue.put(out.toString().trim());
 *     })(),
 *   );
 *   console.log(yield* queue.get()); // hello
 *   yield* worker.join();
 * }
 *
 * await run(main());
 * ```
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
