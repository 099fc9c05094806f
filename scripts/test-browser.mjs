#!/usr/bin/env node
// Runs the browser test suites: every package under packages/* that has a
// vitest.browser.config.ts and a `test:browser` script, one at a time (each starts Chromium),
// after making sure Debian's Chromium is installed (scripts/ensure-chromium.sh).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { listPackages, root } from './lib/workspace.mjs';

const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

const selected = [];
for (const pkg of listPackages(process.argv.slice(2))) {
  const hasConfig = existsSync(join(pkg.dir, 'vitest.browser.config.ts'));
  const hasScript = typeof pkg.json.scripts?.['test:browser'] === 'string';
  if (hasConfig && hasScript) selected.push(pkg.name);
  else if (hasConfig || hasScript) {
    console.warn(
      `test-browser: skipping ${pkg.name}: it has ${hasConfig ? 'a vitest.browser.config.ts but no test:browser script' : 'a test:browser script but no vitest.browser.config.ts'}`,
    );
  }
}
if (selected.length === 0) {
  console.log('test-browser: no package has a browser test suite');
  process.exit(0);
}
console.log(`test-browser: ${selected.join(', ')} in headless Chromium`);
if (run('bash', [join(root, 'scripts', 'ensure-chromium.sh')]) !== 0) process.exit(1);
const turbo = join(root, 'node_modules', '.bin', 'turbo');
const filters = selected.flatMap((name) => ['--filter', name]);
process.exit(run(turbo, ['run', 'test:browser', '--concurrency=1', ...filters]));
