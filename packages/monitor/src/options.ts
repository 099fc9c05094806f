// The monitor's settings: where the console is served and whether Ctrl-C opens a console.
import { isIP } from 'node:net';
import type { MonitorAddress } from './endpoint.js';

/** The monitor's TCP port when TCP is asked for without a port, as in Python curio. */
export const MONITOR_PORT = 48802;
/** The monitor's TCP host when TCP is asked for without a host: loopback only. */
export const MONITOR_HOST = '127.0.0.1';
/** The environment variable that asks for a TCP console on that port. */
export const PORT_ENV = 'CURIOMONITOR_PORT';

/** How a console is reached: a Unix socket, a Windows named pipe, or TCP. */
export type Transport = 'unix' | 'pipe' | 'tcp';

/** Options of {@link createMonitor}. */
export interface MonitorOptions {
  /**
   * Serve the console on TCP at this loopback address instead of the private Unix socket:
   * `127.0.0.1` (the default when `port` asks for TCP), any `127.x.y.z`, `::1` or
   * `localhost`. Other interfaces are refused: the console can cancel tasks. A TCP client
   * must send the monitor's token first.
   */
  host?: string;
  /**
   * Serve the console on this TCP port (with a token) instead of the private Unix socket;
   * `0` picks a free port (see {@link MonitorOptions.onListening}). Without it, the
   * `CURIOMONITOR_PORT` environment variable asks for TCP the same way; a `host` alone asks
   * for port 48802. `null` serves no console (only Ctrl-C's, in the terminal).
   */
  port?: number | null;
  /**
   * Let Ctrl-C (SIGINT) open the console in this terminal. Default: true when both stdin and
   * stdout are terminals. When false, no SIGINT listener is installed and Ctrl-C keeps its
   * usual meaning.
   */
  interactive?: boolean;
  /**
   * Called with the console's address once it listens: the socket's `path`, or the TCP
   * `host` and `port` (useful with `port: 0`).
   */
  onListening?: (address: MonitorAddress) => void;
  /** The terminal console's input. Default `process.stdin`. */
  input?: NodeJS.ReadableStream;
  /** The terminal console's output. Default `process.stdout`. */
  output?: NodeJS.WritableStream;
  /** Where the monitor reports its own problems (port in use...). Default `process.stderr`. */
  errorOutput?: NodeJS.WritableStream;
}

/** The options after validation, as the monitor uses them. */
export interface ResolvedOptions {
  /** `undefined`: not given (TCP is not asked for by a host). */
  host: string | undefined;
  /** `undefined`: not given; the environment decides when the monitor starts. */
  port: number | null | undefined;
  interactive: boolean | undefined;
  onListening: ((address: MonitorAddress) => void) | undefined;
  input: NodeJS.ReadableStream | undefined;
  output: NodeJS.WritableStream | undefined;
  errorOutput: NodeJS.WritableStream | undefined;
}

/** A short, quoted rendering of a bad value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/** True for the addresses the console may listen on. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** `port` as a TCP port number, or a clear TypeError naming `what`. */
export function checkPort(what: string, port: unknown): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`${what} must be an integer from 0 to 65535, got ${describe(port)}`);
  }
  return port;
}

/** The port of `CURIOMONITOR_PORT`, the default when unset; a TypeError when malformed. */
export function portFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[PORT_ENV];
  if (text === undefined || text.trim() === '') return MONITOR_PORT;
  if (!/^\s*\d+\s*$/.test(text)) {
    throw new TypeError(`${PORT_ENV} must be an integer from 0 to 65535, got ${describe(text)}`);
  }
  return checkPort(PORT_ENV, Number(text));
}

function checkStream(key: string, value: unknown, method: 'on' | 'write'): void {
  if (value === undefined) return;
  if (value === null || typeof (value as Record<string, unknown>)[method] !== 'function') {
    throw new TypeError(
      `createMonitor(options): options.${key} must be a stream, got ${describe(value)}`,
    );
  }
}

/** Validate `createMonitor`'s options (every mistake is reported before the kernel runs). */
export function resolveOptions(options: MonitorOptions | undefined): ResolvedOptions {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(
      `createMonitor(options): options must be an object, got ${describe(options)}`,
    );
  }
  const host = options?.host;
  if (host !== undefined && (typeof host !== 'string' || !isLoopback(host))) {
    throw new TypeError(
      `createMonitor(options): options.host must be a loopback address (127.0.0.1, another 127.x.y.z, ::1 or localhost): the console can cancel tasks, so it never listens on other interfaces; got ${describe(host)}`,
    );
  }
  const port = options?.port;
  if (port !== undefined && port !== null) checkPort('createMonitor(options): options.port', port);
  const interactive = options?.interactive;
  if (interactive !== undefined && typeof interactive !== 'boolean') {
    throw new TypeError(
      `createMonitor(options): options.interactive must be a boolean, got ${describe(interactive)}`,
    );
  }
  const onListening = options?.onListening;
  if (onListening !== undefined && typeof onListening !== 'function') {
    throw new TypeError(
      `createMonitor(options): options.onListening must be a function, got ${describe(onListening)}`,
    );
  }
  checkStream('input', options?.input, 'on');
  checkStream('output', options?.output, 'write');
  checkStream('errorOutput', options?.errorOutput, 'write');
  return {
    host: host === 'localhost' ? MONITOR_HOST : host,
    port,
    interactive,
    onListening,
    input: options?.input,
    output: options?.output,
    errorOutput: options?.errorOutput,
  };
}

/** What a monitor serves: nothing, its private socket (a named pipe on Windows), or TCP. */
export type ConsolePlan =
  | { transport: 'off' }
  | { transport: 'unix' | 'pipe' }
  | { transport: 'tcp'; host: string; port: number };

/**
 * The transport of a console: TCP when asked for; else a Unix socket, protected by the modes
 * of its directory and file. Windows has no such modes: Node creates named pipes with the
 * default security descriptor, which lets other accounts open them for reading, so there the
 * console is a named pipe that asks for the token first, as TCP does.
 */
export function chooseTransport(platform: NodeJS.Platform, tcp: boolean): Transport {
  if (tcp) return 'tcp';
  return platform === 'win32' ? 'pipe' : 'unix';
}

/**
 * What the monitor serves, from its options, the environment and the platform (read when it
 * starts). TCP only when asked for: a `port` or `host` option, or `CURIOMONITOR_PORT`. A
 * malformed `CURIOMONITOR_PORT` is a TypeError.
 */
export function planConsole(
  options: Pick<ResolvedOptions, 'host' | 'port'>,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): ConsolePlan {
  if (options.port === null) return { transport: 'off' };
  const tcp =
    options.port !== undefined || options.host !== undefined || (env[PORT_ENV] ?? '').trim() !== '';
  const transport = chooseTransport(platform, tcp);
  if (transport !== 'tcp') return { transport };
  return { transport, host: options.host ?? MONITOR_HOST, port: options.port ?? portFromEnv(env) };
}
