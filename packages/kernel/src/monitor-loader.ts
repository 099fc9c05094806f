// Loading @curio/monitor for `new Kernel({ withMonitor: true })`. Policy kept out of the
// scheduler: the kernel only asks for a factory.

import { CurioError } from './errors.js';
import { host } from './host.js';
import type { Kernel } from './kernel.js';
import type { Coro } from './trap.js';

/** A monitor: a coroutine the kernel runs as a daemon task to let a person inspect it. */
export type MonitorFactory = (kernel: Kernel) => Coro<void>;

const MONITOR_PACKAGE = '@curio/monitor';

type HostProcess = {
  argv: string[];
  getBuiltinModule?(id: 'module'): {
    createRequire(path: string): { (id: string): { module: string }; resolve(id: string): string };
  };
};

// `@curio/monitor` as seen from the kernel itself (npm's flat node_modules, bundlers); else as
// seen from the program's entry script (a pnpm install links it beside the application, not
// beside the kernel), taking its ES module build. Never from the working directory: a program
// finds its monitor whatever directory it was started from.
async function importMonitor(): Promise<{ monitor?: unknown }> {
  try {
    return await import(/* @vite-ignore */ MONITOR_PACKAGE);
  } catch (first) {
    const proc = host.process as HostProcess | undefined;
    const require = proc?.getBuiltinModule?.('module').createRequire(proc.argv[1]!);
    if (require === undefined) throw first;
    const manifest = require.resolve(`${MONITOR_PACKAGE}/package.json`);
    return await import(
      /* @vite-ignore */ new URL(require(manifest).module, `file://${manifest}`).href
    );
  }
}

/** @internal The monitor factory for `withMonitor`: the one given, or `@curio/monitor`'s. */
export async function loadMonitor(option: true | MonitorFactory): Promise<MonitorFactory> {
  if (typeof option === 'function') return option;
  try {
    const { monitor } = await importMonitor();
    if (typeof monitor === 'function') return monitor as MonitorFactory;
    throw new TypeError('no monitor() export');
  } catch (cause) {
    throw new CurioError(
      `withMonitor: true needs the ${MONITOR_PACKAGE} package (npm install ${MONITOR_PACKAGE}), or pass its monitor factory`,
      { cause },
    );
  }
}
