import { refuseNestedRun } from './current.js';
import { Kernel } from './kernel.js';
import { checkKernelOptions, type KernelOptions, type RunOptions } from './options.js';
import type { Coro } from './trap.js';

/**
 * Make a kernel, run `coro` to completion, and shut the kernel down (cancelling any
 * daemon tasks left). Resolves with `coro`'s result or rejects with its error. Called from
 * inside a running task, it raises `CurioError` at once: kernels do not nest.
 * @example
 * ```ts run
 * import { run, sleep } from '@curio/kernel';
 *
 * function* main() {
 *   yield* sleep(100);
 *   return 'done';
 * }
 *
 * console.log(await run(main())); // done
 * ```
 */
export function run<T>(coro: Coro<T>, options?: RunOptions & KernelOptions): Promise<T> {
  refuseNestedRun('run');
  return runToEnd(coro, options);
}

async function runToEnd<T>(coro: Coro<T>, options?: RunOptions & KernelOptions): Promise<T> {
  checkKernelOptions(options, 'run(coro, options)');
  const kernel = new Kernel({
    selector: options?.selector,
    withMonitor: options?.withMonitor,
    activations: options?.activations,
    debug: options?.debug,
  });
  try {
    return await kernel.run(coro, options);
  } finally {
    await kernel.shutdown();
  }
}
