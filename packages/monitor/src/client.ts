// The client side: find a monitor of this user, connect (sending the token where one is
// needed) and give a line-editing prompt.
import { connect, type NetConnectOpts } from 'node:net';
import { createInterface } from 'node:readline';
import { PROMPT } from './console.js';
import {
  baseDirs,
  describeAddress,
  findMonitors,
  type MonitorAddress,
  REFUSED_START,
  readToken,
} from './endpoint.js';
import { checkPort, describe, portFromEnv } from './options.js';

/** Options of {@link monitorClient}. */
export interface MonitorClientOptions {
  /** Where commands are typed. Default `process.stdin`. */
  input?: NodeJS.ReadableStream;
  /** Where the monitor's replies are shown. Default `process.stdout`. */
  output?: NodeJS.WritableStream;
  /**
   * The token of a TCP console. Default: read from the private directory of this user's
   * monitor that serves that port.
   */
  token?: string;
}

// Where to connect, how to name it in messages, and the token to send first (if any).
interface Target {
  connect: NetConnectOpts;
  label: string;
  token: string | undefined;
}

function looked(): string {
  return `looked in ${baseDirs().join(' and ')}`;
}

/** The monitors of `list` as lines: process id, transport, where. */
function listing(list: MonitorAddress[]): string {
  return list
    .map((m) => `  ${String(m.pid).padEnd(8)}${m.transport.padEnd(6)}${describeAddress(m)}`)
    .join('\n');
}

function targetOf(address: MonitorAddress): Target {
  const label = describeAddress(address);
  const token = address.transport === 'unix' ? undefined : readToken(address.dir);
  const { path, host, port = 0 } = address;
  return { connect: path !== undefined ? { path } : { host, port }, label, token };
}

// The one monitor of this user (of process `pid` when given), or an error that lists them.
function onlyMonitor(pid: number | undefined): Target {
  const list = findMonitors(pid);
  if (list.length === 1) return targetOf(list[0]);
  const whose = pid === undefined ? 'as this user' : `in process ${pid} as this user`;
  if (list.length === 0) {
    throw new Error(
      `no curio monitor runs ${whose} (${looked()}): is the program running with new Kernel({ withMonitor: true }), as this user?`,
    );
  }
  const which = pid === undefined ? 'give its process id' : 'give its socket path';
  throw new Error(`${list.length} curio monitors run ${whose}; ${which}:\n${listing(list)}`);
}

function tcpTarget(host: string, port: number, token: string | undefined): Target {
  const label = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (token !== undefined) return { connect: { host, port }, label, token };
  const served = findMonitors().filter((m) => m.transport === 'tcp' && m.port === port);
  const mine = served.find((m) => m.host === host) ?? served[0];
  const found = mine === undefined ? undefined : readToken(mine.dir);
  if (found === undefined) {
    throw new Error(
      `no token for the curio monitor at ${label}: no monitor running as this user serves that port (${looked()}); its console lets in only the user who runs the program`,
    );
  }
  return { connect: { host, port }, label, token: found };
}

function pathTarget(path: string): Target {
  const pipe = findMonitors().find((m) => m.transport === 'pipe' && m.path === path);
  return {
    connect: { path },
    label: path,
    token: pipe === undefined ? undefined : readToken(pipe.dir),
  };
}

/**
 * Connect to a monitor's console and relay it to a prompt with line editing and history
 * (node:readline) until the monitor closes the connection (`exit`) or the input ends (Ctrl-D,
 * or Ctrl-C at the prompt). What to connect to:
 * - nothing (or `undefined`): the only monitor running as this user (an error lists them
 *   when there are several);
 * - a process id: that process's monitor;
 * - a path: the Unix socket (or Windows named pipe) there;
 * - a host and a port: a TCP console; its token is read from the private directory of the
 *   monitor that serves it, or given as `options.token`.
 *
 * Only monitors of this user are found; another user's console refuses the connection.
 * Rejects with a clear error when it cannot connect or is refused. This is what the
 * `curio-monitor` command runs; it is a plain async function (no kernel).
 * @example
 * import { monitorClient } from '@curio/monitor';
 * await monitorClient(); // the only monitor of this user, like `curio-monitor`
 * await monitorClient(12345); // the monitor of process 12345, like `curio-monitor 12345`
 * await monitorClient('127.0.0.1', 48802); // a TCP console, like `curio-monitor 127.0.0.1 48802`
 */
export function monitorClient(pid?: number, options?: MonitorClientOptions): Promise<void>;
export function monitorClient(
  hostOrPath: string,
  port?: number,
  options?: MonitorClientOptions,
): Promise<void>;
export function monitorClient(
  where?: number | string,
  portOrOptions?: number | MonitorClientOptions,
  maybeOptions?: MonitorClientOptions,
): Promise<void> {
  const options =
    typeof where === 'string' ? maybeOptions : (portOrOptions as MonitorClientOptions);
  const token = options?.token;
  if (token !== undefined && (typeof token !== 'string' || token.length === 0)) {
    throw new TypeError(
      `monitorClient(options): options.token must be a non-empty string, got ${describe(token)}`,
    );
  }
  let target: Target;
  if (typeof where === 'string') {
    if (where.length === 0) {
      throw new TypeError(
        `monitorClient(host): host must be a non-empty string, got ${describe(where)}`,
      );
    }
    const port = portOrOptions as number | undefined;
    if (/[\\/]/.test(where)) target = pathTarget(where);
    else {
      const checked =
        port === undefined ? portFromEnv() : checkPort('monitorClient(port): port', port);
      target = tcpTarget(where, checked, token);
    }
  } else {
    if (where !== undefined && (!Number.isInteger(where) || where <= 0)) {
      throw new TypeError(
        `monitorClient(pid): pid must be a positive integer (a process id), got ${describe(where)}`,
      );
    }
    target = onlyMonitor(where);
  }
  return relay(target, options?.input ?? process.stdin, options?.output ?? process.stdout);
}

function relay(
  target: Target,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<void> {
  const { label, token } = target;
  return new Promise<void>((resolve, reject) => {
    const sock = connect(target.connect);
    sock.setEncoding('utf8');
    let rl: ReturnType<typeof createInterface> | null = null;
    let pending = '';
    // With a token, the first reply may be the refusal: held until it can be told apart.
    let decided = token === undefined;
    let refused = false;
    sock.once('connect', () => {
      if (token !== undefined) sock.write(`${token}\n`);
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
      if (!decided) {
        if (pending.startsWith(REFUSED_START)) refused = true;
        if (refused || REFUSED_START.startsWith(pending)) return;
        decided = true;
      }
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
      if (rl !== null) {
        reject(new Error(`lost the connection to ${label} (${code})`, { cause: err }));
      } else if (code === 'EACCES' || code === 'EPERM') {
        reject(
          new Error(
            `cannot connect to the curio monitor at ${label} (${code}): its console lets in only the user who runs the program`,
            { cause: err },
          ),
        );
      } else {
        reject(
          new Error(
            `cannot connect to the curio monitor at ${label} (${code}): is a program running with new Kernel({ withMonitor: true })?`,
            { cause: err },
          ),
        );
      }
    });
    sock.once('close', (hadError) => {
      rl?.close();
      if (refused) {
        reject(
          new Error(`the curio monitor at ${label} refused the connection: wrong or missing token`),
        );
        return;
      }
      if (pending.length > 0) output.write(pending);
      pending = '';
      if (!hadError) resolve();
    });
  });
}
