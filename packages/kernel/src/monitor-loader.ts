// Loading @curio/monitor for `new Kernel({ withMonitor: true })`. Policy kept out of the
// scheduler: the kernel only asks for a factory.

import { CurioError } from './errors.js';
import { msg } from './explain.js';
import type { Kernel } from './kernel.js';
import { K23 } from './messages.js';
import type { Coro } from './trap.js';

/** A monitor: a coroutine the kernel runs as a daemon task to let a person inspect it. */
export type MonitorFactory = (kernel: Kernel) => Coro<void>;

const MONITOR_PACKAGE = '@curio/monitor';

/**
 * @internal The monitor factory for `withMonitor`: the one given, or `@curio/monitor`'s as
 * the kernel itself resolves it (from its own folder, never from the working directory).
 * Where the kernel cannot see the package (pnpm's strict layout), the program passes it in.
 */
export async function loadMonitor(option: true | MonitorFactory): Promise<MonitorFactory> {
  if (typeof option === 'function') return option;
  try {
    const { monitor } = await import(/* @vite-ignore */ MONITOR_PACKAGE);
    if (typeof monitor === 'function') return monitor as MonitorFactory;
    throw new TypeError('no monitor() export');
  } catch (cause) {
    throw new CurioError(msg(K23, MONITOR_PACKAGE), { cause });
  }
}
