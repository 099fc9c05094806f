// Only the user who runs the program gets into its monitor.
import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Kernel, sleep } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { baseDirs, pipePath, REFUSED } from '../src/endpoint.js';
import { createMonitor, findMonitors } from '../src/index.js';
import { checkNoLeaks, privateBase, Sink, startMonitored, TestClient } from './helpers.js';

checkNoLeaks();
const base = privateBase();

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(packageDir, 'dist', 'cli.js');
const uid = process.getuid?.() ?? -1;

// The `nobody` account, when this runs as root and it exists: the other user of these tests.
function findNobody(): { uid: number; gid: number } | null {
  if (uid !== 0) return null;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }));
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return null;
  }
}
const nobody = findNobody();

interface Ran {
  /** The exit code, or the signal that ended it. */
  code: number | string;
  stdout: string;
  stderr: string;
}

/** Run node with `args` (as `user` when given), in this package, with this test's TMPDIR. */
function node(
  args: string[],
  user?: { uid: number; gid: number },
  stdin = '',
): Promise<Ran & { pid: number }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      args,
      { cwd: packageDir, env: { ...process.env, TMPDIR: base() }, timeout: 20_000, ...user },
      (err, stdout, stderr) => {
        const code =
          err === null ? 0 : typeof err.code === 'number' ? err.code : (err.signal ?? -1);
        resolve({ code, stdout, stderr, pid: child.pid ?? -1 });
      },
    );
    child.stdin?.end(stdin);
  });
}

// Connects to `path` (or reads it, with `read`) and prints the outcome.
const PROBE = `
const [what, path] = process.argv.slice(1);
if (what === 'read') {
  try { require('fs').readFileSync(path); console.log('read'); } catch (e) { console.log(e.code); }
} else {
  const s = require('net').connect({ path });
  s.on('connect', () => { console.log('connected'); s.destroy(); });
  s.on('error', (e) => console.log(e.code));
}`;

function mode(path: string): string {
  return (lstatSync(path).mode & 0o7777).toString(8);
}

