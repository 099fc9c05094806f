// Echo server throughput: curio's runServer-style Server against node:net echo servers written
// the usual Node ways ('data' events, socket.pipe(socket)). The load generator (dist/echo-load.js)
// runs in its own process; the server runs in the measuring process, or, for the workers
// workloads, in node:cluster workers (dist/echo-worker.js) that runServer's `workers` forks.
import { spawn } from 'node:child_process';
import cluster from 'node:cluster';
import * as net from 'node:net';
import { join } from 'node:path';
import type { Address, Socket } from '@curio/io';
import { type Coro, futureWait, newTask, run } from '@curio/kernel';
import { createServer, runServer } from '@curio/net';
import { distDir, type Workload } from '../harness.js';

const CONNECTIONS = 50;
const MESSAGE = 1024;
const CHUNK = 64 * 1024;
// Each run: warm-up traffic first, then DURATION_MS measured. The warm-up lasts WARMUP_MS and
// until WARMUP_CHUNKS chunks have come back (at most MAX_WARMUP_MS): V8 tiers a function up
// after so much work, and curio's scheduler loop and I/O trap came to their optimized code
// only after about 15k chunks of the stream (1 GB; 4-6 s on the loaded 2-core machine, where a
// 1 s warm-up left most of the measured interval to baseline code and the compiler's thread).
// The echo-pingpong and echo-stream workers skip the harness's warm-up run: a second process
// start and run would double their time for nothing this warm-up misses.
const DURATION_MS = 4000;
const WARMUP_MS = 1000;
const WARMUP_CHUNKS = 20_000;
const MAX_WARMUP_MS = 6000;

type Mode = 'pingpong' | 'stream';
/** What a run reports: throughput over the wall clock, or per second of the server's CPU. */
type Metric = 'wall' | 'cpu';
interface LoadResult {
  messages: number;
  bytes: number;
  ms: number;
  /** CPU time (user + system) the server's process spent in the measured interval. */
  cpuMs: number;
}

/** Run the load generator against `port`; resolves with its counts. */
function generateLoad(port: number, mode: Mode): Promise<LoadResult> {
  const size = mode === 'pingpong' ? MESSAGE : CHUNK;
  const args = [join(distDir, 'echo-load.js'), String(port), mode, String(CONNECTIONS)];
  args.push(String(size), String(DURATION_MS), String(WARMUP_MS));
  args.push(String(WARMUP_CHUNKS * size), String(MAX_WARMUP_MS));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let cpu0: NodeJS.CpuUsage | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // The generator prints `ready` once connected and `start` as its measured interval
      // begins: the server's CPU clock starts there (the server runs in this process).
      if (cpu0 === undefined && out.includes('start\n')) cpu0 = process.cpuUsage();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const cpu = process.cpuUsage(cpu0);
      if (code !== 0 || cpu0 === undefined) reject(new Error(`echo-load.js exited with ${code}`));
      else {
        const counts = JSON.parse(out.trim().split('\n').pop()!) as Omit<LoadResult, 'cpuMs'>;
        resolve({ ...counts, cpuMs: (cpu.user + cpu.system) / 1000 });
      }
    });
  });
}

// Messages or MB per second of the wall clock, or per second of the server's CPU time. The
// second is the server's cost per message or byte: it leaves out how much of a shared machine
// the server happened to get, which is where most of the wall figures' spread comes from.
function measure(result: LoadResult, mode: Mode, metric: Metric): number {
  const ms = metric === 'wall' ? result.ms : result.cpuMs;
  return mode === 'pingpong' ? (result.messages * 1000) / ms : result.bytes / 1e6 / (ms / 1000);
}

// ---- curio ----------------------------------------------------------------------------

/** The echo handler (also what dist/echo-worker.js serves). */
export function* echo(client: Socket): Coro<void> {
  for (;;) {
    const data = yield* client.recv(CHUNK);
    if (data.length === 0) return;
    yield* client.sendall(data);
  }
}

function curioRun(mode: Mode, metric: Metric): Promise<number> {
  return run(
    (function* () {
      const server = createServer('127.0.0.1', 0, echo);
      const serving = yield* newTask(server.serveForever());
      try {
        const port = (server.address as [string, number])[1];
        return measure(yield* futureWait(generateLoad(port, mode)), mode, metric);
      } finally {
        yield* serving.cancel();
      }
    })(),
    { logErrors: false },
  );
}

