// curio-monitor [host] [port]: connect to a running program's monitor console.
import { monitorClient } from './client.js';
import { MONITOR_HOST, PORT_ENV, portFromEnv } from './options.js';

const USAGE = `usage: curio-monitor [host] [port]

Connect to the console of a curio program started with new Kernel({ withMonitor: true }).
host defaults to ${MONITOR_HOST}; port to $${PORT_ENV}, else 48802. A single number is a port.
Commands there: ps, where ID, cancel ID, help, exit.
`;

function fail(message: string): never {
  process.stderr.write(`curio-monitor: ${message}\n`);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(USAGE);
    return;
  }
  if (argv.length > 2) fail(`too many arguments\n${USAGE}`);
  // A single number is a port: curio-monitor 9000.
  const [host, portText] =
    argv.length === 1 && /^\d+$/.test(argv[0]) ? [MONITOR_HOST, argv[0]] : argv;
  try {
    let port: number;
    if (portText === undefined) port = portFromEnv();
    else if (/^\d+$/.test(portText)) port = Number(portText);
    else
      throw new TypeError(
        `port must be an integer from 0 to 65535, got ${JSON.stringify(portText)}`,
      );
    await monitorClient(host ?? MONITOR_HOST, port);
  } catch (err) {
    fail(err instanceof Error ? err.message.replace(/^monitorClient\(\w+\): /, '') : String(err));
  }
}

await main(process.argv.slice(2));
