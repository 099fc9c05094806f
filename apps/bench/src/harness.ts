// The benchmark harness: the Workload interface, the helpers workloads use, and the
// machinery run.ts and worker.ts share (discovery, worker protocol, medians, formatting).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * One benchmark, measured on several systems side by side. Each file under
 * `src/workloads/` exports `export const workloads: Workload[]`.
 */
export interface Workload {
  /** Unique, kebab-case, e.g. 'queue-pingpong'. Command-line filters match substrings of it. */
  name: string;
  /** Shown in the table. */
  title: string;
  /** Unit of the measured value, e.g. 'msgs/s', 'ops/s', 'MB/s', 'ms'. */
  unit: string;
  /** Default true. */
  higherIsBetter?: boolean;
  /** Measured runs per system (default 5; the median is reported). */
  runs?: number;
  /** Do one unmeasured warm-up run first (default true). */
  warmup?: boolean;
  /**
   * Split the runs into this many rounds (default 1): each round runs every system once, in
   * turn (every other round in reverse order), in a fresh worker, so a change in the
   * machine's load hits every system alike. For comparisons near a threshold. Each round's
   * worker does its own warm-up.
   */
  rounds?: number;
  /** Shown in the table, e.g. '>= 5M msgs/s, >= 5x effect'. */
  target?: string;
  /**
   * First key is "ours" (curio). Each call performs ONE run and returns the measured value
   * in `unit`. Each system runs in its own fresh node process.
   */
  systems: Record<string, () => Promise<number>>;
  /**
   * Machine check of `target`: given the median of every system that ran, return a
   * description of the miss, or `undefined` when the target is met.
   */
  check?: (medians: Record<string, number>) => string | undefined;
  /** Extra node flags for the worker process, e.g. ['--max-old-space-size=4096']. */
  nodeArgs?: string[];
  /** Kill a worker that runs longer than this (ms, default 300000). */
  timeoutMs?: number;
}

// ---- helpers for workloads ------------------------------------------------------------

/** A monotonic clock in milliseconds. */
export const now = (): number => performance.now();

/** Full garbage collection (the worker runs with --expose-gc). Runs it twice to settle. */
export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (typeof collect !== 'function') {
    throw new Error('gc() needs node --expose-gc (run workloads through dist/run.js)');
  }
  collect();
  collect();
}

/** Bytes of JS heap (and ArrayBuffer contents) in use after a full GC. */
export function heapAfterGc(): number {
  gc();
  // Typed arrays' and Buffers' contents live outside V8's heap: counted too (the kernel keeps
  // its timers' deadlines in a Float64Array).
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Operations per second for `count` operations that took `ms` milliseconds. */
export function perSecond(count: number, ms: number): number {
  return (count * 1000) / ms;
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so every system sees the same data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- machinery ------------------------------------------------------------------------

/** The directory holding the built harness (dist/). */
export const distDir = dirname(fileURLToPath(import.meta.url));

/** A workload module found under dist/workloads/ (or the error that stopped its import). */
export interface WorkloadFile {
  file: string;
  workloads: Workload[];
  error?: string;
}

/** Import every dist/workloads/*.js and collect their `workloads`. */
export async function discover(dir = join(distDir, 'workloads')): Promise<WorkloadFile[]> {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.js'))
      .sort();
  } catch {
    return [];
  }
  const found: WorkloadFile[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      const mod = (await import(pathToFileURL(file).href)) as { workloads?: unknown };
      if (!Array.isArray(mod.workloads)) throw new Error('must export "workloads: Workload[]"');
      found.push({ file, workloads: mod.workloads as Workload[] });
    } catch (err) {
      const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      found.push({ file, workloads: [], error: why.split('\n')[0] });
    }
  }
  return found;
}

/** True if `name` matches one of the filters (substring), or there are none. */
export function matches(name: string, filters: readonly string[]): boolean {
  return filters.length === 0 || filters.some((f) => name.includes(f));
}

/** The median of `values` (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** How far the runs swing: (max - min) / 2 over the median (0.1 is ±10%). */
export function spread(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return (Math.max(...values) - Math.min(...values)) / 2 / median(values);
}

/** Marks the worker's result line on stdout (workloads may print too). */
export const RESULT_MARK = '@@bench-result ';

