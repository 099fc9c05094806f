import { CurioError } from '@curio/kernel';

/**
 * Raised for an operation Node cannot perform (ancillary data, `MSG_*` flags, some socket
 * options, Unix datagram sockets). The message names the operation and what is missing.
 * @example
 * import { type Socket, UnsupportedOperation } from '@curio/io';
 *
 * function* withAncillary(sock: Socket) {
 *   try {
 *     return yield* sock.recvmsg(1024, 64);
 *   } catch (e) {
 *     if (!(e instanceof UnsupportedOperation)) throw e;
 *     return yield* sock.recvmsg(1024); // Node.js has no ancillary data
 *   }
 * }
 */
export class UnsupportedOperation extends CurioError {
  static override readonly brand: string = 'curio.error.UnsupportedOperation';
}

/** A system-style error (`code`, `errno`) like the ones Node raises, for socket states. */
export function systemError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** The error every operation on a closed socket or stream raises (`code` `'EBADF'`). */
export function closedError(fn: string): Error {
  return systemError(`${fn}: the object is closed`, 'EBADF');
}

/** Readable rendering of a bad argument for error messages. @internal */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  const ctor = (value as object).constructor;
  return ctor && ctor !== Object ? `a ${ctor.name}` : 'an object';
}

/** Throws unless `n` is an integer >= 0. @internal */
export function checkSize(fn: string, arg: string, n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    const E = typeof n === 'number' ? RangeError : TypeError;
    throw new E(`${fn}(${arg}): ${arg} must be an integer >= 0, got ${describe(n)}`);
  }
}

/** Throws unless `data` is a Buffer or Uint8Array; returns it as a Buffer. @internal */
export function toBuffer(fn: string, arg: string, data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError(
    `${fn}(${arg}): ${arg} must be a Buffer or Uint8Array, got ${describe(data)}`,
  );
}

/** Only `flags = 0` is supported: Node has no `MSG_*` flags. @internal */
export function checkFlags(fn: string, flags: unknown): void {
  if (flags === undefined || flags === 0) return;
  if (typeof flags !== 'number' || !Number.isInteger(flags)) {
    throw new TypeError(`${fn}(flags): flags must be an integer, got ${describe(flags)}`);
  }
  throw new UnsupportedOperation(
    `${fn}(flags): MSG_* flags are not supported by Node.js (only 0), got ${flags}`,
  );
}

/** Normalises a `settimeout` value (ms or null). @internal */
export function checkTimeoutValue(fn: string, ms: unknown): number | undefined {
  if (ms === null || ms === undefined) return undefined;
  if (typeof ms !== 'number' || !(ms >= 0)) {
    throw new TypeError(
      `${fn}(ms): ms must be a number of milliseconds >= 0 or null, got ${describe(ms)}`,
    );
  }
  return ms === Infinity ? undefined : ms;
}

/** `ENOTCONN`: the socket is not connected (or is a listening one). @internal */
export function notConnectedError(fn: string, listening = false): Error {
  return listening
    ? systemError(`${fn}: the socket is listening, not connected`, 'ENOTCONN')
    : systemError(`${fn}: the socket is not connected`, 'ENOTCONN');
}
