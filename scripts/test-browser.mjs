#!/usr/bin/env node
// Runs the browser test suites: every package under packages/* that has a
// vitest.browser.config.ts and a `test:browser` script, one at a time (each starts Chromium),
// after making sure Debian's Chromium is installed (scripts/ensure-chromium.sh). Then the
// umbrella `curio` in a browser: the browser example (apps/examples/browser/main.ts, which
// imports from 'curio') is bundled as a user's bundler would (esbuild, resolving through
// node_modules and the package's export conditions) and run in the same Chromium; its bundle
// must hold no Node builtin and no I/O package, also for the neutral platform, and `curio`
// must cost what @curio/kernel and @curio/queue cost. Arguments (package folder names) narrow
// the run; `curio` names the umbrella check.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { IO_PACKAGES, listPackages, root } from './lib/workspace.mjs';
import { chromiumPath } from './vitest-browser.mjs';

const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
const only = process.argv.slice(2);

const selected = [];
for (const pkg of listPackages(only)) {
  const hasConfig = existsSync(join(pkg.dir, 'vitest.browser.config.ts'));
  const hasScript = typeof pkg.json.scripts?.['test:browser'] === 'string';
  if (hasConfig && hasScript) selected.push(pkg.name);
  else if (hasConfig || hasScript) {
    console.warn(
      `test-browser: skipping ${pkg.name}: it has ${hasConfig ? 'a vitest.browser.config.ts but no test:browser script' : 'a test:browser script but no vitest.browser.config.ts'}`,
    );
  }
}
const umbrella = only.length === 0 || only.includes('curio');
if (selected.length === 0 && !umbrella) {
  console.log('test-browser: no package has a browser test suite');
  process.exit(0);
}
if (run('bash', [join(root, 'scripts', 'ensure-chromium.sh')]) !== 0) process.exit(1);
let status = 0;
if (selected.length) {
  console.log(`test-browser: ${selected.join(', ')} in headless Chromium`);
  const turbo = join(root, 'node_modules', '.bin', 'turbo');
  const filters = selected.flatMap((name) => ['--filter', name]);
  status = run(turbo, ['run', 'test:browser', '--concurrency=1', ...filters]);
}
if (umbrella) status = (await umbrellaInBrowser()) || status;
process.exit(status);

/** Bundle with esbuild as a user would; returns the code and the files it took code from. */
async function bundle(platform, input) {
  const result = await build({
    ...input,
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform,
    write: false,
    metafile: true,
    outdir: 'out',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  const inputs = Object.keys(result.metafile.inputs);
  const builtins = (Object.values(result.metafile.outputs)[0].imports ?? []).map((i) => i.path);
  return { code, gzip: gzipSync(code, { level: 9 }).length, inputs, builtins };
}

/** The umbrella check; returns the exit status (0 when it passes). */
async function umbrellaInBrowser() {
  const started = Date.now();
  const examples = join(root, 'apps', 'examples');
  const problems = [];
  const checkPure = (what, b) => {
    const io = b.inputs.filter((f) => IO_PACKAGES.some((p) => f.includes(`packages/${p}/`)));
    if (io.length) problems.push(`${what}: bundled code of I/O packages: ${io.join(', ')}`);
    if (b.builtins.length) problems.push(`${what}: imports ${b.builtins.join(', ')}`);
  };
  const names = (from) => ({ stdin: { contents: from, resolveDir: examples, loader: 'js' } });
  let example;
  try {
    example = await bundle('browser', { entryPoints: [join(examples, 'browser', 'main.ts')] });
    checkPure('the browser example', example);
    const neutral = await bundle('neutral', names("export { run, sleep, Queue } from 'curio';"));
    checkPure("import { run, sleep, Queue } from 'curio' (platform neutral)", neutral);
    const viaCurio = await bundle('browser', names("export { run, sleep, Queue } from 'curio';"));
    const direct = await bundle(
      'browser',
      names("export { run, sleep } from '@curio/kernel'; export { Queue } from '@curio/queue';"),
    );
    console.log(
      `test-browser: import { run, sleep, Queue } from 'curio' ${viaCurio.gzip} B min+gz, from @curio/kernel and @curio/queue ${direct.gzip} B`,
    );
    if (viaCurio.gzip > direct.gzip + 16) {
      problems.push(
        `'curio' costs ${viaCurio.gzip - direct.gzip} B more than the packages it re-exports`,
      );
    }
  } catch (err) {
    problems.push(`bundling failed: ${err.message}`);
  }
  if (example) {
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      page.on('pageerror', (err) => problems.push(`the page raised: ${err.message}`));
      const script = example.code.replaceAll('</script', '<\\/script');
      await page.setContent(`<pre id="out"></pre><script type="module">${script}</script>`);
      await page.waitForFunction(() => document.body.dataset.result !== undefined, null, {
        timeout: 20_000,
      });
      const shown = await page.evaluate(() => [
        document.body.dataset.result,
        document.getElementById('out')?.textContent,
      ]);
      const expected = ['15', 'got 1\ngot 2\ngot 3\ngot 4\ngot 5\ntotal 15\n'];
      if (JSON.stringify(shown) !== JSON.stringify(expected)) {
        problems.push(
          `the example showed ${JSON.stringify(shown)}, expected ${JSON.stringify(expected)}`,
        );
      }
    } catch (err) {
      problems.push(`running the example in Chromium failed: ${err.message}`);
    } finally {
      await browser.close();
    }
  }
  const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (problems.length) {
    console.error(`test-browser: the umbrella in Chromium failed (${took}):`);
    for (const p of problems) console.error(`  ${p}`);
    return 1;
  }
  console.log(
    `test-browser: the browser example (from 'curio') runs in Chromium; bundles hold no Node code (${took})`,
  );
  return 0;
}
