// curio-monitor [PID | PATH | HOST PORT]: connect to a running program's monitor console.
import { monitorClient } from './client.js';
import { describeAddress, findMonitors } from './endpoint.js';
import { PORT_ENV } from './options.js';

const USAGE = `usage: curio-monitor [PID | PATH | HOST PORT | --list]

Connect to the console of a curio program started with new Kernel({ withMonitor: true }) by
this same user (other users' consoles are neither found nor let in).
  curio-monitor            the only monitor running as this user (if several, lists them)
  curio-monitor PID        the monitor of process PID
  curio-monitor PATH       the console socket (or Windows named pipe) at PATH
  curio-monitor HOST PORT  a TCP console (createMonitor({ port }) or $${PORT_ENV}); its
                           token is read from the program's private directory
  curio-monitor --list     list the monitors running as this user
Commands there: ps, where ID, cancel ID, help, exit.
`;

function fail(message: string): never {
  process.stderr.write(`curio-monitor: ${message}\n`);
  process.exit(1);
}

function list(): void {
  const found = findMonitors();
  if (found.length === 0) {
    process.stdout.write('no curio monitor runs as this user\n');
    return;
  }
  for (const m of found) {
    process.stdout.write(
      `${String(m.pid).padEnd(8)}${m.transport.padEnd(6)}${describeAddress(m)}\n`,
    );
  }
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(USAGE);
    return;
  }
  if (argv.length === 1 && (argv[0] === '--list' || argv[0] === '-l')) {
    list();
    return;
  }
  if (argv.length > 2) fail(`too many arguments\n${USAGE}`);
  const [first, second] = argv;
  try {
    if (first === undefined) await monitorClient();
    else if (second !== undefined) {
      if (!/^\d+$/.test(second)) {
        throw new TypeError(
          `port must be an integer from 0 to 65535, got ${JSON.stringify(second)}`,
        );
      }
      await monitorClient(first, Number(second));
    } else if (/^\d+$/.test(first)) await monitorClient(Number(first));
    else if (/[\\/]/.test(first)) await monitorClient(first);
    else
      fail(
        `${JSON.stringify(first)} is neither a process id nor a socket path (a TCP console needs HOST PORT)\n${USAGE}`,
      );
  } catch (err) {
    fail(err instanceof Error ? err.message.replace(/^monitorClient\(\w+\): /, '') : String(err));
  }
}

await main(process.argv.slice(2));
