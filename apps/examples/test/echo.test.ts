import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

const EXCHANGE = [1, 2, 3].flatMap((id) => [
  `client ${id}: sent "hello from client ${id}", got back "hello from client ${id}"`,
  `client ${id}: sent "bye", got back "bye"`,
]);

function runDemo(file: string): string[] {
  return execFileSync(process.execPath, [`${dist}${file}`], { encoding: 'utf8' })
    .trim()
    .split('\n');
}

describe.each([
  ['echo.js', 'tcp', /^echo \(tcp\): listening on 127\.0\.0\.1:\d+$/, /^127\.0\.0\.1:\d+$/],
  [
    'echo-unix.js',
    'unix',
    /^echo \(unix\): listening on \/.*curio-echo-\d+\.sock$/,
    /^a Unix socket peer$/,
  ],
  ['echo-tls.js', 'tls', /^echo \(tls\): listening on 127\.0\.0\.1:\d+$/, /^127\.0\.0\.1:\d+$/],
])('%s', (file, name, listening, peer) => {
  test(`serves three clients, prints the exchange, and stops`, () => {
    const lines = runDemo(file);
    expect(lines[0]).toMatch(listening);
    expect(lines.at(-1)).toBe(`echo (${name}): server stopped`);
    const server = lines.filter((l) => l.startsWith('server: '));
    const opened = server.filter((l) => l.startsWith('server: connection from '));
    expect(opened.map((l) => l.slice('server: connection from '.length))).toEqual([
      expect.stringMatching(peer),
      expect.stringMatching(peer),
      expect.stringMatching(peer),
    ]);
    expect(server.filter((l) => l === 'server: connection closed')).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith('client '))).toEqual(EXCHANGE);
    expect(lines).toHaveLength(1 + 6 + 6 + 1);
    if (name === 'unix') {
      expect(existsSync(lines[0].slice('echo (unix): listening on '.length))).toBe(false);
    }
  });
});

test('echo.js --serve echoes until Ctrl-C, then stops cleanly', async () => {
  const child = spawn(process.execPath, [`${dist}echo.js`, '--serve'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error(`demo exited early: ${out}${err}`)));
  });
  const reply = await new Promise<string>((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.end('ping'));
    let got = '';
    sock.on('data', (d) => {
      got += d.toString();
    });
    sock.on('end', () => resolve(got));
    sock.on('error', reject);
  });
  expect(reply).toBe('ping');
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(err).toBe('');
  const lines = out.trim().split('\n');
  expect(lines.slice(-2)).toEqual([
    'echo (tcp): interrupted (Ctrl-C), shutting down',
    'echo (tcp): server stopped',
  ]);
});
