// Argument checks shared by the primitives: clear errors that name the call and argument.
import type { TimeoutOptions } from '@curio/kernel';

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
    throw new TypeError(
      `${fn}(options): options must be an object like { timeout }, got ${describe(options)}`,
    );
  }
  const timeout = options.timeout;
  if (timeout === undefined || timeout === null) return;
  if (typeof timeout !== 'number' || !(timeout >= 0)) {
    const err = typeof timeout === 'number' ? RangeError : TypeError;
    throw new err(
      `${fn}(options): options.timeout must be a number of milliseconds >= 0 or null, got ${describe(timeout)}`,
    );
  }
}

/** Throws unless `value` is an integer >= 0 (the count of a semaphore). */
export function checkCount(fn: string, arg: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') {
    throw new TypeError(`${fn}(${arg}): ${arg} must be an integer >= 0, got ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${fn}(${arg}): ${arg} must be an integer >= 0, got ${value}`);
  }
}