describe('the default console: a private Unix socket', () => {
  it('is a socket (0600) in a directory (0700), both of this user, named by the process id', async () => {
    const m = await startMonitored(function* () {});
    const { dir, path } = m.address;
    expect(m.address).toEqual({
      transport: 'unix',
      pid: process.pid,
      dir: expect.stringMatching(
        new RegExp(`^${base()}/curio-monitor-${uid}-${process.pid}-[A-Za-z0-9]{6}$`),
      ),
      path: join(dir, 'sock'),
    });
    expect([mode(dir), lstatSync(dir).uid, lstatSync(dir).isDirectory()]).toEqual([
      '700',
      uid,
      true,
    ]);
    const sock = lstatSync(path ?? '');
    expect([mode(path ?? ''), sock.uid, sock.isSocket()]).toEqual(['600', uid, true]);
    expect(readdirSync(dir)).toEqual(['sock']);
    await m.stop();
    expect(existsSync(dir)).toBe(false);
  });

  it.skipIf(nobody === null)(
    'refuses another user (nobody): no way in, not found, told why',
    async () => {
      const m = await startMonitored(function* () {});
      const other = nobody ?? undefined;
      const path = m.address.path ?? '';
      const probes = [
        await node(['-e', PROBE, 'connect', path], other),
        await node(['-e', PROBE, 'read', join(m.address.dir, 'sock')], other),
        await node(['-e', PROBE, 'connect', path]),
      ];
      expect(probes.map((p) => p.stdout)).toEqual(['EACCES\n', 'EACCES\n', 'connected\n']);
      // The curio-monitor command run by nobody: finds nothing, and is refused at the path.
      expect(await node([CLI, String(process.pid)], other)).toMatchObject({
        code: 1,
        stdout: '',
        stderr: `curio-monitor: no curio monitor runs in process ${process.pid} as this user (looked in ${base()}): is the program running with new Kernel({ withMonitor: true }), as this user?\n`,
      });
      expect(await node([CLI, path], other)).toMatchObject({
        code: 1,
        stdout: '',
        stderr: `curio-monitor: cannot connect to the curio monitor at ${path} (EACCES): its console lets in only the user who runs the program\n`,
      });
      expect(await node([CLI, '--list'], other)).toMatchObject({
        code: 0,
        stdout: 'no curio monitor runs as this user\n',
      });
      // The program's own user still gets in.
      const own = await node([CLI, String(process.pid)], undefined, 'exit\n');
      expect([own.code, own.stdout.endsWith('Leaving the monitor\n')]).toEqual([0, true]);
      await m.stop();
    },
  );

  it("ignores directories that are not private or not this user's, and never lists them", async () => {
    const fake = join(base(), `curio-monitor-${uid}-${process.pid}-AbCdEf`);
    mkdirSync(fake, { mode: 0o755 });
    chmodSync(fake, 0o755);
    writeFileSync(join(fake, 'token'), '{"token":"t","host":"127.0.0.1","port":1}\n');
    try {
      expect(findMonitors()).toEqual([]);
      chmodSync(fake, 0o700);
      expect(findMonitors()).toEqual([
        { transport: 'tcp', pid: process.pid, dir: fake, host: '127.0.0.1', port: 1 },
      ]);
      if (nobody !== null) {
        chownSync(fake, nobody.uid, nobody.gid);
        expect(findMonitors()).toEqual([]);
      }
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
  });

  it('a stale directory of a killed program is ignored, then removed by the next monitor', async () => {
    const APP = `
      import { Kernel, sleep } from '@curio/kernel';
      import { createMonitor } from '${pathToFileURL(join(packageDir, 'dist', 'index.js')).href}';
      const onListening = () => process.kill(process.pid, 'SIGKILL');
      await new Kernel({ withMonitor: createMonitor({ interactive: false, onListening }) })
        .run(sleep(20_000));`;
    const killed = await node(['--input-type=module', '-e', APP]);
    expect(killed.code).toBe('SIGKILL');
    const [stale] = readdirSync(base());
    expect(stale).toMatch(new RegExp(`^curio-monitor-${uid}-${killed.pid}-`));
    expect(readdirSync(join(base(), stale))).toEqual(['sock']);
    expect(findMonitors()).toEqual([]);
    expect(await node([CLI, String(killed.pid)])).toMatchObject({ code: 1, stdout: '' });
    const m = await startMonitored(function* () {});
    expect(readdirSync(base())).toEqual([m.address.dir.slice(base().length + 1)]);
    await m.stop();
  });

  it('a program that exits without shutting down still removes its directory', async () => {
    const APP = `
      import { existsSync } from 'node:fs';
      import { Kernel, sleep } from '@curio/kernel';
      import { createMonitor } from '${pathToFileURL(join(packageDir, 'dist', 'index.js')).href}';
      const onListening = (a) => {
        console.log(a.transport, existsSync(a.path));
        process.exit(0);
      };
      await new Kernel({ withMonitor: createMonitor({ interactive: false, onListening }) })
        .run(sleep(20_000));`;
    expect(await node(['--input-type=module', '-e', APP])).toMatchObject({
      code: 0,
      stdout: 'unix true\n',
      stderr: '',
    });
    expect(readdirSync(base())).toEqual([]);
  });

  it("uses $XDG_RUNTIME_DIR when it is this user's own directory, else the temp directory", async () => {
    const runtime = mkdtempSync(join(base(), 'run-'));
    try {
      expect(baseDirs({ XDG_RUNTIME_DIR: runtime })).toEqual([runtime, base()]);
      expect(baseDirs({ XDG_RUNTIME_DIR: 'relative/run' })).toEqual([base()]);
      expect(baseDirs({ XDG_RUNTIME_DIR: join(runtime, 'missing') })).toEqual([base()]);
      expect(baseDirs({})).toEqual([base()]);
      process.env.XDG_RUNTIME_DIR = runtime;
      const m = await startMonitored(function* () {});
      expect(dirname(m.address.dir)).toBe(runtime);
      expect(findMonitors()).toEqual([m.address]);
      await m.stop();
      expect(readdirSync(runtime)).toEqual([]);
      if (nobody !== null) {
        chownSync(runtime, nobody.uid, nobody.gid);
        expect(baseDirs({ XDG_RUNTIME_DIR: runtime })).toEqual([base()]);
      }
    } finally {
      delete process.env.XDG_RUNTIME_DIR;
      rmSync(runtime, { recursive: true, force: true });
    }
  });

  it('reports a socket path too long for the OS, and the program runs on', async () => {
    const long = join(base(), 'x'.repeat(90));
    mkdirSync(long);
    process.env.TMPDIR = long;
    const stderr = new Sink();
    try {
      const kernel = new Kernel({
        withMonitor: createMonitor({ interactive: false, errorOutput: stderr }),
      });
      function* main() {
        yield* sleep(1);
        return 'ran';
      }
      expect(await kernel.run(main())).toBe('ran');
      await kernel.shutdown();
    } finally {
      process.env.TMPDIR = base();
    }
    expect(stderr.text).toMatch(
      new RegExp(
        `^curio monitor: cannot serve the console on ${long}/curio-monitor-${uid}-${process.pid}-\\w{6}/sock: Error: the path is too long for a Unix socket \\(\\d+ bytes, at most 103\\): set TMPDIR to a shorter directory; the program runs on without the console socket\\n$`,
      ),
    );
    expect(readdirSync(long)).toEqual([]);
    rmSync(long, { recursive: true });
  });
});

describe('a TCP console, only when asked for: the token first', () => {
  it('keeps its random token in a 0600 file of the private directory', async () => {
    const m = await startMonitored(function* () {}, { port: 0 });
    const file = join(m.address.dir, 'token');
    expect([mode(m.address.dir), mode(file), lstatSync(file).uid]).toEqual(['700', '600', uid]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      token: expect.stringMatching(/^[0-9a-f]{64}$/),
      host: '127.0.0.1',
      port: m.address.port,
    });
    expect(readdirSync(m.address.dir)).toEqual(['token']);
    const c = await TestClient.connect(m.address);
    expect(await c.reply()).toContain('Curio Monitor: 3 tasks running');
    await c.close();
    await m.stop();
    expect(existsSync(m.address.dir)).toBe(false);
  });

  it('refuses a wrong or missing token with one clear line and closes the connection', async () => {
    const m = await startMonitored(function* () {}, { port: 0 });
    const token = JSON.parse(readFileSync(join(m.address.dir, 'token'), 'utf8')).token as string;
    const attempts = [
      TestClient.connect(m.address, 'not-the-token'),
      TestClient.connect(m.address, token.slice(0, -1)),
      TestClient.connect(m.address, 'ps'),
      TestClient.connect(m.address, 'x'.repeat(1000)),
    ];
    for (const attempt of attempts) {
      const c = await attempt;
      expect(await c.rest()).toBe(REFUSED);
      await c.close();
    }
    // Nothing sent before the end of input: refused too.
    const silent = await TestClient.connect(m.address, null);
    silent.sock.end();
    expect(await silent.rest()).toBe(REFUSED);
    expect(REFUSED).toBe(
      'curio monitor: refused: wrong or missing token (the user running the program can read it; curio-monitor sends it)\n',
    );
    await m.stop();
  });

  it.skipIf(nobody === null)(
    'another user (nobody) cannot read the token, nor use the command',
    async () => {
      const m = await startMonitored(function* () {}, { port: 0 });
      const other = nobody ?? undefined;
      const read = await node(['-e', PROBE, 'read', join(m.address.dir, 'token')], other);
      expect(read.stdout).toBe('EACCES\n');
      expect(await node([CLI, '127.0.0.1', String(m.address.port)], other)).toMatchObject({
        code: 1,
        stdout: '',
        stderr: `curio-monitor: no token for the curio monitor at 127.0.0.1:${m.address.port}: no monitor running as this user serves that port (looked in ${base()}); its console lets in only the user who runs the program\n`,
      });
      await m.stop();
    },
  );
});

describe('Windows: a named pipe that asks for the token', () => {
  it('names the pipe after the private directory (unique per monitor)', () => {
    expect(pipePath('C:\\Users\\me\\AppData\\Local\\Temp\\curio-monitor-user-42-AbC123')).toBe(
      '\\\\.\\pipe\\curio-monitor-user-42-AbC123',
    );
    expect(pipePath('/tmp/curio-monitor-0-42-AbC123')).toBe(
      '\\\\.\\pipe\\curio-monitor-0-42-AbC123',
    );
  });
});
