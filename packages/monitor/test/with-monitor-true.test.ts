import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateBase } from './helpers.js';

// The apps live in the real temp directory; their monitors make their private directories
// in the test's own (TMPDIR), where each test checks that none is left.
const appsDir = tmpdir();
privateBase();

const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, '..', '..');
const NEEDED = ['kernel', 'io', 'socket', 'monitor'];

// An application as npm installs it (flat node_modules): the kernel finds @curio/monitor by
// name. (In this pnpm workspace the kernel cannot see it, so the app is laid out in a temp dir.)
const APP = `
import { Kernel, sleep } from '@curio/kernel';
const kernel = new Kernel({ withMonitor: true });
function* main() {
  yield* sleep(1);
  return [...kernel.tasks.values()].map((t) => t.name + (t.daemon ? ' (daemon)' : ''));
}
try {
  console.log(JSON.stringify(await kernel.run(main())));
} finally {
  await kernel.shutdown();
}
console.log(JSON.stringify([...kernel.tasks.values()]));
`;

function runApp(
  app: string,
  cwd: string,
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(app, 'app.mjs')],
      { cwd, env: { ...process.env, CURIOMONITOR_PORT: '' }, timeout: 20_000 },
      (err, stdout, stderr) => resolve({ stdout, stderr, code: err === null ? 0 : 1 }),
    );
  });
}

describe('new Kernel({ withMonitor: true })', () => {
  let app = '';
  beforeAll(() => {
    app = mkdtempSync(join(appsDir, 'curio-monitor-app-'));
    for (const name of NEEDED) {
      const dest = join(app, 'node_modules', '@curio', name);
      mkdirSync(dest, { recursive: true });
      cpSync(join(packages, name, 'package.json'), join(dest, 'package.json'));
      cpSync(join(packages, name, 'dist'), join(dest, 'dist'), { recursive: true });
    }
    writeFileSync(join(app, 'app.mjs'), APP);
  });
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it('loads the installed @curio/monitor and runs it as a daemon task', async () => {
    const result = await runApp(app, app);
    expect([result.code, result.stderr]).toEqual([0, '']);
    const [during, after] = result.stdout.trim().split('\n');
    expect(JSON.parse(during)[0]).toBe('monitor (daemon)');
    expect(JSON.parse(during)).toHaveLength(2);
    expect(JSON.parse(after)).toEqual([]);
  });

  it('finds it from the kernel, not the working directory: started from an unrelated one', async () => {
    const elsewhere = mkdtempSync(join(appsDir, 'curio-elsewhere-'));
    try {
      const result = await runApp(app, elsewhere);
      expect([result.code, result.stderr]).toEqual([0, '']);
      expect(JSON.parse(result.stdout.trim().split('\n')[0])[0]).toBe('monitor (daemon)');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
