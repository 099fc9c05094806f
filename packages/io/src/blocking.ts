import type { AsyncContextManager, Coro } from '@curio/kernel';

/**
 * What `Socket.blocking()` and `Stream.blocking()` return: a context manager handing out the
 * raw Node object (`raw`), for passing to synchronous or callback-style Node code. Nothing is
 * switched on the way in or out (Node objects never block the thread); data you read from the
 * raw object directly bypasses the curio wrapper's buffer.
 * @example
 * import type * as net from 'node:net';
 * import { asyncWith } from '@curio/kernel';
 * import type { Socket } from '@curio/io';
 *
 * function* tune(sock: Socket) {
 *   yield* asyncWith(sock.blocking(), function* (raw) {
 *     (raw as net.Socket).setNoDelay(true);
 *   });
 *   // or, with TypeScript's `using`:
 *   {
 *     using b = sock.blocking();
 *     (b.raw as net.Socket).setNoDelay(true);
 *   }
 * }
 */
export class Blocking<T> implements AsyncContextManager<T> {
  constructor(
    /** The raw Node object. */
    readonly raw: T,
  ) {}

  /** Hands out `raw`. */
  *enter(): Coro<T> {
    return this.raw;
  }

  /** Nothing to undo. */
  *exit(_error?: unknown): Coro<boolean> {
    return false;
  }

  /** Nothing to undo (for `using`). */
  [Symbol.dispose](): void {}
}
