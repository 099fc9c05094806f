#!/usr/bin/env node
// Runs the test suites of the packages that must run in any JavaScript runtime (kernel, sync,
// queue) under Bun and under Deno: the same vitest and the same test files as under Node, with
// vitest itself running on the other runtime (`bun --bun vitest run`, `deno run -A vitest run`),
// so its test workers do too. The binaries are the root devDependencies `bun` and `deno`, npm
// packages that ship them. It also checks that the README's "Where it runs" table gives the
// versions it ran. Arguments narrow a run: runtimes (bun, deno) and package folder names, e.g.
// `node scripts/test-runtimes.mjs deno kernel`; `--all` takes every package (the Node-only ones
// too: how docs/guides/11-runtimes.md's table was made). Run after the build.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listPackages, PURE_PACKAGES, root } from './lib/workspace.mjs';

const bin = (name) => join(root, 'node_modules', '.bin', name);
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const RUNTIMES = {
  Bun: [bin('bun'), '--bun', vitest, 'run'],
  Deno: [bin('deno'), 'run', '--allow-all', vitest, 'run'],
};
// Test files that check Node itself rather than the package, left out on a runtime (with why).
const SKIP = {
  Bun: {
    // Read V8's stack-trace text and call V8's gc (Bun runs JavaScriptCore).
    kernel: ['test/crash-reports.node.test.ts', 'test/debug-mode.node.test.ts'],
  },
  Deno: {
    // Runs `process.execPath` (deno there) as Node's command line on a script in a scratch folder.
    kernel: ['test/monitor.node.test.ts'],
  },
};

const args = process.argv.slice(2);
const all = args.includes('--all');
const asked = Object.keys(RUNTIMES).filter((r) => args.includes(r.toLowerCase()));
const folders = args.filter((a) => a !== '--all' && !asked.some((r) => r.toLowerCase() === a));
const packages = listPackages(folders).filter(
  (p) => !p.private && (all || folders.length > 0 || PURE_PACKAGES.includes(p.folder)),
);
const readme = readFileSync(join(root, 'README.md'), 'utf8').split('\n');

const problems = [];
const results = [];
for (const runtime of asked.length ? asked : Object.keys(RUNTIMES)) {
  const [cmd, ...rest] = RUNTIMES[runtime];
  if (!existsSync(cmd)) {
    console.error(
      `test-runtimes: ${cmd} is missing; run pnpm install (bun, deno: devDependencies)`,
    );
    process.exit(1);
  }
  // `bun --version` prints `1.4.5`; `deno --version` starts with `deno 2.9.6 (...)`.
  const version = /\d+\.\d+\.\d+/.exec(execFileSync(cmd, ['--version'], { encoding: 'utf8' }))[0];
  if (!readme.some((line) => line.startsWith(`| ${runtime} | ${version} |`))) {
    problems.push(
      `README.md's "Where it runs" table must give ${runtime} ${version}, the one tested`,
    );
  }
  for (const pkg of packages) {
    const skip = SKIP[runtime][pkg.folder] ?? [];
    const without = skip.length ? ` (without ${skip.join(', ')})` : '';
    console.log(`\ntest-runtimes: ${pkg.name} under ${runtime} ${version}${without}`);
    const exclude = skip.flatMap((file) => ['--exclude', file]);
    const started = Date.now();
    const { status } = spawnSync(cmd, [...rest, ...exclude], { cwd: pkg.dir, stdio: 'inherit' });
    results.push({ runtime, pkg, ok: status === 0, seconds: (Date.now() - started) / 1000 });
  }
}

console.log('');
for (const r of results) {
  const seconds = `${r.seconds.toFixed(1)} s`;
  console.log(
    `${r.ok ? 'ok  ' : 'FAIL'}  ${r.runtime.padEnd(5)} ${r.pkg.name.padEnd(18)} ${seconds}`,
  );
}
const failed = results.filter((r) => !r.ok);
if (failed.length) problems.push(`${failed.length} of ${results.length} suites failed`);
if (problems.length) {
  for (const p of problems) console.error(`test-runtimes: ${p}`);
  process.exit(1);
}
const names = [...new Set(results.map((r) => r.runtime))].join(' and ');
console.log(`test-runtimes: ${results.length} suites pass under ${names}`);