// runServer with `workers`: the measuring process is the cluster primary.
function workersRun(workers: number, mode: Mode): Promise<number> {
  cluster.setupPrimary({ exec: join(distDir, 'echo-worker.js') });
  return run(
    (function* () {
      let started!: (address: Address) => void;
      const listening = new Promise<Address>((resolve) => {
        started = resolve;
      });
      const serving = yield* newTask(runServer('127.0.0.1', 0, echo, { workers, started }));
      try {
        const port = ((yield* futureWait(listening)) as [string, number])[1];
        return measure(yield* futureWait(generateLoad(port, mode)), mode, 'wall');
      } finally {
        yield* serving.cancel();
      }
    })(),
    { logErrors: false },
  );
}

// ---- node:net, the usual ways ---------------------------------------------------------

// 'data': each chunk written as it arrives, reading paused while the write side is full.
function dataEcho(sock: net.Socket): void {
  sock.on('data', (chunk: Buffer) => {
    if (!sock.write(chunk)) sock.pause();
  });
  sock.on('drain', () => sock.resume());
}

async function nodeRun(mode: Mode, style: 'data' | 'pipe', metric: Metric): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
    if (style === 'pipe') sock.pipe(sock);
    else dataEcho(sock);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as net.AddressInfo).port;
    return measure(await generateLoad(port, mode), mode, metric);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

// curio against both node:net servers.
function atLeast(m: Record<string, number>, factor: number): string | undefined {
  const misses = ['node:net data', 'node:net pipe'].flatMap((s) => {
    const r = m.curio / m[s];
    return r >= factor ? [] : [`${r.toFixed(2)}x ${s} < ${factor}x`];
  });
  return misses.length === 0 ? undefined : misses.join(', ');
}

// 8 runs in 8 rounds, the three servers taking turns (in reverse every other round), each
// run in a fresh process: the ratios come from runs side by side, with load drifts averaged.
// The `cpu` workloads run the same echo and report it per second of the server's CPU time.
function echoWorkload(mode: Mode, metric: Metric, factor: number): Workload {
  const what =
    mode === 'pingpong'
      ? `echo ping-pong, ${CONNECTIONS} conns x 1 KiB`
      : `echo streaming, ${CONNECTIONS} conns x 64 KiB chunks`;
  const unit = mode === 'pingpong' ? 'msgs/s' : 'MB/s';
  return {
    name: metric === 'wall' ? `echo-${mode}` : `echo-cpu-${mode}`,
    title:
      metric === 'wall'
        ? `${what}, ${DURATION_MS / 1000} s`
        : `${what}, per second of server CPU time`,
    unit: metric === 'wall' ? unit : `${unit} cpu`,
    runs: 8,
    rounds: 8,
    warmup: false,
    target: `>= ${factor}x node:net data and pipe`,
    check: (m) => atLeast(m, factor),
    systems: {
      curio: () => curioRun(mode, metric),
      'node:net data': () => nodeRun(mode, 'data', metric),
      'node:net pipe': () => nodeRun(mode, 'pipe', metric),
    },
  };
}

// The same echo server from 1 and from 2 node:cluster workers (no target: on a 2-core
// machine the load generator takes a core of its own).
const workersWorkloads: Workload[] = (['pingpong', 'stream'] as const).map((mode) => ({
  name: `echo-workers-${mode}`,
  title: `echo ${mode === 'pingpong' ? 'ping-pong, 1 KiB' : 'streaming, 64 KiB chunks'}, ${CONNECTIONS} conns, ${DURATION_MS / 1000} s, runServer workers`,
  unit: mode === 'pingpong' ? 'msgs/s' : 'MB/s',
  runs: 4,
  rounds: 2,
  systems: {
    '1 worker': () => workersRun(1, mode),
    '2 workers': () => workersRun(2, mode),
  },
}));

export const workloads: Workload[] = [
  echoWorkload('pingpong', 'wall', 0.9),
  echoWorkload('stream', 'wall', 0.95),
  echoWorkload('pingpong', 'cpu', 0.9),
  echoWorkload('stream', 'cpu', 0.95),
  ...workersWorkloads,
];
