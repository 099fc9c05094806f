// The monitor task: turns on the kernel's monitoring, serves the consoles, cleans up.
import { isatty } from 'node:tty';
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
  type ConsolePlan,
  type MonitorOptions,
  planConsole,
  type ResolvedOptions,
  resolveOptions,
} from './options.js';
import { openServer, type Served, serve } from './server.js';
import { isTTY, watchCtrlC } from './terminal.js';

/**
 * Make a monitor with your own settings, for `new Kernel({ withMonitor: createMonitor(...) })`.
 * Options are checked here, so a mistake (a non-loopback host, a bad port) throws before the
 * kernel runs.
 * @example
 * import { Kernel, sleep } from '@curio/kernel';
 * import { createMonitor } from '@curio/monitor';
 *
 * // A TCP console on port 9000 (its clients send the token first), no Ctrl-C console.
 * const kernel = new Kernel({ withMonitor: createMonitor({ port: 9000, interactive: false }) });
 * await kernel.run(sleep(60_000));
 * await kernel.shutdown(); // ends the monitor, closes its port and removes its token
 */
export function createMonitor(options?: MonitorOptions): MonitorFactory {
  const resolved = resolveOptions(options);
  return (kernel: Kernel) => runMonitor(kernel, resolved);
}

/**
 * The monitor with default settings: what `new Kernel({ withMonitor: true })` loads. Console
 * on a Unix socket that only this user can reach (a named pipe with a token on Windows; TCP
 * with a token when `CURIOMONITOR_PORT` is set), found by `curio-monitor PID`, and Ctrl-C
 * opens it in an interactive terminal.
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
  let served: Served | null = null;
  try {
    let plan: ConsolePlan;
    try {
      plan = planConsole(options);
    } catch (err) {
      ctx.report(`${err instanceof Error ? err.message : String(err)}; the TCP console is off`);
      plan = { transport: 'off' };
    }
    if (plan.transport !== 'off') served = yield* openServer(ctx, plan);
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
    if (served !== null) yield* serve(ctx, served);
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
      if (served !== null) yield* served.close();
    } finally {
      kernel.setMonitoring(false);
    }
  }
}
