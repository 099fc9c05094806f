import type { IOType, StdioNull, StdioPipe } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { Stream } from '@curio/io';

/** Connect the child's stream to a new pipe (a `Stream` on the `Popen`). */
export const PIPE = -1;
/** For `stderr` only: send the child's standard error wherever its standard output goes. */
export const STDOUT = -2;
/** Connect the child's stream to the null device. */
export const DEVNULL = -3;

/**
 * Where one of the child's standard streams goes: `PIPE`, `DEVNULL`, `STDOUT` (stderr only),
 * `'inherit'` / `null` / `undefined` (the parent's own; the default), Node's `'pipe'` /
 * `'ignore'`, an open file descriptor, a Node stream that has one, or (stdin only) a readable
 * curio `Stream` such as another `Popen`'s `stdout`, for a pipeline.
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
  | Stream
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
  const hint = value instanceof Stream ? ' (a curio Stream can only be stdin)' : '';
  throw new TypeError(
    `${fn}(options.${name}): ${name} must be PIPE, DEVNULL${extra}, 'inherit', a file descriptor or a Node stream with one, got ${describe(value)}${hint}`,
  );
}

/**
 * A curio `Stream` given as `stdin`, taken over (detached) for the child: `spawn` gets its
 * pipe itself when nothing was read ahead from it, else the parent pumps it (`pump`). @internal
 */
export interface StdinSource {
  raw: Readable;
  spec: SpawnStdio;
  pump: boolean;
}

/** Check and take over a curio Stream given as `stdin`. @internal */
export function takeStdin(fn: string, stream: Stream): StdinSource {
  const refuse = (why: string) =>
    new TypeError(`${fn}(options.stdin): ${why} (pass another process's stdout or stderr)`);
  if (stream.closed) throw refuse('the Stream is closed');
  const raw = stream.blocking().raw as Readable & { _handle?: unknown };
  // A write end (a process's stdin) is a Node stream made not readable, never read from.
  if (typeof raw.read !== 'function' || (raw.readable === false && !raw.readableDidRead)) {
    throw refuse('the Stream is not readable');
  }
  if (raw.destroyed) throw refuse("the Stream's pipe is closed");
  try {
    stream.detach(); // unread bytes go back into raw
  } catch {
    throw refuse('a Stream made by Socket.makefile cannot be handed over');
  }
  // Node's own pipe, nothing read ahead: the child reads it directly (an OS pipeline).
  const direct = raw.readableLength === 0 && !raw.readableEnded && raw._handle != null;
  return { raw, spec: direct ? raw : 'pipe', pump: !direct };
}
