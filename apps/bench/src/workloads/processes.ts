// @curio/executors and @curio/subprocess benchmarks: the overhead curio adds on top of the
// worker pool (piscina) and of child_process.spawn, each used directly.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCpuBound } from '@curio/executors';
import { type Coro, run } from '@curio/kernel';
import { run as runProcess } from '@curio/subprocess';
import { Piscina } from 'piscina';
import { now, type Workload } from '../harness.js';

const CPU_N = 10_000;
const SPAWN_N = 200;

function atMostTimes(m: Record<string, number>, peer: string, factor: number): string | undefined {
  const r = m.curio / m[peer];
  return r <= factor ? undefined : `${r.toFixed(2)}x ${peer} > ${factor}x`;
}

// ---- runCpuBound round trip -------------------------------------------------------------

function* curioRoundTrips(n: number): Coro<void> {
  for (let i = 0; i < n; i++) {
    const r = yield* runCpuBound((x: number) => x + 1, [i]);
    if (r !== i + 1) throw new Error(`runCpuBound returned ${r} for ${i}`);
  }
}

let pool: Piscina | null = null;

// The same trivial function, in a module of its own, on a pool configured like ours.
function piscinaPool(): Piscina {
  if (pool === null) {
    const file = join(tmpdir(), `curio-bench-piscina-${process.pid}.mjs`);
    writeFileSync(file, 'export default (x) => x + 1;\n');
    pool = new Piscina({
      filename: pathToFileURL(file).href,
      minThreads: 0,
      maxThreads: availableParallelism(),
      idleTimeout: 10_000,
    });
  }
  return pool;
}

const cpuRoundTrip: Workload = {
  name: 'executors-cpu-roundtrip',
  title: `runCpuBound round trip x${CPU_N / 1000}k`,
  unit: 'ms',
  higherIsBetter: false,
  runs: 9, // the machine's load swings: more runs steady the median
  target: '<= 1.2x piscina direct',
  check: (m) => atMostTimes(m, 'piscina', 1.2),
  systems: {
    curio: async () => {
      const t0 = now();
      await run(curioRoundTrips(CPU_N));
      return now() - t0;
    },
    piscina: async () => {
      const p = piscinaPool();
      const t0 = now();
      for (let i = 0; i < CPU_N; i++) {
        const r = (await p.run(i)) as number;
        if (r !== i + 1) throw new Error(`piscina returned ${r} for ${i}`);
      }
      return now() - t0;
    },
  },
};

// ---- run(['true']) ----------------------------------------------------------------------

function* curioSpawns(n: number): Coro<void> {
  for (let i = 0; i < n; i++) {
    const done = yield* runProcess(['true']);
    if (done.returncode !== 0) throw new Error(`true exited with ${done.returncode}`);
  }
}

function spawnTrue(): Promise<number | null> {
  return new Promise((resolve, reject) => {
    spawn('true', [], { stdio: 'inherit' }).on('error', reject).on('close', resolve);
  });
}

const spawnRun: Workload = {
  name: 'subprocess-run-true',
  title: `run(['true']) x${SPAWN_N}`,
  unit: 'ms',
  higherIsBetter: false,
  runs: 9, // the machine's load swings: more runs steady the median
  target: '<= 1.2x child_process.spawn',
  check: (m) => atMostTimes(m, 'spawn', 1.2),
  systems: {
    curio: async () => {
      const t0 = now();
      await run(curioSpawns(SPAWN_N));
      return now() - t0;
    },
    spawn: async () => {
      const t0 = now();
      for (let i = 0; i < SPAWN_N; i++) {
        const code = await spawnTrue();
        if (code !== 0) throw new Error(`true exited with ${code}`);
      }
      return now() - t0;
    },
  },
};

export const workloads: Workload[] = [cpuRoundTrip, spawnRun];
