#!/usr/bin/env node
// Before/after measurement of a kernel change IN ONE RUN: a base git ref (default HEAD, checked
// out in a temporary `git worktree`) against the current working tree, uncommitted changes
// included. Each tree's @curio/kernel, @curio/queue and @curio/sync SOURCES are bundled with
// esbuild (no build needed; each bundle has its own kernel), then every workload runs in a fresh
// `node --expose-gc` process per side per round, the sides alternating, and the table shows the
// median per side and the ratio current/base. On a noisy shared machine absolute figures swing
// between runs: only the ratios from one run mean something.
//
// The throughput workloads time their measured loop by the worker process's own CPU time
// (process.cpuUsage(), user+system, all threads: V8's background GC and compiler work counts)
// and report rates per CPU-second: time the process spends waiting for a core while other work
// runs does not count. What it cannot take out is the other work slowing each instruction
// down (shared caches and cores): see the README for what that leaves on a loaded machine.
// `--wall` times them by wall clock instead (performance.now()).
//
//   node scripts/bench-compare.mjs [--base <git-ref>] [--rounds N] [--quick] [--wall] [filters...]
//
// `--current <git-ref>` measures that commit (in a second worktree) instead of the working
// tree: for comparing two commits, or for a noise check while the working tree is mid-edit.
//
// Filters keep the workloads whose name contains one of them (spawn-join, switch,
// queue-pingpong, lock-uncontended, heap-per-task, bundle-size).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const SELF = fileURLToPath(import.meta.url);
const root = join(dirname(SELF), '..');
const WORKER_FLAG = '--worker';
const RESULT_MARK = '@@bench-compare ';

// ---- workloads (run inside the worker, against one tree's bundle) -------------------------

const now = () => performance.now();
/** Process CPU time (user+system, all threads) in ms. */
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
/**
 * The clock the throughput workloads time their measured loop with, in ms: the process's CPU
 * time (the default) or, with --wall, wall time. The worker sets it from its arguments.
 */
let clock = cpuNow;
const CLOCKS = { cpu: cpuNow, wall: now };

function gc() {
  globalThis.gc();
  globalThis.gc();
}

