import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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

describe('new Kernel({ withMonitor: true })', () => {
  it('loads the installed @curio/monitor and runs it as a daemon task', async () => {
    const app = mkdtempSync(join(tmpdir(), 'curio-monitor-app-'));
    try {
      for (const name of NEEDED) {
        const dest = join(app, 'node_modules', '@curio', name);
        mkdirSync(dest, { recursive: true });
        cpSync(join(packages, name, 'package.json'), join(dest, 'package.json'));
        cpSync(join(packages, name, 'dist'), join(dest, 'dist'), { recursive: true });
      }
      writeFileSync(join(app, 'app.mjs'), APP);
      const result = await new Promise<{ stdout: string; stderr: string; code: number }>(
        (resolve) => {
          execFile(
            process.execPath,
            ['app.mjs'],
            { cwd: app, env: { ...process.env, CURIOMONITOR_PORT: '0' } },
            (err, stdout, stderr) => resolve({ stdout, stderr, code: err === null ? 0 : 1 }),
          );
        },
      );
      expect([result.code, result.stderr]).toEqual([0, '']);
      const [during, after] = result.stdout.trim().split('\n');
      expect(JSON.parse(during)[0]).toBe('monitor (daemon)');
      expect(JSON.parse(during)).toHaveLength(2);
      expect(JSON.parse(after)).toEqual([]);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});
