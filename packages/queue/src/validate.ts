// Argument checks: clear errors that name the call and the argument.
import type { TimeoutOptions } from '@curio/kernel';
import { msg } from './message.js';
import { Q1, Q2, Q3 } from './messages.js';

/** Readable rendering of a bad argument for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return 'an array';
  const ctor = (value as object).constructor;
  return ctor && ctor !== Object ? `a ${ctor.name}` : 'an object';
}

/** Throws unless `options` is `undefined` or `{ timeout }` with a valid timeout. */
export function checkOptions(fn: string, options: TimeoutOptions | undefined): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new TypeError(msg(Q1, fn, describe(options)));
  }
  const timeout = options.timeout;
  if (timeout === undefined || timeout === null) return;
  if (typeof timeout !== 'number' || !(timeout >= 0)) {
    const err = typeof timeout === 'number' ? RangeError : TypeError;
    throw new err(msg(Q2, fn, describe(timeout)));
  }
}

/** Throws unless `maxsize` is an integer >= 0. */
export function checkMaxsize(fn: string, maxsize: unknown): asserts maxsize is number {
  if (typeof maxsize !== 'number') {
    throw new TypeError(msg(Q3, fn, describe(maxsize)));
  }
  if (!Number.isInteger(maxsize) || maxsize < 0) {
    throw new RangeError(msg(Q3, fn, maxsize));
  }
}