function heapAfterGc() {
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Each `run(api, n)` performs ONE run and returns the measured value in `unit`; the throughput
 * ones (`unit` per second) time their measured loop with `clock()`, so with the default CPU
 * clock "/s" is per CPU-second of the process. `n` and `quickN` are sized for ~0.1-0.5 s a run
 * on a 2-core machine. Results are checked, so a bundle that
 * runs but computes wrong (say, a const enum not inlined right) fails loudly.
 */
const WORKLOADS = [
  {
    name: 'spawn-join',
    reps: 5,
    title: (n) => `spawn+join ${n / 1000}k tasks`,
    unit: 'tasks/s',
    n: 100_000,
    quickN: 100_000,
    async run({ run, newTask }, n) {
      function* child(i) {
        return i;
      }
      let sum = 0;
      const t0 = clock();
      await run(
        (function* () {
          const tasks = new Array(n);
          for (let i = 0; i < n; i++) tasks[i] = yield* newTask(child(i));
          for (let i = 0; i < n; i++) sum += yield* tasks[i].join();
        })(),
      );
      const ms = clock() - t0;
      if (sum !== (n * (n - 1)) / 2) throw new Error(`spawn-join: sum ${sum} is wrong`);
      return (n * 1000) / ms;
    },
  },
  {
    name: 'switch',
    reps: 3,
    title: (n) => `2 tasks x ${n / 1e6}M sleep(0)`,
    unit: 'switches/s',
    n: 2_000_000,
    quickN: 500_000,
    async run({ run, newTask, sleep }, n) {
      let count = 0;
      function* switcher() {
        for (let i = 0; i < n; i++) {
          yield* sleep(0);
          count++;
        }
      }
      const t0 = clock();
      await run(
        (function* () {
          const a = yield* newTask(switcher());
          const b = yield* newTask(switcher());
          yield* a.join();
          yield* b.join();
        })(),
      );
      const ms = clock() - t0;
      if (count !== 2 * n) throw new Error(`switch: ${count} switches, expected ${2 * n}`);
      return (2 * n * 1000) / ms;
    },
  },
  {
    name: 'queue-pingpong',
    reps: 3,
    title: (n) => `Queue ping-pong ${n / 1e6}M`,
    unit: 'round trips/s',
    n: 1_000_000,
    quickN: 250_000,
    async run({ run, newTask, Queue }, n) {
      let last = -1;
      const t0 = clock();
      await run(
        (function* () {
          const ping = new Queue();
          const pong = new Queue();
          const echo = yield* newTask(
            (function* () {
              for (let i = 0; i < n; i++) yield* pong.put(yield* ping.get());
            })(),
          );
          for (let i = 0; i < n; i++) {
            yield* ping.put(i);
            last = yield* pong.get();
          }
          yield* echo.join();
        })(),
      );
      const ms = clock() - t0;
      if (last !== n - 1) throw new Error(`queue-pingpong: last value ${last}, expected ${n - 1}`);
      return (n * 1000) / ms;
    },
  },
  {
    name: 'lock-uncontended',
    reps: 5,
    title: (n) => `Lock acquire+release ${n / 1e6}M`,
    unit: 'ops/s',
    n: 2_000_000,
    quickN: 500_000,
    async run({ run, Lock }, n) {
      let held = 0;
      const t0 = clock();
      await run(
        (function* () {
          const lock = new Lock();
          for (let i = 0; i < n; i++) {
            yield* lock.acquire();
            if (lock.locked()) held++;
            yield* lock.release();
          }
        })(),
      );
      const ms = clock() - t0;
      if (held !== n) throw new Error(`lock-uncontended: held ${held} of ${n} times`);
      return (n * 1000) / ms;
    },
  },
  {
    name: 'heap-per-task',
    reps: 1,
    title: (n) => `heap/parked task (${n / 1000}k)`,
    unit: 'B/task',
    higherIsBetter: false,
    cpuBound: false,
    n: 100_000,
    quickN: 100_000,
    async run({ run, newTask, sleep }, n) {
      function* blocked() {
        yield* sleep(60_000);
      }
      let perTask = Number.NaN;
      // Daemon tasks: run()'s shutdown cancels them.
      await run(
        (function* () {
          const before = heapAfterGc();
          for (let i = 0; i < n; i++) yield* newTask(blocked(), { daemon: true });
          yield* sleep(10);
          perTask = (heapAfterGc() - before) / n;
        })(),
      );
      return perTask;
    },
  },
  {
    name: 'bundle-size',
    title: () => 'run+sleep min+gz',
    unit: 'KB',
    higherIsBetter: false,
    inParent: true, // deterministic: measured once per tree by the parent, no rounds
  },
];

/**
 * Worker mode:
 * `node --expose-gc bench-compare.mjs --worker <bundle> <workload> <n> <reps> <cpu|wall>`.
 * One warm-up run, then `reps` measured runs (a full GC before each); the process's value is
 * their median.
 */
async function worker([bundle, name, n, reps, clockName]) {
  clock = CLOCKS[clockName];
  if (!clock) throw new Error(`worker: unknown clock ${clockName}`);
  const api = await import(pathToFileURL(bundle).href);
  const w = WORKLOADS.find((x) => x.name === name);
  gc();
  await w.run(api, Number(n)); // warm-up
  const values = [];
  let cpuTime = 0;
  let wall = 0;
  for (let i = 0; i < Number(reps); i++) {
    gc();
    const cpu0 = process.cpuUsage();
    const t0 = now();
    const value = await w.run(api, Number(n));
    wall += now() - t0;
    const cpu = process.cpuUsage(cpu0);
    cpuTime += (cpu.user + cpu.system) / 1000;
    if (!Number.isFinite(value)) throw new Error(`${name}: measured ${value}`);
    values.push(value);
  }
  const result = { value: median(values), values, cpuShare: cpuTime / wall };
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
}

// ---- parent: worktree, bundles, rounds, table ----------------------------------------------

const USAGE = `usage: node scripts/bench-compare.mjs [--base <git-ref>] [--rounds N] [--quick] [--wall] [filters...]
  --base <ref>     the "before" side (default HEAD)
  --current <ref>  the "after" side: a commit instead of the working tree (default: the working
                   tree as it is, uncommitted changes included)
  --rounds N       fresh processes per side per workload (default 5; 3 with --quick)
  --quick          smaller iteration counts and 3 rounds
  --wall           time the throughput workloads by wall clock (default: the worker process's
                   CPU time, user+system: rates per CPU-second, waiting for a core not counted)
  filters          keep workloads whose name contains one of them:
                   ${WORKLOADS.map((w) => w.name).join(', ')}`;

function parseArgs(argv) {
  const opts = {
    base: 'HEAD',
    current: undefined,
    rounds: undefined,
    quick: false,
    clock: 'cpu',
    filters: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--base') opts.base = argv[++i];
    else if (a === '--current') opts.current = argv[++i] ?? '';
    else if (a === '--rounds') opts.rounds = Number(argv[++i]);
    else if (a === '--quick') opts.quick = true;
    else if (a === '--wall') opts.clock = 'wall';
    else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('-')) fail(`unknown option ${a}\n${USAGE}`);
    else opts.filters.push(a);
  }
  if (!opts.base) fail(`--base needs a git ref\n${USAGE}`);
  if (opts.current === '') fail(`--current needs a git ref\n${USAGE}`);
  opts.rounds ??= opts.quick ? 3 : 5;
  if (!Number.isInteger(opts.rounds) || opts.rounds < 1) fail(`--rounds needs a positive integer`);
  return opts;
}

