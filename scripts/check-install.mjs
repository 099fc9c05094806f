#!/usr/bin/env node
// Installs the packages as a user does and uses them there. Packs every public package
// (`pnpm pack`, as `pnpm publish` would upload it), installs all the tarballs with plain
// `npm install` into a new project under the system's temp folder (outside the workspace:
// every curio package comes from a tarball, third-party dependencies and @types/node from the
// npm registry), and there:
// 1. checks the install: every curio package once, from its tarball, one @curio/kernel, and no
//    package whose real path is in the workspace;
// 2. imports each package from ESM and from CJS and runs a one-line program with it (Node
//    resolves every import inside the project);
// 3. typechecks a file that imports every package with `strict`, under `moduleResolution`
//    node16 (an ESM and a CJS file) and bundler, with the workspace's TypeScript; every type
//    file it reads is in the project (or TypeScript's own lib);
// 4. bundles the browser example (apps/examples/browser/main.ts) with esbuild for the browser,
//    and `import { run, sleep, Queue } from 'curio'` for the neutral platform: no Node builtin
//    and no I/O package in either.
// Run after `turbo run build`. Arguments (package folder names) narrow step 2.
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { IO_PACKAGES, listPackages, root } from './lib/workspace.mjs';

const exec = promisify(execFile);
const bin = (name) => join(root, 'node_modules', '.bin', name);
const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const problems = [];
const inside = (path, dir) => path === dir || path.startsWith(dir + sep);

// One line of code per package, run with `k` (@curio/kernel), `m` (the package) and `stream`
// (node:stream) in scope: [body of a generator function, its expected result, run options, what
// to await after run]. A package without a line gets the default: it imports and has exports.
const PROGRAMS = {
  kernel: ['yield* k.sleep(1); return "slept";', 'slept'],
  sync: [
    'const lock = new m.Lock(); yield* lock.acquire(); const held = lock.locked(); yield* lock.release(); return held;',
    true,
  ],
  queue: ['const q = new m.Queue(); yield* q.put("item"); return yield* q.get();', 'item'],
  io: [
    'const s = new m.Stream(stream.Readable.from([Buffer.from("read")])); return (yield* s.readall()).toString();',
    'read',
  ],
  socket: [
    'const [a, b] = m.socketpair(); yield* a.sendall(Buffer.from("ping")); const got = (yield* b.recv(10)).toString(); yield* a.close(); yield* b.close(); return got;',
    'ping',
  ],
  ssl: ['return m.createDefaultContext().checkHostname;', true],
  net: [
    'const server = m.createServer("127.0.0.1", 0, function* (c) { yield* c.sendall(yield* c.recv(100)); }); const serving = yield* k.newTask(server.serveForever()); const sock = yield* m.openConnection("127.0.0.1", server.address[1]); yield* sock.sendall(Buffer.from("echo")); const got = (yield* sock.recv(100)).toString(); yield* sock.close(); yield* serving.cancel(); return got;',
    'echo',
  ],
  subprocess: [
    'return (yield* m.checkOutput([process.execPath, "-e", "process.stdout.write(\'child\')"])).toString();',
    'child',
  ],
  signal: [
    'return yield* k.asyncWith(new m.SignalSet("SIGUSR2"), function* (s) { process.kill(process.pid, "SIGUSR2"); return yield* s.wait({ timeout: 10000 }); });',
    'SIGUSR2',
  ],
  executors: [
    'return yield* m.runCpuBound((a, b) => a + b, [2, 3]);',
    5,
    undefined,
    'm.shutdownExecutors()',
  ],
  // The kernel finds @curio/monitor as it resolves packages itself.
  monitor: ['yield* k.sleep(1); return "monitored";', 'monitored', '{ withMonitor: true }'],
  // One span per task through the no-op tracer of @opentelemetry/api (a peer dependency).
  otel: ['yield* k.sleep(1); return "traced";', 'traced', '{ activations: [m.otel()] }'],
  curio: [
    'const q = new m.Queue(); yield* m.newTask(q.put("umbrella")); const out = yield* m.subprocess.checkOutput([process.execPath, "-e", "process.stdout.write(\'!\')"]); return (yield* q.get()) + out;',
    'umbrella!',
  ],
};
const DEFAULT_PROGRAM = ['return Object.keys(m).length > 0;', true];

const packages = listPackages().filter((p) => !p.private);
const only = process.argv.slice(2);
const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'curio-install-')));
const app = join(scratch, 'app');
if (inside(scratch, root)) {
  console.error(`check-install: the temp folder ${scratch} is inside the workspace; set TMPDIR`);
  process.exit(1);
}

