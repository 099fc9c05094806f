// For the tutorial's tests: run a chapter's built program as a child process on a free loopback
// port, and talk to it with plain node:net clients, line by line, as `nc` would.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

const dist = fileURLToPath(new URL('../dist/tutorial/', import.meta.url));

/** Lines arriving on a stream, taken in order; `null` once it has ended. */
export class Lines {
  private partial = '';
  private readonly ready: string[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    this.ready.push(...parts);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  /** The next line, or null at the end. */
  async next(): Promise<string | null> {
    while (this.ready.length === 0 && !this.ended) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    return this.ready.shift() ?? null;
  }

  /** The next `n` lines. */
  async take(n: number): Promise<(string | null)[]> {
    const lines = [];
    for (let i = 0; i < n; i++) lines.push(await this.next());
    return lines;
  }

  /** Every line up to the end. */
  async rest(): Promise<string[]> {
    const lines = [];
    for (let line = await this.next(); line !== null; line = await this.next()) lines.push(line);
    return lines;
  }
}

/** A chapter's program, serving on a free loopback port. */
export interface Program {
  port: number;
  /** What it prints (standard output and standard error), after the "listening" line. */
  log: Lines;
  /** Resolves with how it ended: its exit code, or the signal that ended it. */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

/** A client connected to a program. */
export interface Client {
  lines: Lines;
  send(text: string): void;
  /** Half-close, as `nc` does at end of input (Ctrl-D). */
  hangUp(): void;
  /** The socket, for tests that stop reading from it. */
  pause(): void;
  write(data: string): boolean;
}

const cleanups: Array<() => Promise<void>> = [];

// Nothing outlives a test: clients are destroyed, programs killed and waited for.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Start `dist/tutorial/<file>` on port 0 and wait until it listens. */
export async function start(file: string): Promise<Program> {
  const child = spawn(process.execPath, [`${dist}${file}`, '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = new Lines();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => log.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => log.push(chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.on('close', (code, signal) => {
      log.end();
      resolve(signal ?? code ?? -1);
    }),
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const first = await log.next();
  const port = /^\w+ server listening on 127\.0\.0\.1:(\d+)$/.exec(first ?? '')?.[1];
  if (port === undefined) throw new Error(`${file} did not start: ${first}`);
  return { port: Number(port), log, exited, kill: (signal) => child.kill(signal) };
}

/** Connect a client to the program on `port`. */
export async function connectTo(port: number): Promise<Client> {
  const sock = connect(port, '127.0.0.1');
  const lines = new Lines();
  sock.setEncoding('utf8').on('data', (chunk: string) => lines.push(chunk));
  sock.on('end', () => lines.end());
  sock.on('error', () => lines.end());
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  cleanups.push(async () => {
    sock.destroy();
  });
  return {
    lines,
    send: (text) => sock.write(`${text}\n`),
    hangUp: () => sock.end(),
    pause: () => sock.pause(),
    write: (data) => sock.write(data),
  };
}

/** Connect and take a name; resolves once the room has announced it. */
export async function join(port: number, name: string): Promise<Client> {
  const client = await connectTo(port);
  if ((await client.lines.next()) !== 'What is your name?') throw new Error('no name prompt');
  client.send(name);
  const joined = await client.lines.next();
  if (joined !== `* ${name} joined`) throw new Error(`${name} did not join: ${joined}`);
  return client;
}