function fail(message) {
  console.error(`bench-compare: ${message}`);
  process.exit(2);
}

const git = (...args) =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();

// Temporary state the cleanup must undo, on success, error and signals alike.
let tmp;
const worktrees = [];
let running; // the worker process in flight
let cleaned = false;

function cleanup() {
  if (cleaned) return;
  cleaned = true;
  running?.kill('SIGKILL');
  for (const worktree of worktrees) {
    try {
      git('worktree', 'remove', '--force', worktree);
    } catch {
      rmSync(worktree, { recursive: true, force: true });
      try {
        git('worktree', 'prune');
      } catch {}
    }
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

function installCleanup() {
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      console.error(`\nbench-compare: ${signal}, removing the temporary worktree(s)`);
      cleanup();
      process.exit(130);
    });
  }
}

// Node builtins stay external (as in check-size.mjs); '@curio/kernel' resolves to `kernelEntry`
// of the tree being bundled (the queue and sync sources import it), so the two sides' bundles
// never share a kernel.
function curioPlugin(tree, kernelEntry) {
  const kernelJson = JSON.parse(readFileSync(join(tree, 'packages/kernel/package.json'), 'utf8'));
  return {
    name: 'curio-tree',
    setup(b) {
      const builtins = new Set(builtinModules);
      b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
        const bare = args.path.replace(/^node:/, '');
        if (args.path.startsWith('node:') || builtins.has(bare)) {
          return { path: `node:${bare}`, external: true };
        }
        return undefined;
      });
      b.onResolve({ filter: /^@curio\/kernel$/ }, () => ({
        path: kernelEntry,
        // Plugin-resolved paths do not get package.json sideEffects from esbuild: pass it on.
        sideEffects: kernelJson.sideEffects === false ? false : undefined,
      }));
      b.onResolve({ filter: /^@curio\// }, (args) => ({
        errors: [{ text: `${args.path}: only @curio/kernel is mapped to the tree's source` }],
      }));
    },
  };
}

const RUNTIME_ENTRY = `export { run, sleep, newTask } from './packages/kernel/src/index.ts';
export { Queue } from './packages/queue/src/index.ts';
export { Lock } from './packages/sync/src/index.ts';
`;

