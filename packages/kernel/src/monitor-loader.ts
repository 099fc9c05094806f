// Loading @curio/monitor for `new Kernel({ withMonitor: true })`. Policy kept out of the
// scheduler: the kernel only asks for a factory.

import { CurioError } from './errors.js';
import { host } from './host.js';
import type { Kernel } from './kernel.js';
import type { Coro } from './trap.js';

/** A monitor: a coroutine the kernel runs as a daemon task to let a person inspect it. */
export type MonitorFactory = (kernel: Kernel) => Coro<void>;

const MONITOR_PACKAGE = '@curio/monitor';

type ModuleApi = {
  createRequire(path: string): { (id: string): unknown; resolve(id: string): string };
};
type HostProcess = { argv?: string[]; getBuiltinModule?(id: string): unknown };

// The URL of the monitor's ES module as the program's entry script resolves it (a pnpm
// install links it beside the application, not beside the kernel). Never the working
// directory: a program must find its monitor whatever directory it was started from.
function fromEntryScript(): string | undefined {
  const proc = host.process as HostProcess | undefined;
  const entry = proc?.argv?.[1];
  const moduleApi = proc?.getBuiltinModule?.('module') as ModuleApi | undefined;
  if (moduleApi === undefined || typeof entry !== 'string' || entry === '') return undefined;
  try {
    const require = moduleApi.createRequire(entry);
    // require.resolve would pick the CommonJS build: take the package's ES module entry.
    const manifest = require.resolve(`${MONITOR_PACKAGE}/package.json`);
    const { module } = require(manifest) as { module?: string };
    return new URL(module ?? './dist/index.js', `file://${manifest}`).href;
  } catch {
    return undefined;
  }
}

async function importMonitor(): Promise<{ monitor?: unknown }> {
  const specifier = MONITOR_PACKAGE;
  try {
    // As seen from the kernel itself (npm's flat node_modules, bundlers).
    return await import(/* @vite-ignore */ specifier);
  } catch (first) {
    const resolved = fromEntryScript();
    if (resolved === undefined) throw first;
    return await import(/* @vite-ignore */ resolved);
  }
}

/** @internal The monitor factory for `withMonitor`: the one given, or `@curio/monitor`'s. */
export async function loadMonitor(option: true | MonitorFactory): Promise<MonitorFactory> {
  if (typeof option === 'function') return option;
  try {
    const factory = (await importMonitor()).monitor;
    if (typeof factory !== 'function') throw new TypeError('it exports no "monitor" function');
    return factory as MonitorFactory;
  } catch (cause) {
    throw new CurioError(
      `Kernel({ withMonitor: true }) needs the ${MONITOR_PACKAGE} package (npm install ${MONITOR_PACKAGE}), or pass its factory: new Kernel({ withMonitor: monitor })`,
      { cause },
    );
  }
}
