import { SSLContext } from '@curio/ssl';

/** Readable rendering of a bad argument for error messages. @internal */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  const ctor = (value as object).constructor;
  return ctor && ctor !== Object ? `a ${ctor.name}` : 'an object';
}

/** Throws unless `options` is undefined or an object. @internal */
export function checkOptions(fn: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  }
}

/** Throws unless `host` is a string (`''`: every interface, for servers). @internal */
export function checkHost(fn: string, host: unknown, allowEmpty: boolean): asserts host is string {
  if (typeof host !== 'string' || (!allowEmpty && host === '')) {
    throw new TypeError(
      `${fn}(host): host must be a ${allowEmpty ? "string ('' for every interface)" : 'non-empty string'}, got ${describe(host)}`,
    );
  }
}

/** Throws unless `port` is an integer port (`min` 0 for servers, 1 for clients). @internal */
export function checkPort(fn: string, port: unknown, min: number): asserts port is number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < min || port > 65535) {
    const E = typeof port === 'number' ? RangeError : TypeError;
    throw new E(`${fn}(port): port must be an integer from ${min} to 65535, got ${describe(port)}`);
  }
}

/** Throws unless `path` names a Unix socket. @internal */
export function checkPath(fn: string, path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`${fn}(path): path must be a non-empty string, got ${describe(path)}`);
  }
}

/** The client-side `ssl` option: undefined/false (none), true (default context) or a context. @internal */
export function checkClientSsl(fn: string, ssl: unknown): SSLContext | boolean {
  if (ssl === undefined || ssl === null || ssl === false) return false;
  if (ssl === true || ssl instanceof SSLContext) return ssl;
  throw new TypeError(
    `${fn}: options.ssl must be true or an SSLContext from @curio/ssl, got ${describe(ssl)}`,
  );
}

/** The server-side `ssl` option: undefined or a context holding a certificate. @internal */
export function checkServerSsl(fn: string, ssl: unknown): SSLContext | undefined {
  if (ssl === undefined || ssl === null || ssl === false) return undefined;
  if (!(ssl instanceof SSLContext)) {
    throw new TypeError(
      `${fn}: options.ssl must be an SSLContext from @curio/ssl with a certificate loaded, got ${describe(ssl)}${ssl === true ? ' (true only works for clients: a server needs its certificate)' : ''}`,
    );
  }
  if (!ssl.certChainLoaded) {
    throw new TypeError(
      `${fn}: options.ssl has no certificate: call ssl.loadCertChain(certfile, keyfile) first`,
    );
  }
  return ssl;
}

/** Throws unless `value` is an integer >= 0. @internal */
export function checkBacklog(fn: string, backlog: unknown): asserts backlog is number {
  if (typeof backlog !== 'number' || !Number.isInteger(backlog) || backlog < 0) {
    throw new TypeError(`${fn}: options.backlog must be an integer >= 0, got ${describe(backlog)}`);
  }
}

// Node's timers (the socket inactivity timer among them) take at most 2^31 - 1 ms.
const TIMER_MAX = 2 ** 31 - 1;

/**
 * A timeout option in ms: a number > 0 (at most 2^31 - 1), or `null` / `Infinity` for no
 * limit (returned as undefined); `fallback` when not given. @internal
 */
export function checkTimeoutOption(
  fn: string,
  name: string,
  value: unknown,
  fallback: number | undefined,
): number | undefined {
  if (value === undefined) return fallback;
  if (value === null || value === Number.POSITIVE_INFINITY) return undefined;
  if (typeof value !== 'number' || !(value > 0) || value > TIMER_MAX) {
    throw new TypeError(
      `${fn}: options.${name} must be a number of milliseconds > 0 and <= ${TIMER_MAX} (null or Infinity: no limit), got ${describe(value)}`,
    );
  }
  return value;
}
