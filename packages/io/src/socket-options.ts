import type net from 'node:net';
import { IPPROTO_TCP, SO_KEEPALIVE, SOL_SOCKET, TCP_NODELAY } from './constants.js';

/**
 * The options a Socket was given by `setsockopt`, shared with the role it takes: a new
 * connection (connected, or accepted by a listener) gets `TCP_NODELAY` and `SO_KEEPALIVE`.
 * @internal
 */
export class SocketOptions {
  private readonly values = new Map<string, number>();

  get(level: number, option: number): number | undefined {
    return this.values.get(`${level}:${option}`);
  }

  set(level: number, option: number, value: number): void {
    this.values.set(`${level}:${option}`, value);
  }

  /** Apply `TCP_NODELAY` and `SO_KEEPALIVE`, where set, to a connection. */
  applyTo(conn: net.Socket): void {
    const nodelay = this.get(IPPROTO_TCP, TCP_NODELAY);
    if (nodelay !== undefined) conn.setNoDelay(nodelay !== 0);
    const keepalive = this.get(SOL_SOCKET, SO_KEEPALIVE);
    if (keepalive !== undefined) conn.setKeepAlive(keepalive !== 0);
  }
}

/**
 * Listeners a Socket puts on its Node object, removed together by `detach`.
 * @internal
 */
export class EventHooks {
  private hooks: [NodeJS.EventEmitter, string, (...args: unknown[]) => void][] = [];

  on<A extends unknown[]>(
    emitter: NodeJS.EventEmitter,
    event: string,
    fn: (...args: A) => void,
  ): void {
    const listener = fn as unknown as (...args: unknown[]) => void;
    emitter.on(event, listener);
    this.hooks.push([emitter, event, listener]);
  }

  removeAll(): void {
    for (const [emitter, event, fn] of this.hooks) emitter.removeListener(event, fn);
    this.hooks = [];
  }
}
