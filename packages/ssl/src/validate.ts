/** Readable rendering of a bad argument for error messages. @internal */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return 'an array';
  const ctor = (value as object).constructor;
  return ctor && ctor !== Object ? `a ${ctor.name}` : 'an object';
}

/** Throws unless `options` is undefined or a plain object. @internal */
export function checkOptions(fn: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  }
}
