// Argument checks shared by the primitives: clear errors that name the call and argument.
import type { TimeoutOptions } from '@curio/kernel';
import { msg } from './message.js';
import { S1, S2, S3 } from './messages.js';

/** Readable rendering of a bad argument for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (value === null || typeof value !== 'object') return String(value);
  const ctor = (value as object).constructor;
  return ctor && ctor !== Object ? `a ${ctor.name}` : 'an object';
}

/** Throws unless `options` is `undefined` or `{ timeout }` with a valid timeout. */
export function checkOptions(fn: string, options: TimeoutOptions | undefined): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new TypeError(msg(S1, fn, describe(options)));
  }
  const timeout = options.timeout;
  if (timeout === undefined || timeout === null) return;
  if (typeof timeout !== 'number' || !(timeout >= 0)) {
    const err = typeof timeout === 'number' ? RangeError : TypeError;
    throw new err(msg(S2, fn, describe(timeout)));
  }
}

/** Throws unless `value` is an integer >= 0 (the count of a semaphore). */
export function checkCount(fn: string, arg: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') {
    throw new TypeError(msg(S3, fn, arg, describe(value)));
  }
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(msg(S3, fn, arg, value));
  }
}
