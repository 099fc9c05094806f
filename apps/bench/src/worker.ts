// One fresh process per (workload, system):
//   node --expose-gc dist/worker.js <workload file> <workload name> <system> [runs]
// Does one warm-up run, then `runs` measured runs, and prints the values as one JSON line.
import { pathToFileURL } from 'node:url';
import { RESULT_MARK, type WorkerResult, type Workload } from './harness.js';

function report(result: WorkerResult): void {
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
}

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

async function main(): Promise<void> {
  const [file, name, system, runsArg] = process.argv.slice(2);
  if (file === undefined || name === undefined || system === undefined) {
    throw new Error('usage: node --expose-gc dist/worker.js <file> <workload> <system> [runs]');
  }
  const mod = (await import(pathToFileURL(file).href)) as { workloads?: Workload[] };
  const workload = mod.workloads?.find((w) => w.name === name);
  if (workload === undefined) throw new Error(`${file}: no workload named "${name}"`);
  const fn = workload.systems[system];
  if (typeof fn !== 'function') throw new Error(`${name}: no system named "${system}"`);
  const gc = (globalThis as { gc?: () => void }).gc;
  const runs = runsArg === undefined ? (workload.runs ?? 5) : Number(runsArg);
  let cpuMs = 0;
  let wallMs = 0;
  const measure = async (): Promise<number> => {
    gc?.();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const value = await fn();
    wallMs += performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpuMs += (c.user + c.system) / 1000;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Error(`${name}/${system} returned ${String(value)}, not a finite number`);
    }
    return value;
  };
  const warmup = workload.warmup === false ? undefined : await measure();
  cpuMs = wallMs = 0;
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await measure());
  report({ values, warmup, cpuMs, wallMs });
}

main().then(
  // Leftover timers or handles of a system must not keep the worker alive.
  () => process.exit(0),
  (err: unknown) => {
    report({ error: describeError(err) });
    process.exit(1);
  },
);
