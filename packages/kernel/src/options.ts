import type { Activation } from './activations.js';
import { K10, K11, K12, K13 } from './messages.js';
import type { MonitorFactory } from './monitor-loader.js';
import type { Selector } from './selector.js';
import { checkArg, checkOptions } from './validate.js';

/** Options of `new Kernel()`. */
export interface KernelOptions {
  /** Source of time and timer wake-ups. Default: {@link HostSelector}. */
  selector?: Selector;
  /**
   * Run the monitor in the background: `true` loads the `@curio/monitor` package as seen
   * from the kernel, then from the program's entry script, never from the working directory
   * (a clear error names it when it is not installed); or pass a monitor factory yourself.
   */
  withMonitor?: boolean | MonitorFactory;
  /**
   * Activations to install (curio's `debug=`): objects the kernel tells about each task's life
   * (see {@link Activation}). Each is installed when the kernel is made.
   */
  activations?: readonly Activation[];
  /**
   * Debug mode: each task records where it was spawned ({@link Task.spawnSite}) and where it
   * waits ({@link Task.where}), unnamed tasks are named after their generator function, and a
   * kernel call made but never run (a forgotten `yield*`) is reported. Costs a stack capture per
   * kernel call. Default: on when the environment has `CURIO_DEBUG=1`, else off.
   */
  debug?: boolean;
}

/** Options of `Kernel.run` and `run`. */
export interface RunOptions {
  /** Break into an attached debugger (a `debugger` statement) when a task crashes. */
  pdb?: boolean;
  /** Log tasks that crash with an uncaught error, with their name and stack. Default true. */
  logErrors?: boolean;
}

/** @internal Check the options of `new Kernel(options)` (or of `run`, named by `fn`). */
export function checkKernelOptions(
  options: KernelOptions | undefined,
  fn = 'new Kernel(options)',
): KernelOptions | undefined {
  checkOptions(fn, options);
  const { activations, debug, selector } = options ?? {};
  if (activations !== undefined) {
    checkArg(Array.isArray(activations), activations, K10, fn);
    activations.forEach((activation, i) => {
      checkArg(activation !== null && typeof activation === 'object', activation, K11, fn, i);
    });
  }
  checkArg(debug === undefined || typeof debug === 'boolean', debug, K12, fn);
  checkArg(
    selector === undefined ||
      (typeof selector?.now === 'function' && typeof selector.wait === 'function'),
    selector,
    K13,
    fn,
  );
  return options;
}
