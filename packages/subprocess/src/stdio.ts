import type { IOType, StdioNull, StdioPipe } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** Connect the child's stream to a new pipe (a `Stream` on the `Popen`). */
export const PIPE = -1;
/** For `stderr` only: send the child's standard error wherever its standard output goes. */
export const STDOUT = -2;
/** Connect the child's stream to the null device. */
export const DEVNULL = -3;

/**
 * Where one of the child's standard streams goes: `PIPE`, `DEVNULL`, `STDOUT` (stderr only),
 * `'inherit'` / `null` / `undefined` (the parent's own; the default), Node's `'pipe'` /
 * `'ignore'`, an open file descriptor, or a Node stream that has one.
 */
export type StdioOption =
  | typeof PIPE
  | typeof STDOUT
  | typeof DEVNULL
  | IOType
  | StdioNull
  | StdioPipe
  | number
  | Readable
  | Writable
  | null
  | undefined;

/** What `spawn` takes for one stream. @internal */
export type SpawnStdio = 'pipe' | 'ignore' | 'inherit' | number | Readable | Writable;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  const ctor = (value as object).constructor;
  return ctor && ctor !== Object ? `a ${ctor.name}` : 'an object';
}

/** Maps one stdio option onto `spawn`'s (STDOUT is handled by the caller). @internal */
export function toSpawnStdio(fn: string, name: string, value: unknown): SpawnStdio {
  if (value === undefined || value === null || value === 'inherit') return 'inherit';
  if (value === PIPE || value === 'pipe' || value === 'overlapped') return 'pipe';
  if (value === DEVNULL || value === 'ignore') return 'ignore';
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Readable).on === 'function' &&
    ('fd' in value || '_handle' in value)
  ) {
    return value as unknown as Readable | Writable;
  }
  const extra = name === 'stderr' ? ', STDOUT' : '';
  throw new TypeError(
    `${fn}(options.${name}): ${name} must be PIPE, DEVNULL${extra}, 'inherit', a file descriptor or a Node stream with one, got ${describe(value)}`,
  );
}
