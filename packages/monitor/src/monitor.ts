// The monitor task: turns on the kernel's monitoring, serves the consoles, cleans up.
import { isatty } from 'node:tty';
import type { Socket } from '@curio/io';
import {
  type Coro,
  currentTask,
  type Kernel,
  type MonitorFactory,
  newTask,
  type Task,
} from '@curio/kernel';
import { Commands } from './commands.js';
import type { MonitorContext } from './context.js';
import {
  type MonitorOptions,
  portFromEnv,
  type ResolvedOptions,
  resolveOptions,
} from './options.js';
import { openServer, serve } from './server.js';
import { isTTY, watchCtrlC } from './terminal.js';

/**
 * Make a monitor with your own settings, for `new Kernel({ withMonitor: createMonitor(...) })`.
 * Options are checked here, so a mistake (a non-loopback host, a bad port) throws before the
 * kernel runs.
 * @example
 * const kernel = new Kernel({ withMonitor: createMonitor({ port: 9000, interactive: false }) });
 * await kernel.run(main());
 * await kernel.shutdown(); // ends the monitor and closes its port
 */
export function createMonitor(options?: MonitorOptions): MonitorFactory {
  const resolved = resolveOptions(options);
  return (kernel: Kernel) => runMonitor(kernel, resolved);
}

/**
 * The monitor with default settings: what `new Kernel({ withMonitor: true })` loads. Console
 * on `127.0.0.1:48802` (or `CURIOMONITOR_PORT`), and Ctrl-C opens it in an interactive
 * terminal.
 * @example
 * import { Kernel } from '@curio/kernel';
 * const kernel = new Kernel({ withMonitor: true }); // loads this export
 * // or, explicitly: new Kernel({ withMonitor: monitor })
 */
export const monitor: MonitorFactory = (kernel: Kernel) =>
  runMonitor(kernel, resolveOptions(undefined));

// Both ends of the console are terminals (checked without creating process.stdin).
function isInteractive(options: ResolvedOptions): boolean {
  const input = options.input === undefined ? isatty(0) : isTTY(options.input);
  const output = options.output === undefined ? isatty(1) : isTTY(options.output);
  return input && output;
}

function* runMonitor(kernel: Kernel, options: ResolvedOptions): Coro<void> {
  const errorOutput = options.errorOutput ?? process.stderr;
  const me = yield* currentTask();
  const own = new Set<Task>([me]);
  const ctx: MonitorContext = {
    kernel,
    commands: new Commands(kernel, (task) => own.has(task)),
    own,
    onListening: options.onListening,
    report(message) {
      try {
        errorOutput.write(`curio monitor: ${message}\n`);
      } catch {
        // Nowhere to report: the monitor stays quiet rather than harm the program.
      }
    },
  };
  kernel.setMonitoring(true);
  let server: Socket | null = null;
  try {
    let port = options.port;
    if (port === undefined) {
      try {
        port = portFromEnv();
      } catch (err) {
        ctx.report(`${err instanceof Error ? err.message : String(err)}; the TCP console is off`);
        port = null;
      }
    }
    if (port !== null) server = yield* openServer(ctx, options.host, port);
    let watcher: Task | null = null;
    if (options.interactive ?? isInteractive(options)) {
      const input = options.input ?? process.stdin;
      const output = options.output ?? process.stdout;
      watcher = yield* newTask(watchCtrlC(ctx, input, output), {
        daemon: true,
        name: 'monitor-sigint',
      });
      own.add(watcher);
    }
    if (server !== null) yield* serve(ctx, server);
    if (watcher !== null) yield* watcher.join();
  } finally {
    try {
      // Newest first: console sessions, then the Ctrl-C watcher.
      for (const task of [...own].reverse()) {
        if (task === me) continue;
        try {
          yield* task.cancel();
        } catch {
          // Cancelled again while cleaning up: go on with the rest.
        }
      }
      if (server !== null) yield* server.close();
    } finally {
      kernel.setMonitoring(false);
    }
  }
}
