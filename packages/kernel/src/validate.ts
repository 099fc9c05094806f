import { msg } from './explain.js';
import { K1, K2, K3, K4, K5, K6, K7, K8 } from './messages.js';

/** Readable rendering of a bad argument for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (value === null || typeof value !== 'object') return String(value);
  if (isThenable(value)) return 'a Promise';
  if (isCoroutine(value)) return 'a coroutine';
  if (Array.isArray(value)) {
    const text = JSON.stringify(value) ?? '[]';
    return text.length > 40 ? `an array of ${value.length}` : text;
  }
  const ctor = (value as object).constructor;
  if (!ctor || ctor === Object) return 'an object';
  return `${/^[AEIOU]/.test(ctor.name) ? 'an' : 'a'} ${ctor.name}`;
}

/**
 * The one shape of an argument check: unless `ok`, a TypeError with message `code` filled with
 * `names` (the call, the argument) and then `value` as it reads.
 */
export function checkArg(ok: boolean, value: unknown, code: string, ...names: unknown[]): void {
  if (!ok) throw new TypeError(msg(code, ...names, describe(value)));
}

/** Throws unless `options` is undefined or an object. */
export function checkOptions(fn: string, options: unknown): void {
  // On every spawn and submit: checkArg (and its rest array) only for a bad value.
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    checkArg(false, options, K1, fn);
  }
}

/** Throws unless `ms` is a finite duration >= 0. */
export function checkDuration(fn: string, arg: string, ms: unknown): asserts ms is number {
  if (typeof ms !== 'number') {
    throw new TypeError(msg(K2, fn, arg, describe(ms)));
  }
  if (!(ms >= 0) || ms === Infinity) {
    throw new RangeError(msg(K2, fn, arg, ms));
  }
}

/** Normalises a `{ timeout }` option: `undefined` means none. Throws on bad input. */
export function checkTimeout(fn: string, timeout: unknown): number | undefined {
  if (timeout === undefined || timeout === null || timeout === Infinity) return undefined;
  if (typeof timeout !== 'number') {
    throw new TypeError(msg(K3, fn, describe(timeout)));
  }
  if (!(timeout >= 0)) {
    throw new RangeError(msg(K3, fn, timeout));
  }
  return timeout;
}

/** True for a generator object (a started or unstarted coroutine). */
export function isCoroutine(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Generator).next === 'function' &&
    typeof (value as Generator).throw === 'function' &&
    typeof (value as Generator).return === 'function'
  );
}

/** Throws a TypeError naming the call and what was passed instead of a coroutine. */
export function checkCoroutine(fn: string, arg: string, value: unknown): void {
  // On every spawn and submit: the check stays small enough to be inlined there, the message
  // is built out of line.
  if (!isCoroutine(value)) refuseCoroutine(fn, arg, value);
}

function refuseCoroutine(fn: string, arg: string, value: unknown): never {
  const got = describe(value);
  let text: string;
  if (typeof value === 'function') text = msg(K5, fn, arg, got, value.name || 'f');
  else if (isThenable(value)) text = msg(K6, fn, arg, got);
  else text = msg(K4, fn, arg, got);
  throw new TypeError(text);
}

/** True for an object with a `then` method (a Promise). */
export function isThenable(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/**
 * Throws unless `value` is a function; `call` names the call (`asyncWith(cm, body)`), `what`
 * the function wanted. A coroutine passed instead gets the fix: the function, not its call.
 */
export function checkFunction(call: string, arg: string, value: unknown, what: string): void {
  if (typeof value === 'function') return;
  throw new TypeError(msg(isCoroutine(value) ? K8 : K7, call, arg, what, describe(value)));
}
