// The client side: connect to a monitor's TCP console and give a line-editing prompt.
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { PROMPT } from './console.js';
import { checkPort, describe, MONITOR_HOST, portFromEnv } from './options.js';

/** Options of {@link monitorClient}. */
export interface MonitorClientOptions {
  /** Where commands are typed. Default `process.stdin`. */
  input?: NodeJS.ReadableStream;
  /** Where the monitor's replies are shown. Default `process.stdout`. */
  output?: NodeJS.WritableStream;
}

/**
 * Connect to the monitor console at `host:port` and relay it to a prompt with line editing
 * and history (node:readline) until the monitor closes the connection (`exit`) or the input
 * ends (Ctrl-D, or Ctrl-C at the prompt). Rejects with a clear error when it cannot connect.
 * This is what the `curio-monitor` command runs; it is a plain async function (no kernel).
 * @example
 * await monitorClient('127.0.0.1', 48802);
 */
export function monitorClient(
  host: string = MONITOR_HOST,
  port?: number,
  options?: MonitorClientOptions,
): Promise<void> {
  if (typeof host !== 'string' || host.length === 0) {
    throw new TypeError(
      `monitorClient(host): host must be a non-empty string, got ${describe(host)}`,
    );
  }
  const target = port === undefined ? portFromEnv() : checkPort('monitorClient(port): port', port);
  const input = options?.input ?? process.stdin;
  const output = options?.output ?? process.stdout;
  return new Promise<void>((resolve, reject) => {
    const sock = connect({ host, port: target });
    sock.setEncoding('utf8');
    let rl: ReturnType<typeof createInterface> | null = null;
    let pending = '';
    sock.once('connect', () => {
      const terminal =
        (input as { isTTY?: boolean }).isTTY === true &&
        (output as { isTTY?: boolean }).isTTY === true;
      rl = createInterface({ input, output, terminal, historySize: 100, prompt: PROMPT });
      rl.on('line', (line) => {
        if (!sock.destroyed && !sock.writableEnded) sock.write(`${line}\n`);
      });
      // End of input (Ctrl-D), or Ctrl-C at the prompt: leave; the monitor then closes.
      rl.on('SIGINT', () => rl?.close());
      rl.on('close', () => {
        if (!sock.destroyed && !sock.writableEnded) sock.end();
      });
    });
    sock.on('data', (chunk: string) => {
      pending += chunk;
      if (pending.endsWith(PROMPT)) {
        output.write(pending.slice(0, -PROMPT.length));
        pending = '';
        rl?.prompt();
      } else {
        const cut = pending.lastIndexOf('\n') + 1;
        if (cut > 0) {
          output.write(pending.slice(0, cut));
          pending = pending.slice(cut);
        }
      }
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      rl?.close();
      const code = err.code ?? err.message;
      if (rl === null) {
        reject(
          new Error(
            `cannot connect to the curio monitor at ${host}:${target} (${code}): is a program running with new Kernel({ withMonitor: true })?`,
            { cause: err },
          ),
        );
      } else {
        reject(new Error(`lost the connection to ${host}:${target} (${code})`, { cause: err }));
      }
    });
    sock.once('close', (hadError) => {
      if (pending.length > 0) output.write(pending);
      pending = '';
      rl?.close();
      if (!hadError) resolve();
    });
  });
}
