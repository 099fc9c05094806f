// Plain node:net clients for the load and fault tests: they share nothing with curio, so a
// bug on the server's side cannot hide behind the same bug on the client's.
import * as net from 'node:net';

/**
 * One node:net connection to 127.0.0.1 as its client sees it: the bytes it received (read
 * with `read`), whether the server ended it ('end'), the error it saw and when it closed.
 */
export class Peer {
  /** Settles on the socket's 'close'. */
  readonly closed: Promise<void>;
  /** True once the server's end of file arrived. */
  ended = false;
  /** The code of the error the socket reported, if any. */
  error: string | undefined;
  /** `performance.now()` at 'end' (or 'close', if it came without one). */
  endedAt = 0;
  /** The client's port: the server's handler sees it in its `address`. */
  readonly localPort: number;
  private chunks: Buffer[] = [];
  private length = 0;
  private wake: (() => void) | null = null;

  constructor(readonly sock: net.Socket) {
    this.localPort = sock.localPort ?? 0;
    sock.on('data', (data: Buffer) => {
      this.chunks.push(data);
      this.length += data.length;
      this.notify();
    });
    sock.on('end', () => {
      this.ended = true;
      this.endedAt = performance.now();
      this.notify();
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      this.error ??= err.code ?? err.message;
    });
    this.closed = new Promise((resolve) =>
      sock.on('close', () => {
        if (this.endedAt === 0) this.endedAt = performance.now();
        this.notify();
        resolve();
      }),
    );
  }

  /** Connect to 127.0.0.1:`port`. */
  static connect(port: number): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ port, host: '127.0.0.1', noDelay: true });
      sock.once('connect', () => {
        sock.removeListener('error', reject);
        resolve(new Peer(sock));
      });
      sock.once('error', reject);
    });
  }

  /** Bytes received and not read yet. */
  get available(): number {
    return this.length;
  }

  /** Exactly `n` bytes, or fewer if the connection ends first. */
  async read(n: number): Promise<Buffer> {
    while (this.length < n && !this.ended && !this.sock.destroyed) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    const all = Buffer.concat(this.chunks);
    const out = all.subarray(0, Math.min(n, all.length));
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.length = all.length - out.length;
    return out;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** `size` bytes telling client `id` and `round` apart: a lost, stray or mixed-up byte shows. */
export function message(id: number, round: number, size: number): Buffer {
  const data = Buffer.alloc(size, (id * 31 + round) % 251);
  data.writeUInt32BE(id, 0);
  data.writeUInt32BE(round, 4);
  return data;
}

/** Resolve after `ms` (a host timer: these clients run outside curio). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
