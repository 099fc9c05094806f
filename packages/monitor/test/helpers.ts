import { connect, type Socket as NetSocket } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { type Coro, currentTask, futureWait, Kernel } from '@curio/kernel';
import { checkNoLeaks as sharedCheckNoLeaks } from '../../../test-support/leaks.js';
import { createMonitor, type MonitorOptions } from '../src/index.js';

export const PROMPT = 'curio > ';

/** Fails a test that leaves sockets, servers or other handles open (monitor sessions close slowly). */
export function checkNoLeaks(): void {
  sharedCheckNoLeaks(40);
}

/** A writable that keeps what is written, for stderr and terminal output. */
export class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Resolves once `check()` is true (polling the host loop), or rejects after `ms`. */
export async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A console client as a person would use it: send a line, read until the next prompt. */
export class TestClient {
  private buffer = '';
  ended = false;
  private constructor(readonly sock: NetSocket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buffer += d;
    });
    sock.on('end', () => {
      this.ended = true;
    });
    sock.on('close', () => {
      this.ended = true;
    });
    sock.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host, port });
      sock.once('connect', () => resolve(new TestClient(sock)));
      sock.once('error', reject);
    });
  }

  /** Everything up to the next prompt (the prompt is consumed). */
  async reply(): Promise<string> {
    await until(() => this.buffer.includes(PROMPT) || this.ended, 'the prompt');
    const at = this.buffer.indexOf(PROMPT);
    if (at < 0) {
      const rest = this.buffer;
      this.buffer = '';
      return rest;
    }
    const text = this.buffer.slice(0, at);
    this.buffer = this.buffer.slice(at + PROMPT.length);
    return text;
  }

  /** Send a command line and return its reply. */
  async command(line: string): Promise<string> {
    this.sock.write(`${line}\n`);
    return this.reply();
  }

  /** Everything until the server closes the connection. */
  async rest(): Promise<string> {
    await until(() => this.ended, 'the server to close the connection');
    const text = this.buffer;
    this.buffer = '';
    return text;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.sock.destroyed) return resolve();
      this.sock.once('close', () => resolve());
      this.sock.end();
    });
  }
}

/** A program running under a monitor on a free loopback port, stopped by `stop()`. */
export interface Monitored<T> {
  kernel: Kernel;
  port: number;
  stderr: Sink;
  /** Let the main coroutine finish (it waits on this), then shut the kernel down. */
  stop(): Promise<T>;
}

/**
 * Run `body` under a monitor (TCP console on a free port, no terminal console). The main
 * task runs `body`, waits until `stop()` is called, then cancels the tasks it started.
 */
export async function startMonitored<T>(
  body: () => Coro<T>,
  options: MonitorOptions = {},
): Promise<Monitored<T>> {
  const stderr = new Sink();
  let listening!: (port: number) => void;
  const port = new Promise<number>((resolve) => {
    listening = resolve;
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const kernel = new Kernel({
    withMonitor: createMonitor({
      port: 0,
      interactive: false,
      errorOutput: stderr,
      ...options,
      onListening: (a) => {
        listening(a.port);
        options.onListening?.(a);
      },
    }),
  });
  function* main(): Coro<T> {
    const value = yield* body();
    yield* futureWait(released);
    yield* (yield* currentTask()).cancelChildren();
    return value;
  }
  const done = kernel.run(main(), { logErrors: false });
  done.catch(() => {});
  return {
    kernel,
    port: await Promise.race([port, done.then(() => -1)]),
    stderr,
    async stop() {
      release();
      try {
        return await done;
      } finally {
        await kernel.shutdown();
      }
    },
  };
}

/** A terminal stand-in: lines typed into `input`, the console's output in `output`. */
export function fakeTerminal(): { input: PassThrough; output: Sink } {
  return { input: new PassThrough(), output: new Sink() };
}