/** What a worker reports. */
export interface WorkerResult {
  values?: number[];
  warmup?: number;
  /** CPU time (user + system, all threads) and wall time of the measured runs, in ms. */
  cpuMs?: number;
  wallMs?: number;
  error?: string;
}

/** Outcome of one system of one workload. */
export interface SystemOutcome {
  values: number[];
  median: number;
  error?: string;
  /** Wall time of the whole worker process, in ms. */
  ms: number;
  /** CPU time over wall time of the measured runs (low when the machine is busy, or the
   * workload waits on timers). */
  cpuShare?: number;
}

/** Spawn a fresh node worker for one system of one workload and collect its result. */
export function runWorker(
  file: string,
  workload: Workload,
  system: string,
  runs: number = workload.runs ?? 5,
): Promise<SystemOutcome> {
  const started = now();
  const args = [
    '--expose-gc',
    ...(workload.nodeArgs ?? []),
    join(distDir, 'worker.js'),
    file,
    workload.name,
    system,
    String(runs),
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    const limit = workload.timeoutMs ?? 300_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limit);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = now() - started;
      const line = out
        .split('\n')
        .reverse()
        .find((l) => l.startsWith(RESULT_MARK));
      let result: WorkerResult | undefined;
      if (line !== undefined) {
        try {
          result = JSON.parse(line.slice(RESULT_MARK.length)) as WorkerResult;
        } catch {
          result = undefined;
        }
      }
      if (result?.values !== undefined && result.error === undefined) {
        const { cpuMs, wallMs } = result;
        const cpuShare =
          cpuMs !== undefined && wallMs !== undefined && wallMs > 0 ? cpuMs / wallMs : undefined;
        resolve({ values: result.values, median: median(result.values), ms, cpuShare });
        return;
      }
      const why =
        result?.error ??
        (timedOut
          ? `timed out after ${limit} ms`
          : `worker exited (${signal ?? `code ${code}`}): ${lastLines(err) || 'no output'}`);
      resolve({ values: [], median: Number.NaN, error: why, ms });
    });
  });
}

/**
 * Run every system of `workload`, each in fresh workers: all its runs in one worker, or with
 * `rounds`, round by round with the systems taking turns. `onDone` sees each system's outcome.
 */
export async function runSystems(
  file: string,
  workload: Workload,
  onDone: (system: string, outcome: SystemOutcome) => void,
): Promise<Record<string, SystemOutcome>> {
  const names = Object.keys(workload.systems);
  const runs = workload.runs ?? 5;
  const rounds = Math.max(1, Math.min(workload.rounds ?? 1, runs));
  const parts: Record<string, SystemOutcome[]> = {};
  for (let r = 0; r < rounds; r++) {
    // Spread the runs over the rounds: 5 runs in 2 rounds are 3 + 2.
    const inRound = Math.floor(runs / rounds) + (r < runs % rounds ? 1 : 0);
    // Every other round in reverse (A B, B A, ...): a drifting machine load favours no system.
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const s of order) (parts[s] ??= []).push(await runWorker(file, workload, s, inRound));
  }
  const systems: Record<string, SystemOutcome> = {};
  for (const s of names) {
    const list = parts[s]!;
    const values = list.flatMap((o) => o.values);
    const failed = list.find((o) => o.error !== undefined);
    const shares = list.flatMap((o) => (o.cpuShare === undefined ? [] : [o.cpuShare]));
    systems[s] = {
      values,
      median: failed === undefined ? median(values) : Number.NaN,
      ms: list.reduce((sum, o) => sum + o.ms, 0),
      ...(failed !== undefined && { error: failed.error }),
      ...(shares.length > 0 && { cpuShare: shares.reduce((a, b) => a + b, 0) / shares.length }),
    };
    onDone(s, systems[s]);
  }
  return systems;
}

function lastLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}

/** A number in a short readable form: 2.31M, 412k, 98.7, 0.53. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** A ratio like 31.2x (or 0.031x). */
export function formatRatio(r: number): string {
  if (!Number.isFinite(r)) return String(r);
  if (r >= 100) return `${r.toFixed(0)}x`;
  if (r >= 10) return `${r.toFixed(1)}x`;
  if (r >= 0.1) return `${r.toFixed(2)}x`;
  return `${r.toPrecision(2)}x`;
}

/** Render rows as a plain-text table with a header rule. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}