/** Run `fn` over `items`, two at a time (CI machines have 2 cores). */
async function twoAtATime(items, fn) {
  const queue = [...items];
  await Promise.all(
    [0, 1].map(async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

/** Run a command; a failure becomes a problem (with its output), never an exception. */
async function run(what, cmd, args, options = {}) {
  try {
    return await exec(cmd, args, { maxBuffer: 1 << 24, timeout: 120_000, ...options });
  } catch (err) {
    const output = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim() || err.message;
    problems.push(`${what} failed:\n${output}`);
    return null;
  }
}

// 1. Pack and install.
let step = Date.now();
const tarballs = join(scratch, 'tarballs');
await twoAtATime(packages, (pkg) =>
  run(`pnpm pack (${pkg.name})`, bin('pnpm'), ['pack', '--pack-destination', tarballs], {
    cwd: pkg.dir,
  }),
);
const packed = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
console.log(`check-install: packed ${packed.length} packages in ${seconds(step)}`);

step = Date.now();
mkdirSync(join(app, 'browser'), { recursive: true });
writeFileSync(
  join(app, 'package.json'),
  `${JSON.stringify({ name: 'curio-install-check', version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`,
);
const typesNode = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies[
  '@types/node'
];
await run(
  'npm install',
  'npm',
  [
    'install',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    '--save-exact',
    ...packed.map((f) => join(tarballs, f)),
    `@types/node@${typesNode}`,
  ],
  { cwd: app, timeout: 300_000 },
);
console.log(`check-install: npm install in ${seconds(step)}`);

const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'));
const curioEntries = Object.entries(lock.packages).filter(([path]) =>
  /(^|\/)node_modules\/(curio|@curio\/[^/]+)$/.test(path),
);
for (const pkg of packages) {
  const copies = curioEntries.filter(([path]) => path.endsWith(`node_modules/${pkg.name}`));
  if (copies.length !== 1) {
    problems.push(
      `${pkg.name}: installed ${copies.length} times (${copies.map(([p]) => p).join(', ') || 'never'}); expected once`,
    );
  }
}
for (const [path, entry] of curioEntries) {
  if (!String(entry.resolved).startsWith('file:')) {
    problems.push(`${path} did not come from a tarball: resolved ${entry.resolved}`);
  }
}
// Every installed package must be a real folder of the project, not a link into the workspace.
function checkRealPaths(dir) {
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (name.startsWith('@')) {
      checkRealPaths(path);
      continue;
    }
    const real = realpathSync(path);
    if (!inside(real, app) || inside(real, root)) {
      problems.push(`${path} resolves to ${real}, outside the project`);
    }
    if (existsSync(join(real, 'node_modules'))) checkRealPaths(join(real, 'node_modules'));
  }
}
checkRealPaths(join(app, 'node_modules'));

// 2. One line with each package, from ESM and from CJS.
step = Date.now();
const programs = [];
for (const pkg of packages) {
  if (only.length && !only.includes(pkg.folder)) continue;
  const [body, expected, options = 'undefined', after = ''] =
    PROGRAMS[pkg.folder] ?? DEFAULT_PROGRAM;
  const names = JSON.stringify(['@curio/kernel', pkg.name]);
  const coro = `(function* () { ${body} })()`;
  const esm = [
    `import * as k from '@curio/kernel';`,
    `import * as m from '${pkg.name}';`,
    `import * as stream from 'node:stream';`,
    `import { realpathSync } from 'node:fs';`,
    `import { fileURLToPath } from 'node:url';`,
    `const result = await k.run(${coro}, ${options});`,
    after && `await ${after};`,
    `const resolved = ${names}.map((n) => realpathSync(fileURLToPath(import.meta.resolve(n))));`,
    'console.log(JSON.stringify({ result, resolved }));',
  ];
  const cjs = [
    `const k = require('@curio/kernel');`,
    `const m = require('${pkg.name}');`,
    `const stream = require('node:stream');`,
    `const { realpathSync } = require('node:fs');`,
    `k.run(${coro}, ${options}).then(async (result) => {`,
    after && `  await ${after};`,
    `  const resolved = ${names}.map((n) => realpathSync(require.resolve(n)));`,
    '  console.log(JSON.stringify({ result, resolved }));',
    '});',
  ];
  for (const [format, lines] of [
    ['mjs', esm],
    ['cjs', cjs],
  ]) {
    const file = `${pkg.folder}.${format}`;
    writeFileSync(join(app, file), `${lines.filter(Boolean).join('\n')}\n`);
    programs.push({ pkg, file, expected });
  }
}
await twoAtATime(programs, async ({ pkg, file, expected }) => {
  const out = await run(`${file} (${pkg.name})`, process.execPath, [file], {
    cwd: app,
    timeout: 60_000,
  });
  if (!out) return;
  let report;
  try {
    report = JSON.parse(out.stdout.trim().split('\n').at(-1));
  } catch {
    problems.push(`${file}: no result line in its output:\n${out.stdout}${out.stderr}`);
    return;
  }
  if (JSON.stringify(report.result) !== JSON.stringify(expected)) {
    problems.push(
      `${file}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(report.result)}`,
    );
  }
  for (const path of report.resolved) {
    if (!inside(path, join(app, 'node_modules'))) {
      problems.push(`${file}: an import resolved to ${path}, outside the project's node_modules`);
    }
  }
});
console.log(`check-install: ${programs.length} programs (ESM and CJS) in ${seconds(step)}`);

// 3. Types, as TypeScript users resolve them.
step = Date.now();
const imports = packages.map((p, i) => `import * as p${i} from '${p.name}';`);
const uses = `export const names: number = [${packages.map((_, i) => `p${i}`).join(', ')}].length;`;
const typed = [
  `import { Queue } from '@curio/queue';`,
  `import { type Coro, sleep, TaskTimeout } from '@curio/kernel';`,
  `import { Lock } from '@curio/sync';`,
  `import { subprocess } from 'curio';`,
  'export function* main(): Coro<number> {',
  '  const queue = new Queue<number>();',
  '  const lock = new Lock();',
  '  yield* lock.acquire();',
  '  yield* queue.put(1);',
  '  yield* sleep(1);',
  '  yield* lock.release();',
  '  const done: subprocess.CompletedProcess = yield* subprocess.run(["true"]);',
  '  const late: boolean = new Error() instanceof TaskTimeout;',
  '  return (yield* queue.get()) + done.returncode + Number(late);',
  '}',
];
const source = `${[...imports, ...typed, uses].join('\n')}\n`;
for (const file of ['main.mts', 'main.cts', 'main.ts']) writeFileSync(join(app, file), source);
copyFileSync(join(root, 'apps', 'examples', 'browser', 'main.ts'), join(app, 'browser', 'main.ts'));
const compilerOptions = {
  strict: true,
  noEmit: true,
  target: 'es2022',
  lib: ['es2022', 'dom'],
  types: ['node'],
};
const configs = {
  node16: { module: 'node16', moduleResolution: 'node16', files: ['main.mts', 'main.cts'] },
  bundler: {
    module: 'esnext',
    moduleResolution: 'bundler',
    files: ['main.ts', 'browser/main.ts'],
  },
};
const typescriptLib = realpathSync(join(root, 'node_modules', 'typescript', 'lib'));
await twoAtATime(Object.entries(configs), async ([mode, { files, ...options }]) => {
  const config = `tsconfig.${mode}.json`;
  writeFileSync(
    join(app, config),
    JSON.stringify({ compilerOptions: { ...compilerOptions, ...options }, files }, null, 2),
  );
  const out = await run(
    `tsc (moduleResolution ${mode})`,
    bin('tsc'),
    ['-p', config, '--listFiles'],
    {
      cwd: app,
    },
  );
  if (!out) return;
  for (const file of out.stdout.split('\n').filter(Boolean)) {
    const real = realpathSync(file);
    if (!inside(real, app) && !inside(real, typescriptLib)) {
      problems.push(`tsc (moduleResolution ${mode}) read ${real}, outside the project`);
    }
  }
});
console.log(`check-install: typechecked (node16, bundler) in ${seconds(step)}`);

// 4. Bundles for runtimes without Node.
step = Date.now();
async function bundle(what, options) {
  try {
    const result = await build({
      bundle: true,
      minify: true,
      format: 'esm',
      write: false,
      metafile: true,
      outdir: join(scratch, 'out'),
      logLevel: 'silent',
      absWorkingDir: app,
      ...options,
    });
    // Files only: the stdin entry has a name but no file.
    const inputs = Object.keys(result.metafile.inputs).filter((f) => existsSync(join(app, f)));
    const outside = inputs.filter((f) => !inside(realpathSync(join(app, f)), app));
    if (outside.length) problems.push(`${what}: bundled files outside the project: ${outside}`);
    const io = inputs.filter((f) =>
      IO_PACKAGES.some((p) => f.includes(`node_modules/@curio/${p}/`)),
    );
    if (io.length) problems.push(`${what}: bundled code of I/O packages: ${io.join(', ')}`);
  } catch (err) {
    problems.push(`${what}: esbuild failed:\n${err.message}`);
  }
}
await bundle('the browser example (platform browser)', {
  entryPoints: ['browser/main.ts'],
  platform: 'browser',
});
await bundle("import { run, sleep, Queue } from 'curio' (platform neutral)", {
  stdin: {
    contents: "export { run, sleep, Queue } from 'curio';",
    resolveDir: app,
    sourcefile: 'neutral.js',
  },
  platform: 'neutral',
});
console.log(`check-install: bundled (browser, neutral) in ${seconds(step)}`);

if (problems.length) {
  console.error(`check-install: ${problems.length} problem(s) (project kept in ${app}):`);
  for (const p of problems) console.error(`  ${p.replace(/\n/g, '\n    ')}`);
  process.exit(1);
}
rmSync(scratch, { recursive: true, force: true });
console.log(
  `check-install: ${packages.length} packages installed from their tarballs, ${programs.length} programs, types and bundles pass (${seconds(started)})`,
);
