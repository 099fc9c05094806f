import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
// Checked once: the system-ping test runs only where there is one.
const hasPing = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v ping'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Run the demo (no arguments) to its end with `env` over this process's, and return its
 * output lines and how long it took. The demo's children inherit a marker in their
 * environment: a process still holding it afterwards (Linux /proc) is one left behind.
 */
function runDemo(env: Record<string, string | undefined>): { lines: string[]; ms: number } {
  const marker = `CURIO_PING_TEST_RUN=${process.pid}-${Math.random().toString(36).slice(2)}`;
  const [key, value] = marker.split('=');
  const fullEnv: Record<string, string | undefined> = { ...process.env, ...env, [key]: value };
  for (const name of Object.keys(fullEnv)) if (fullEnv[name] === undefined) delete fullEnv[name];
  const started = Date.now();
  const out = execFileSync(node, [demo], { encoding: 'utf8', env: fullEnv, timeout: 15_000 });
  const ms = Date.now() - started;
  expect(leftBehind(marker)).toEqual([]);
  return { lines: out.trim().split('\n'), ms };
}

function leftBehind(marker: string): number[] {
  if (!existsSync('/proc/self/environ')) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) {
        pids.push(Number(entry));
      }
    } catch {} // ended meanwhile, or not ours to read
  }
  return pids;
}

// What the Node stand-in prints, as the demo streams it.
const STAND_IN_LINES = [
  'ping not found: using a Node stand-in',
  'Got: PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.',
  'Got: 64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.05 ms',
  'Got: 64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.05 ms',
  'Got: 64 bytes from 127.0.0.1: icmp_seq=3 ttl=64 time=0.05 ms',
  'Got: --- 127.0.0.1 ping statistics ---',
  'Got: 3 packets transmitted, 3 received, 0% packet loss',
  'exit status 0',
];

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

test('ping demo streams the system ping where it is installed', (ctx) => {
  ctx.skip(!hasPing, 'no ping on this machine (`command -v ping` found none)');
  const { lines } = runDemo({ CURIO_PING: undefined, CURIO_PING_CMD: undefined });
  const replies = lines.filter((line) => / bytes from 127\.0\.0\.1: /.test(line));
  expect(lines[0]).toBe('using system ping');
  expect(lines[1]).toMatch(/^Got: PING 127\.0\.0\.1 /);
  expect(replies).toHaveLength(3);
  for (const reply of replies) {
    expect(reply).toMatch(
      /^Got: \d+ bytes from 127\.0\.0\.1: icmp_seq=\d+ ttl=\d+ time=[\d.]+ ms$/,
    );
  }
  expect(lines.at(-1)).toBe('exit status 0');
});

test('ping demo falls back to a Node stand-in where ping is not installed', () => {
  const empty = mkdtempSync(join(tmpdir(), 'curio-no-ping-'));
  try {
    const { lines, ms } = runDemo({ PATH: empty, CURIO_PING: undefined, CURIO_PING_CMD: '' });
    expect(lines).toEqual(STAND_IN_LINES);
    // Three replies 0.2 s apart: the stand-in keeps ping's pace.
    expect(ms).toBeGreaterThanOrEqual(400);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('CURIO_PING names the ping program; a missing one falls back to the stand-in', () => {
  const { lines } = runDemo({ CURIO_PING: 'curio-no-such-ping', CURIO_PING_CMD: undefined });
  expect(lines).toEqual(STAND_IN_LINES);
});
