// The monitor's settings: where the TCP console listens and whether Ctrl-C opens a console.
import { isIP } from 'node:net';

/** The monitor's default TCP port, as in Python curio. */
export const MONITOR_PORT = 48802;
/** The monitor's default host: loopback only. */
export const MONITOR_HOST = '127.0.0.1';
/** The environment variable that overrides the default port. */
export const PORT_ENV = 'CURIOMONITOR_PORT';

/** Options of {@link createMonitor}. */
export interface MonitorOptions {
  /**
   * Loopback address of the TCP console: `127.0.0.1` (default), any `127.x.y.z`, `::1` or
   * `localhost`. Other interfaces are refused: the console can cancel tasks.
   */
  host?: string;
  /**
   * TCP port of the console. Default: `CURIOMONITOR_PORT` from the environment, else 48802.
   * `0` picks a free port (see {@link MonitorOptions.onListening}). `null` turns the TCP
   * console off.
   */
  port?: number | null;
  /**
   * Let Ctrl-C (SIGINT) open the console in this terminal. Default: true when both stdin and
   * stdout are terminals. When false, no SIGINT listener is installed and Ctrl-C keeps its
   * usual meaning.
   */
  interactive?: boolean;
  /** Called with the console's address once it listens (useful with `port: 0`). */
  onListening?: (address: { host: string; port: number }) => void;
  /** The terminal console's input. Default `process.stdin`. */
  input?: NodeJS.ReadableStream;
  /** The terminal console's output. Default `process.stdout`. */
  output?: NodeJS.WritableStream;
  /** Where the monitor reports its own problems (port in use...). Default `process.stderr`. */
  errorOutput?: NodeJS.WritableStream;
}

/** The options after validation, as the monitor uses them. */
export interface ResolvedOptions {
  host: string;
  /** `undefined`: take the environment's or the default port when the monitor starts. */
  port: number | null | undefined;
  interactive: boolean | undefined;
  onListening: ((address: { host: string; port: number }) => void) | undefined;
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
  const host = options?.host ?? MONITOR_HOST;
  if (typeof host !== 'string' || !isLoopback(host)) {
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
