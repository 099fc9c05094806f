import type { MonitorFactory } from './monitor-loader.js';
import type { Selector } from './selector.js';
import { checkOptions, describe } from './validate.js';

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
}

/** Options of `Kernel.run` and `run`. */
export interface RunOptions {
  /** Break into an attached debugger (a `debugger` statement) when a task crashes. */
  pdb?: boolean;
  /** Log tasks that crash with an uncaught error, with their name and stack. Default true. */
  logErrors?: boolean;
}

/** @internal Check `new Kernel(options)`; returns the options. */
export function checkKernelOptions(options: KernelOptions | undefined): KernelOptions | undefined {
  checkOptions('new Kernel(options)', options);
  const selector = options?.selector;
  if (
    selector !== undefined &&
    (typeof selector?.now !== 'function' || typeof selector.wait !== 'function')
  ) {
    throw new TypeError(
      `new Kernel(options): options.selector must implement Selector (now, wait, cancelWait), got ${describe(selector)}`,
    );
  }
  return options;
}
