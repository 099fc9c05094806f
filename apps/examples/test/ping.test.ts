import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const demo = fileURLToPath(new URL('../dist/ping.js', import.meta.url));
const node = process.execPath;
// Stands in for ping, so the tests never depend on it: three "replies" on a timer.
const fakePing = [
  node,
  '-e',
  'let i = 0; const t = setInterval(() => { console.log("reply " + ++i); if (i === 3) clearInterval(t); }, 20);',
];

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

test('ping demo streams the command (from CURIO_PING_CMD) line by line', () => {
  const out = execFileSync(node, [demo], {
    encoding: 'utf8',
    env: { ...process.env, CURIO_PING_CMD: JSON.stringify(fakePing) },
  });
  expect(out.trim().split('\n')).toEqual([
    'Got: reply 1',
    'Got: reply 2',
    'Got: reply 3',
    'exit status 0',
  ]);
});

test('ping demo takes the command from its arguments too', () => {
  const out = execFileSync(node, [demo, node, '-e', 'console.log("one"); process.exit(2)'], {
    encoding: 'utf8',
  });
  expect(out.trim().split('\n')).toEqual(['Got: one', 'exit status 2']);
});

test('ping demo stops on Ctrl-C (SIGINT): the child is terminated and reaped', async () => {
  const child = [
    node,
    '-e',
    'console.log(process.pid); setInterval(() => console.log("tick"), 20)',
  ];
  const proc = spawn(node, [demo, ...child], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let interrupted = false;
  const status = await new Promise<number | null>((resolve) => {
    const guard = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!interrupted && out.includes('tick')) {
        interrupted = true;
        proc.kill('SIGINT');
      }
    });
    proc.on('close', (code) => {
      clearTimeout(guard);
      resolve(code);
    });
  });
  const lines = out.trim().split('\n');
  const pid = Number(lines[0].replace('Got: ', ''));
  expect(status).toBe(0);
  expect(lines.slice(-2)).toEqual(['Ctrl-C: stopping', `cancelled; ${node} ended with status -15`]);
  expect(gone(pid)).toBe(true);
});

test('ping demo says how to install ping where it is missing', () => {
  const empty = mkdtempSync(join(tmpdir(), 'curio-no-ping-'));
  try {
    const out = execFileSync(node, [demo], {
      encoding: 'utf8',
      env: { ...process.env, PATH: empty, CURIO_PING_CMD: '' },
    });
    expect(out.trim()).toBe(
      'ping is not installed: install the iputils-ping package (Debian/Ubuntu: apt-get install iputils-ping)',
    );
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
