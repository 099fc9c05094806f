// Latency of normal clients while slow ones hold connections open: an echo server (curio's
// createServer with idleTimeout, and node:net the usual way) serves 50 normal clients doing
// paced round trips, once beside 300 slow clients sending one byte a second and once alone.
// The clients run in their own process: this file, run as a script, is the load generator:
//   node dist/workloads/net-slow-clients.js <port> <slow clients>
// It prints one JSON line: { median, p99, samples } of the normal clients' round trips, in ms.
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Socket } from '@curio/io';
import { type Coro, futureWait, newTask, run } from '@curio/kernel';
import { createServer } from '@curio/net';
import type { Workload } from '../harness.js';

const SLOW = 300;
const NORMAL = 50;
const ROUNDS = 40; // round trips per normal client...
const PAUSE_MS = 10; // ...this far apart: 2000 samples a run
const MESSAGE = 64;
const SLOW_EVERY_MS = 1000; // a slow client's pace: one byte a second
// Longer than a run: the slow clients are not closed, but every connection has its timer.
const IDLE_TIMEOUT = 10_000;
const BACKLOG = 512;

interface Latency {
  median: number;
  p99: number;
  samples: number;
}

// ---- the load generator (this file run as a script) ------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(sock));
    sock.once('error', reject);
  });
}

// A normal client: ROUNDS paced round trips of MESSAGE bytes, each timed.
async function normalClient(port: number, rtts: number[]): Promise<void> {
  const sock = await connect(port);
  const payload = Buffer.alloc(MESSAGE, 'n');
  let pending = 0;
  let wake: (() => void) | null = null;
  sock.on('data', (d: Buffer) => {
    pending -= d.length;
    if (pending <= 0) wake?.();
  });
  for (let i = 0; i < ROUNDS; i++) {
    const echoed = new Promise<void>((resolve) => {
      wake = resolve;
    });
    pending = MESSAGE;
    const t0 = performance.now();
    sock.write(payload);
    await echoed;
    rtts.push(performance.now() - t0);
    await sleep(PAUSE_MS);
  }
  sock.destroy();
}

async function generateLoad(port: number, slowCount: number): Promise<Latency> {
  const slow = await Promise.all(Array.from({ length: slowCount }, () => connect(port)));
  const timers: NodeJS.Timeout[] = [];
  slow.forEach((sock, i) => {
    sock.on('data', () => {});
    sock.on('error', () => {});
    // Spread over the second, so the bytes arrive evenly.
    const start = setTimeout(
      () => {
        sock.write('s');
        timers.push(setInterval(() => sock.write('s'), SLOW_EVERY_MS));
      },
      (i * SLOW_EVERY_MS) / Math.max(1, slowCount),
    );
    timers.push(start);
  });
  if (slowCount > 0) await sleep(200);
  const rtts: number[] = [];
  await Promise.all(Array.from({ length: NORMAL }, () => normalClient(port, rtts)));
  for (const t of timers) clearTimeout(t);
  for (const sock of slow) sock.destroy();
  rtts.sort((a, b) => a - b);
  return {
    median: rtts[rtts.length >> 1],
    p99: rtts[Math.ceil(rtts.length * 0.99) - 1],
    samples: rtts.length,
  };
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] === self) {
  const [portArg, slowArg] = process.argv.slice(2);
  generateLoad(Number(portArg), Number(slowArg)).then(
    (latency) => {
      process.stdout.write(`${JSON.stringify(latency)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

/** Run the load generator against `port` in its own process. */
function measure(port: number, slowCount: number): Promise<Latency> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [self, String(port), String(slowCount)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`net-slow-clients load generator exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as Latency);
    });
  });
}

// ---- the servers -----------------------------------------------------------------------

function* echo(client: Socket): Coro<void> {
  for (;;) {
    const data = yield* client.recv(65536);
    if (data.length === 0) return;
    yield* client.sendall(data);
  }
}

function curioRun(slowCount: number): Promise<Latency> {
  return run(
    (function* () {
      const server = createServer('127.0.0.1', 0, echo, {
        backlog: BACKLOG,
        idleTimeout: IDLE_TIMEOUT,
      });
      const serving = yield* newTask(server.serveForever());
      try {
        return yield* futureWait(measure((server.address as [string, number])[1], slowCount));
      } finally {
        yield* serving.cancel();
      }
    })(),
    { logErrors: false },
  );
}

async function nodeRun(slowCount: number): Promise<Latency> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.setTimeout(IDLE_TIMEOUT, () => sock.destroy());
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
    sock.pipe(sock);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', BACKLOG, resolve));
  try {
    return await measure((server.address() as net.AddressInfo).port, slowCount);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

// The goal: beside the slow clients, the median round trip within 2x of the quiet run's.
function withinTwiceQuiet(m: Record<string, number>): string | undefined {
  const r = m.curio / m['curio quiet'];
  return r <= 2 ? undefined : `${r.toFixed(2)}x the quiet run > 2x`;
}

function systems(pick: (latency: Latency) => number): Workload['systems'] {
  return {
    curio: async () => pick(await curioRun(SLOW)),
    'curio quiet': async () => pick(await curioRun(0)),
    'node:net': async () => pick(await nodeRun(SLOW)),
    'node:net quiet': async () => pick(await nodeRun(0)),
  };
}

const title = `${NORMAL} clients' echo round trip beside ${SLOW} slow ones (1 byte/s)`;

export const workloads: Workload[] = [
  {
    name: 'net-slow-clients-median',
    title: `${title}, median`,
    unit: 'ms',
    higherIsBetter: false,
    runs: 6,
    rounds: 3, // quiet and loaded runs take turns
    target: "<= 2x curio quiet's median",
    check: withinTwiceQuiet,
    systems: systems((latency) => latency.median),
  },
  {
    name: 'net-slow-clients-p99',
    title: `${title}, p99`,
    unit: 'ms',
    higherIsBetter: false,
    runs: 6,
    rounds: 3,
    systems: systems((latency) => latency.p99),
  },
];
