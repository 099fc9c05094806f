import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

it('withMonitor: true names the missing @curio/monitor package, and never loads it from the working directory', () => {
  // An application that installed only the kernel.
  const app = mkdtempSync(join(tmpdir(), 'curio-no-monitor-'));
  try {
    cpSync(dist, join(app, 'node_modules/@curio/kernel/dist'), { recursive: true });
    cpSync(
      fileURLToPath(new URL('../package.json', import.meta.url)),
      join(app, 'node_modules/@curio/kernel/package.json'),
    );
    writeFileSync(
      join(app, 'main.mjs'),
      `import { Kernel, sleep } from '@curio/kernel';
       const kernel = new Kernel({ withMonitor: true });
       try { await kernel.run(sleep(1)); console.log('ran'); }
       catch (err) { console.log(err.name + ': ' + err.message); }
       finally { await kernel.shutdown(); }`,
    );
    // NODE_PATH (set by the test runner) would let the app see the workspace's packages.
    const { NODE_PATH: _ignored, ...env } = process.env;
    // A working directory that has a @curio/monitor: never used (the kernel resolves the
    // package from its own folder, so a program behaves the same wherever it is started).
    const cwd = join(app, 'elsewhere');
    mkdirSync(join(cwd, 'node_modules/@curio/monitor'), { recursive: true });
    writeFileSync(
      join(cwd, 'node_modules/@curio/monitor/package.json'),
      JSON.stringify({ name: '@curio/monitor', type: 'module', exports: './index.js' }),
    );
    writeFileSync(
      join(cwd, 'node_modules/@curio/monitor/index.js'),
      'export function* monitor() { console.log("loaded from the working directory"); }',
    );
    const out = execFileSync(process.execPath, [join(app, 'main.mjs')], {
      cwd,
      encoding: 'utf8',
      env,
      timeout: 20_000,
    });
    expect(out.trim()).toBe(
      "CurioError: withMonitor: true needs the @curio/monitor package where the kernel can import it (npm install @curio/monitor); or pass it in: new Kernel({ withMonitor: monitor }) with import { monitor } from '@curio/monitor'",
    );
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
});
