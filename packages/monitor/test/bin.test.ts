import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(packageDir, 'bin', 'curio-monitor.js');

/** Run `file` with node; resolves with its exit code and output. */
function runNode(
  file: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('curio-monitor bin (bin/curio-monitor.js, committed so install can link it)', () => {
  it('is what package.json names, an executable file with a node shebang, and is packed', () => {
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ 'curio-monitor': './bin/curio-monitor.js' });
    expect(pkg.files).toContain('bin');
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(statSync(BIN).mode & 0o111).not.toBe(0);
  });

  it('runs the built command: --help prints the usage', async () => {
    const help = await runNode(BIN, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout.split('\n')[0]).toBe(
      'usage: curio-monitor [PID | PATH | HOST PORT | --list]',
    );
  });

  it('passes arguments and the exit code through', async () => {
    const badPort = await runNode(BIN, ['127.0.0.1', 'http']);
    expect(badPort).toEqual({
      code: 1,
      stdout: '',
      stderr: 'curio-monitor: port must be an integer from 0 to 65535, got "http"\n',
    });
  });

  it('says so in one line, with exit code 1, when the package is not built', async () => {
    // A copy of the package without dist/, as a fresh clone is before `pnpm build`.
    const fresh = mkdtempSync(join(tmpdir(), 'curio-monitor-unbuilt-'));
    try {
      mkdirSync(join(fresh, 'bin'));
      copyFileSync(BIN, join(fresh, 'bin', 'curio-monitor.js'));
      copyFileSync(join(packageDir, 'package.json'), join(fresh, 'package.json'));
      expect(await runNode(join(fresh, 'bin', 'curio-monitor.js'), ['--help'])).toEqual({
        code: 1,
        stdout: '',
        stderr: 'curio-monitor: @curio/monitor is not built: run pnpm build\n',
      });
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