/** The runtime bundle for the workers, from the tree's sources (unminified). */
async function runtimeBundle(esbuild, tree, outfile) {
  const result = await esbuild.build({
    stdin: { contents: RUNTIME_ENTRY, resolveDir: tree, loader: 'js', sourcefile: 'entry.js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    minify: false,
    write: false,
    logLevel: 'silent',
    // Paths in the bundle's comments are relative to the tree: identical sources give
    // byte-identical bundles, whichever tree they come from.
    absWorkingDir: tree,
    outfile,
    plugins: [curioPlugin(tree, join(tree, 'packages/kernel/src/index.ts'))],
  });
  const code = result.outputFiles[0].text;
  // One kernel per bundle: the queue and sync sources' '@curio/kernel' is the same module.
  const kernels = code.split('\n// packages/kernel/src/kernel.ts\n').length - 1;
  if (kernels !== 1) throw new Error(`the bundle of ${tree} holds ${kernels} copies of the kernel`);
  writeFileSync(outfile, code);
  return code;
}

/**
 * check-size.mjs's "import { run, sleep } from '@curio/kernel'" figure, in bytes min+gz, for a
 * tree. check-size bundles the package's BUILT ESM entry; an esbuild bundle of the source
 * comes out larger (tsup's rollup tree-shaking pass drops more: unused trap definitions, a
 * debug flag's dead branches), so the tree's kernel is first built the way
 * packages/kernel/tsup.config.ts builds it (esm, es2022, treeshake) into the temporary
 * directory, then bundled, minified and gzipped exactly as check-size does.
 */
async function kernelSize(esbuild, tsup, tree, label) {
  const outDir = join(tmp, `${label}-kernel-dist`);
  await tsup.build({
    entry: { index: join(tree, 'packages/kernel/src/index.ts') },
    format: ['esm'],
    target: 'es2022',
    treeshake: true,
    outDir,
    clean: false,
    dts: false,
    sourcemap: false,
    silent: true,
    config: false,
    tsconfig: join(tree, 'packages/kernel/tsconfig.json'),
  });
  // '.mjs' unless the working directory's package.json says "type": "module".
  const entry = ['index.mjs', 'index.js'].map((f) => join(outDir, f)).find((f) => existsSync(f));
  const result = await esbuild.build({
    stdin: {
      contents: "export { run, sleep } from '@curio/kernel';",
      resolveDir: outDir,
      loader: 'js',
      sourcefile: 'entry.js',
    },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    write: false,
    outfile: join(outDir, 'size.js'),
    logLevel: 'silent',
    plugins: [curioPlugin(tree, entry)],
  });
  return gzipSync(result.outputFiles[0].contents, { level: 9 }).length;
}

/** Runs one worker; resolves { value, cpuShare } or { error }. */
function runWorker(bundle, workload, n, clockName) {
  return new Promise((resolve) => {
    const args = [bundle, workload.name, String(n), String(workload.reps), clockName];
    const child = spawn(process.execPath, ['--expose-gc', SELF, WORKER_FLAG, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running = child;
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running = undefined;
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARK));
      if (code === 0 && line) resolve(JSON.parse(line.slice(RESULT_MARK.length)));
      else {
        const why = err.trim().split('\n').slice(-3).join(' | ') || `exit ${code ?? signal}`;
        resolve({ error: why });
      }
    });
  });
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The unit column: with the CPU clock a rate is per CPU-second ("tasks/CPU-s"). */
function unitLabel(unit, clockName) {
  return clockName === 'cpu' && unit.endsWith('/s') ? `${unit.slice(0, -2)}/CPU-s` : unit;
}

