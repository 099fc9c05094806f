import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

it('withMonitor: true names the missing @curio/monitor package', () => {
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
    const out = execFileSync(process.execPath, ['main.mjs'], {
      cwd: app,
      encoding: 'utf8',
      env,
      timeout: 20_000,
    });
    expect(out.trim()).toBe(
      'CurioError: withMonitor: true needs the @curio/monitor package (npm install @curio/monitor), or pass its monitor factory',
    );
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
});
