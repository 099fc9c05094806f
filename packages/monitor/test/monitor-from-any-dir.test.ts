import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const app = fileURLToPath(new URL('./fixtures/app-with-monitor.mjs', import.meta.url));

it('withMonitor: true finds the monitor from the program, whatever directory it starts in', async () => {
  // In this pnpm workspace the kernel cannot see @curio/monitor from its own folder; the
  // program (inside the monitor package) can. The working directory sees neither.
  const elsewhere = mkdtempSync(join(tmpdir(), 'curio-elsewhere-'));
  try {
    const { NODE_PATH: _ignored, ...env } = process.env;
    const result = await new Promise<{ stdout: string; stderr: string; code: number }>(
      (resolve) => {
        execFile(
          process.execPath,
          [app],
          { cwd: elsewhere, env: { ...env, CURIOMONITOR_PORT: '0' }, timeout: 20_000 },
          (err, stdout, stderr) => resolve({ stdout, stderr, code: err === null ? 0 : 1 }),
        );
      },
    );
    expect([result.code, result.stderr]).toEqual([0, '']);
    const out = JSON.parse(result.stdout.trim());
    expect(out.cwd).toBe(elsewhere);
    expect(out.tasks).toEqual(['monitor (daemon)', 'task-2']);
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});