function fmt(v, unit) {
  if (!Number.isFinite(v)) return '-';
  if (unit === 'KB') return (v / 1024).toFixed(2);
  if (unit === 'B/task') return v.toFixed(1);
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return v.toFixed(1);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const selected = WORKLOADS.filter(
    (w) => opts.filters.length === 0 || opts.filters.some((f) => w.name.includes(f)),
  );
  if (selected.length === 0) fail(`no workload matches ${opts.filters.join(', ')}\n${USAGE}`);

  const commit = (ref) => {
    try {
      return git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
    } catch {
      return fail(`${ref} is not a commit`);
    }
  };
  const baseSha = commit(opts.base);
  const currentSha = opts.current === undefined ? undefined : commit(opts.current);
  let currentText;
  if (currentSha) currentText = `${opts.current} (${currentSha.slice(0, 10)})`;
  else {
    const head = git('rev-parse', 'HEAD').slice(0, 10);
    const paths = ['packages/kernel', 'packages/queue', 'packages/sync'];
    const dirty = git('status', '--porcelain', '--', ...paths)
      .split('\n')
      .filter(Boolean);
    currentText =
      `the working tree (HEAD ${head}, ${dirty.length} changed path(s) under ` +
      'packages/{kernel,queue,sync})';
  }

  const esbuild = await import('esbuild');
  installCleanup();
  tmp = mkdtempSync(join(tmpdir(), 'curio-bench-compare-'));
  const checkout = (name, sha) => {
    const dir = join(tmp, name);
    worktrees.push(dir);
    git('worktree', 'add', '--detach', dir, sha);
    return dir;
  };
  const sides = [
    { label: 'base', tree: checkout('base', baseSha), bundle: join(tmp, 'base.mjs') },
    {
      label: 'current',
      tree: currentSha ? checkout('current', currentSha) : root,
      bundle: join(tmp, 'current.mjs'),
    },
  ];
  const needSize = selected.some((w) => w.inParent);
  const tsup = needSize ? await import('tsup') : undefined;
  for (const side of sides) {
    try {
      side.code = await runtimeBundle(esbuild, side.tree, side.bundle);
      if (needSize) side.gzip = await kernelSize(esbuild, tsup, side.tree, side.label);
    } catch (err) {
      const msgs = err.errors?.map((e) => `${e.location?.file ?? ''} ${e.text}`).join('\n  ');
      throw new Error(`bundling the ${side.label} tree failed:\n  ${msgs ?? err.message}`);
    }
  }
  await esbuild.stop?.();
  const identical = sides[0].code === sides[1].code;

  const [l1] = loadavg();
  console.log(
    `bench-compare: base ${opts.base} (${baseSha.slice(0, 10)}) vs current = ${currentText}`,
  );
  console.log(
    `node ${process.version}, ${cpus().length} CPUs, load average ${l1.toFixed(2)} at start; ` +
      `${opts.rounds} round(s) of one fresh process per side per workload, sides alternating ` +
      `(each process: a warm-up run, then measured runs whose median is its value)` +
      `${opts.quick ? '; --quick counts' : ''}`,
  );
  console.log(
    opts.clock === 'cpu'
      ? 'timing: CPU time: throughput = operations per CPU-second of the worker process ' +
          '(process.cpuUsage() user+system around the measured loop; --wall for wall clock)'
      : 'timing: wall clock: throughput = operations per wall-clock second ' +
          '(performance.now() around the measured loop)',
  );
  if (identical) {
    console.log('note: the two runtime bundles are byte-identical: ratios show the noise floor');
  }

  const results = new Map(selected.map((w) => [w.name, { base: [], current: [], errors: [] }]));
  const starved = [];
  const started = Date.now();
  for (let r = 0; r < opts.rounds; r++) {
    // Alternate which side goes first, so a drift in the machine's load hits both alike.
    const order = r % 2 === 0 ? sides : [sides[1], sides[0]];
    const progress = [];
    for (const w of selected) {
      if (w.inParent) continue;
      const n = opts.quick ? w.quickN : w.n;
      for (const side of order) {
        const res = await runWorker(side.bundle, w, n, opts.clock);
        const slot = results.get(w.name);
        if (res.error) slot.errors.push(`${side.label}: ${res.error}`);
        else {
          slot[side.label].push(res.value);
          if (w.cpuBound !== false && res.cpuShare < 0.8) starved.push(`${w.name} ${side.label}`);
        }
      }
      const slot = results.get(w.name);
      progress.push(
        `${w.name} ${fmt(slot.base.at(-1), w.unit)}/${fmt(slot.current.at(-1), w.unit)}`,
      );
    }
    const secs = ((Date.now() - started) / 1000).toFixed(0);
    console.error(
      `round ${r + 1}/${opts.rounds} (${secs} s, base/current): ${progress.join(', ')}`,
    );
  }
  for (const w of selected) {
    if (!w.inParent) continue;
    const slot = results.get(w.name);
    slot.base.push(sides[0].gzip);
    slot.current.push(sides[1].gzip);
  }

  const rows = [
    [
      'workload',
      'unit',
      'better',
      'base',
      'current',
      'ratio',
      'verdict',
      'base min-max',
      'current min-max',
    ],
  ];
  const errors = [];
  for (const w of selected) {
    const { base, current, errors: errs } = results.get(w.name);
    const n = opts.quick ? w.quickN : w.n;
    const higher = w.higherIsBetter !== false;
    const bm = base.length ? median(base) : Number.NaN;
    const cm = current.length ? median(current) : Number.NaN;
    const ratio = cm / bm;
    const range = (v) =>
      w.inParent || v.length === 0
        ? '-'
        : `${fmt(Math.min(...v), w.unit)}-${fmt(Math.max(...v), w.unit)}`;
    let verdict;
    if (!Number.isFinite(ratio)) verdict = 'error';
    else if (bm === cm) verdict = 'same';
    else if (!w.inParent && (base.length < 2 || current.length < 2))
      verdict = '-'; // 1 round
    else if (
      !w.inParent &&
      Math.max(...base) >= Math.min(...current) &&
      Math.max(...current) >= Math.min(...base)
    )
      verdict = 'noise'; // the min-max ranges overlap
    else verdict = cm > bm === higher ? 'better' : 'worse';
    rows.push([
      w.title(n),
      unitLabel(w.unit, opts.clock),
      higher ? 'higher' : 'lower',
      fmt(bm, w.unit),
      fmt(cm, w.unit),
      Number.isFinite(ratio) ? `${ratio.toFixed(3)}x` : '-',
      verdict,
      range(base),
      range(current),
    ]);
    for (const e of errs) errors.push(`${w.name} ${e}`);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row) =>
    row
      .map((cell, i) => (i <= 2 || i === 6 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  console.log('');
  console.log(line(rows[0]));
  console.log(line(widths.map((wd) => '-'.repeat(wd))));
  for (const row of rows.slice(1)) console.log(line(row));
  console.log('');
  console.log(
    'ratio = current median / base median. "better": higher-is-better units improve with a ratio ' +
      '> 1, lower-is-better ones (B/task, KB) with a ratio < 1. verdict "noise": the min-max ' +
      'ranges of the two sides overlap.',
  );
  if (selected.some((w) => w.name === 'bundle-size') && sides[0].gzip !== sides[1].gzip) {
    console.log(`bundle-size: ${sides[0].gzip} -> ${sides[1].gzip} bytes min+gz`);
  }
  if (starved.length) {
    // A CPU-bound process that got well under 100% of a core was starved by other work on the
    // machine. By wall clock its figure is low, and many of them mean the spreads above are
    // mostly the machine; by CPU time the waiting does not count, but a crowded machine still
    // costs some CPU time (caches and branch predictors shared with the other work).
    const counts = new Map();
    for (const s of starved) counts.set(s, (counts.get(s) ?? 0) + 1);
    const list = [...counts].map(([k, c]) => `${k} ${c}x`).join(', ');
    const effect = opts.clock === 'wall' ? 'their wall-clock rates are low' : 'waiting not counted';
    console.log(`CPU-starved processes (CPU time < 80% of wall time; ${effect}): ${list}`);
  }
  const total = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`bench-compare: done in ${total} s; load average ${loadavg()[0].toFixed(2)} at end`);
  if (errors.length) {
    console.error(`bench-compare: ${errors.length} failed run(s):`);
    for (const e of errors) console.error(`  ${e}`);
    process.exitCode = 1;
  }
}

if (process.argv[2] === WORKER_FLAG) {
  await worker(process.argv.slice(3));
} else {
  try {
    await main();
  } catch (err) {
    console.error(`bench-compare: ${err.message}`);
    process.exitCode = 1;
  } finally {
    cleanup();
  }
}
