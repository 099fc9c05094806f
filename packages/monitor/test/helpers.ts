import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, type Socket as NetSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { type Coro, currentTask, futureWait, Kernel } from '@curio/kernel';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { checkNoLeaks as sharedCheckNoLeaks } from '../../../test-support/leaks.js';
import { readToken } from '../src/endpoint.js';
import { createMonitor, type MonitorAddress, type MonitorOptions } from '../src/index.js';

export const PROMPT = 'curio > ';

/** Fails a test that leaves sockets, servers or other handles open (monitor sessions close slowly). */
export function checkNoLeaks(): void {
  sharedCheckNoLeaks(40);
}

/**
 * Make the monitors of this test file put their private directories in a fresh temp directory
 * (as world-usable and sticky as /tmp, so that another user's refusal comes from the monitor's
 * own directory), with no $XDG_RUNTIME_DIR; after each test nothing may be left in it.
 * Returns a function giving that directory.
 */
export function privateBase(): () => string {
  let base = '';
  const saved = { TMPDIR: process.env.TMPDIR, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR };
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'cm-'));
    chmodSync(base, 0o1777);
    process.env.TMPDIR = base;
    delete process.env.XDG_RUNTIME_DIR;
  });
  afterEach(() => {
    const left = readdirSync(base);
    // Cleared before the check, so that one failure does not fail every later test.
    for (const name of left) rmSync(join(base, name), { recursive: true, force: true });
    expect(left).toEqual([]);
  });
  afterAll(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(base, { recursive: true, force: true });
  });
  return () => base;
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

  /**
   * Connect to a console; send `token` first (by default the monitor's own token where it
   * needs one, none for a Unix socket; `null`: nothing).
   */
  static connect(address: MonitorAddress, token?: string | null): Promise<TestClient> {
    const first =
      token === undefined && address.transport !== 'unix' ? readToken(address.dir) : token;
    return new Promise((resolve, reject) => {
      const sock =
        address.path !== undefined
          ? connect({ path: address.path })
          : connect({ host: address.host, port: address.port ?? 0 });
      sock.once('connect', () => {
        if (typeof first === 'string') sock.write(`${first}\n`);
        resolve(new TestClient(sock));
      });
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

/** A program running under a monitor, stopped by `stop()`. */
export interface Monitored<T> {
  kernel: Kernel;
  /** Where its console listens. */
  address: MonitorAddress;
  stderr: Sink;
  /** Let the main coroutine finish (it waits on this), then shut the kernel down. */
  stop(): Promise<T>;
}

/**
 * Run `body` under a monitor (by default its private Unix socket, no terminal console). The
 * main task runs `body`, waits until `stop()` is called, then cancels the tasks it started.
 */
export async function startMonitored<T>(
  body: () => Coro<T>,
  options: MonitorOptions = {},
): Promise<Monitored<T>> {
  const stderr = new Sink();
  let listening!: (address: MonitorAddress) => void;
  const address = new Promise<MonitorAddress>((resolve) => {
    listening = resolve;
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const kernel = new Kernel({
    withMonitor: createMonitor({
      interactive: false,
      errorOutput: stderr,
      ...options,
      onListening: (a) => {
        listening(a);
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
    address: await Promise.race([
      address,
      done.then(() => {
        throw new Error(`the monitor did not listen: ${stderr.text}`);
      }),
    ]),
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
