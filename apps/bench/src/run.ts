// `pnpm bench [filter...]`: run every workload (or those whose name contains a filter; also
// env BENCH_FILTER, comma or space separated) on every system, each in a fresh process.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, join } from 'node:path';
import {
  discover,
  distDir,
  formatNumber,
  formatRatio,
  matches,
  renderTable,
  runSystems,
  type SystemOutcome,
  spread,
  type Workload,
} from './harness.js';

interface WorkloadResult {
  name: string;
  title: string;
  unit: string;
  higherIsBetter: boolean;
  target?: string;
  systems: Record<string, SystemOutcome>;
  /** 'PASS' | 'MISS' | 'n/a' (no check, or a system failed). */
  status: 'PASS' | 'MISS' | 'n/a';
  miss?: string;
  error?: string;
}

function checkTarget(w: Workload, systems: Record<string, SystemOutcome>): WorkloadResult {
  const base: WorkloadResult = {
    name: w.name,
    title: w.title,
    unit: w.unit,
    higherIsBetter: w.higherIsBetter ?? true,
    target: w.target,
    systems,
    status: 'n/a',
  };
  const failed = Object.entries(systems).filter(([, o]) => o.error !== undefined);
  if (failed.length > 0) {
    base.error = failed.map(([s, o]) => `${s}: ${o.error}`).join('; ');
    return base;
  }
  if (w.check === undefined) return base;
  const medians: Record<string, number> = {};
  for (const [s, o] of Object.entries(systems)) medians[s] = o.median;
  try {
    const miss = w.check(medians);
    if (miss === undefined) base.status = 'PASS';
    else {
      base.status = 'MISS';
      base.miss = miss;
    }
  } catch (err) {
    base.status = 'MISS';
    base.miss = `check failed: ${err instanceof Error ? err.message : String(err)}`;
  }
  return base;
}

function rows(r: WorkloadResult): string[][] {
  const names = Object.keys(r.systems);
  const ours = names[0];
  const oursMedian = r.systems[ours]?.median ?? Number.NaN;
  const dir = r.higherIsBetter ? '' : ' (lower is better)';
  return names.map((s, i) => {
    const o = r.systems[s];
    const value =
      o.error !== undefined ? 'ERROR' : `${formatNumber(o.median)} ${r.unit}${i === 0 ? dir : ''}`;
    let vs = '';
    if (i > 0 && o.error === undefined && Number.isFinite(oursMedian) && o.median !== 0) {
      // Ratios always read "how many times better": for lower-is-better units, theirs / ours.
      const better = r.higherIsBetter ? oursMedian / o.median : o.median / oursMedian;
      vs = `${ours} is ${formatRatio(better)} ${r.higherIsBetter ? '' : 'better than '}${s}`;
    }
    let mark = '';
    if (i === 0) {
      if (r.status === 'PASS') mark = 'PASS';
      else if (r.status === 'MISS') mark = `MISS: ${r.miss}`;
    }
    if (o.error !== undefined) mark = `error: ${o.error}`;
    return [i === 0 ? r.title : '', s, value, vs, i === 0 ? (r.target ?? '') : '', mark];
  });
}

async function main(): Promise<number> {
  const fromEnv = (process.env.BENCH_FILTER ?? '').split(/[\s,]+/).filter((f) => f !== '');
  const filters = [...process.argv.slice(2).filter((a) => a !== '--'), ...fromEnv];
  const files = await discover();
  // A module that cannot even be imported is a crashed workload, named after its file.
  const broken = files.filter(
    (f) => f.error !== undefined && matches(basename(f.file, '.js'), filters),
  );
  const selected = files.flatMap(({ file, workloads }) =>
    workloads.filter((w) => matches(w.name, filters)).map((w) => ({ file, w })),
  );
  if (selected.length === 0 && broken.length === 0) {
    console.log(`bench: no workload matches ${JSON.stringify(filters)}`);
    return 0;
  }
  const load = () => loadavg()[0].toFixed(1);
  const loadAtStart = load();
  console.log(
    `bench: ${selected.length} workload(s) on node ${process.version}, ${cpus().length} CPU(s), ` +
      `load average ${loadAtStart}${filters.length > 0 ? `, filter ${filters.join(' ')}` : ''}`,
  );
  if (loadavg()[0] > cpus().length * 0.75) {
    console.log('bench: warning: the machine is busy; timings will be noisy and low');
  }
  const results: WorkloadResult[] = [];
  const started = Date.now();
  for (const f of broken) {
    const name = basename(f.file, '.js');
    console.log(`  ${name}: ERROR cannot import ${f.file}: ${f.error}`);
    const outcome = { values: [], median: Number.NaN, error: `import failed: ${f.error}`, ms: 0 };
    results.push({
      name,
      title: `${name}.js`,
      unit: '',
      higherIsBetter: true,
      systems: { '(module)': outcome },
      status: 'n/a',
      error: outcome.error,
    });
  }
  for (const { file, w } of selected) {
    const systems = await runSystems(file, w, (s, o) => {
      const shown =
        o.error !== undefined ? `ERROR ${o.error}` : `${formatNumber(o.median)} ${w.unit}`;
      const share =
        o.cpuShare === undefined ? '' : `, cpu ${(o.cpuShare * 100).toFixed(0)}% of wall`;
      const each =
        w.rounds !== undefined && w.rounds > 1
          ? `; runs ${o.values.map(formatNumber).join(', ')}, spread ±${(spread(o.values) * 100).toFixed(0)}%`
          : '';
      console.log(`  ${w.name} / ${s}: ${shown} (${(o.ms / 1000).toFixed(1)} s${share}${each})`);
    });
    results.push(checkTarget(w, systems));
  }
  const header = ['workload', 'system', 'median', 'vs first', 'target', 'check'];
  console.log();
  console.log(renderTable(header, results.flatMap(rows)));
  console.log();

  const outDir = join(distDir, '..', 'results');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, 'latest.json');
  writeFileSync(
    outFile,
    `${JSON.stringify(
      {
        date: new Date(started).toISOString(),
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        loadAverage: { start: Number(loadAtStart), end: Number(load()) },
        filters,
        results,
      },
      null,
      2,
    )}\n`,
  );
  const count = (st: WorkloadResult['status']) =>
    results.filter((r) => r.status === st && r.error === undefined).length;
  const crashed = results.filter((r) => r.error !== undefined).length;
  console.log(
    `bench: ${results.length} workloads, ${count('PASS')} PASS, ${count('MISS')} MISS, ` +
      `${count('n/a')} unchecked, ${crashed} crashed in ${((Date.now() - started) / 1000).toFixed(0)} s` +
      ` (load average ${loadAtStart} -> ${load()}) -> results/latest.json`,
  );
  return crashed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
