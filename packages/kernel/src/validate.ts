/** Readable rendering of a bad argument for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (value === null || typeof value !== 'object') return String(value);
  if (typeof (value as PromiseLike<unknown>).then === 'function') return 'a Promise';
  if (isCoroutine(value)) return 'a coroutine';
  if (Array.isArray(value)) {
    const text = JSON.stringify(value) ?? '[]';
    return text.length > 40 ? `an array of ${value.length}` : text;
  }
  const ctor = (value as object).constructor;
  if (!ctor || ctor === Object) return 'an object';
  return `${/^[AEIOU]/.test(ctor.name) ? 'an' : 'a'} ${ctor.name}`;
}

/** Throws unless `options` is undefined or an object. */
export function checkOptions(fn: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  }
}

/** Throws unless `ms` is a finite duration >= 0. */
export function checkDuration(fn: string, arg: string, ms: unknown): asserts ms is number {
  if (typeof ms !== 'number') {
    throw new TypeError(`${fn}(${arg}): ${arg} must be a finite number >= 0, got ${describe(ms)}`);
  }
  if (!(ms >= 0) || ms === Infinity) {
    throw new RangeError(`${fn}(${arg}): ${arg} must be a finite number >= 0, got ${ms}`);
  }
}

/** Normalises a `{ timeout }` option: `undefined` means none. Throws on bad input. */
export function checkTimeout(fn: string, timeout: unknown): number | undefined {
  if (timeout === undefined || timeout === null || timeout === Infinity) return undefined;
  if (typeof timeout !== 'number') {
    throw new TypeError(
      `${fn}: timeout must be a number of milliseconds >= 0 or null, got ${describe(timeout)}`,
    );
  }
  if (!(timeout >= 0)) {
    throw new RangeError(
      `${fn}: timeout must be a number of milliseconds >= 0 or null, got ${timeout}`,
    );
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

/** The fix for a function passed where a coroutine is wanted: call it. */
export function callHint(value: unknown): string {
  if (typeof value !== 'function') return '';
  const name = value.name || 'f';
  return ` (a function: pass ${name}(), the coroutine its call returns, not ${name})`;
}

/** Throws a TypeError naming the call and what was passed instead of a coroutine. */
export function checkCoroutine(fn: string, arg: string, value: unknown): void {
  if (isCoroutine(value)) return;
  let hint = callHint(value);
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  ) {
    hint =
      ' (curio coroutines are generator functions, function* with yield*, not async functions)';
  }
  throw new TypeError(
    `${fn}(${arg}): ${arg} must be a coroutine (the generator object returned by calling a function*), got ${describe(value)}${hint}`,
  );
}

/**
 * Throws unless `value` is a function; `call` names the call (`asyncWith(cm, body)`), `what`
 * the function wanted. A coroutine passed instead gets the fix: the function, not its call.
 */
export function checkFunction(call: string, arg: string, value: unknown, what: string): void {
  if (typeof value === 'function') return;
  const hint = isCoroutine(value)
    ? ` (pass the function itself, not its call: ${arg}, not ${arg}(...))`
    : '';
  throw new TypeError(`${call}: ${arg} must be ${what}, got ${describe(value)}${hint}`);
}
