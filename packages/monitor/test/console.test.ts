import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CancelledError, type Coro, Kernel, newTask, sleep, type Task } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { createMonitor } from '../src/index.js';
import {
  checkNoLeaks,
  PROMPT,
  privateBase,
  Sink,
  startMonitored,
  TestClient,
  until,
} from './helpers.js';

checkNoLeaks();
privateBase();

function* sleeper(events: string[]): Coro<void> {
  try {
    yield* sleep(60_000);
  } catch (err) {
    events.push(err instanceof CancelledError ? 'sleeper cancelled' : 'sleeper failed');
    throw err;
  }
}

function* nap(): Coro<void> {
  yield* sleep(5);
}

/** Table rows of `ps` as [id, name, state, cycles, time]. */
function rows(ps: string): string[][] {
  const lines = ps.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^Task\s+Name\s+State\s+Cycles\s+Time\(ms\)$/);
  expect(lines[1]).toMatch(/^-+( +-+){4}$/);
  return lines.slice(2).map((l) => l.split(/\s{2,}/));
}

describe('served console (the private Unix socket)', () => {
  it('greets, then ps lists every task with its id, name, state, cycles and run time', async () => {
    let worker!: Task;
    const m = await startMonitored(function* () {
      worker = yield* newTask(sleeper([]), { name: 'sleeper' });
    });
    const c = await TestClient.connect(m.address);
    expect(await c.reply()).toBe('\nCurio Monitor: 4 tasks running\nType help for commands\n');
    const table = rows(await c.command('ps'));
    expect(table.map((r) => [r[0], r[1], r[2]])).toEqual([
      [expect.any(String), 'monitor (daemon)', 'READ_WAIT'],
      [expect.any(String), 'main', 'FUTURE_WAIT'], // named after its generator function
      [String(worker.id), 'sleeper', 'SLEEP'],
      [expect.any(String), 'monitor-client-1 (daemon)', 'RUNNING'],
    ]);
    for (const r of table) {
      expect(r[3]).toMatch(/^\d+$/);
      expect(r[4]).toMatch(/^\d+\.\d$/);
    }
    expect(Number(table[2][3])).toBe(worker.cycles);
    await c.close();
    await m.stop();
  });

  it('where ID shows the stack where the task blocks, without kernel plumbing', async () => {
    let worker!: Task;
    const m = await startMonitored(function* () {
      worker = yield* newTask(sleeper([]), { name: 'sleeper' });
    });
    const c = await TestClient.connect(m.address);
    await c.reply();
    const text = await c.command(`where ${worker.id}`);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `Task ${worker.id} (sleeper), SLEEP, at its last kernel call (most recent call first):`,
    );
    expect(lines[1]).toMatch(/^ {2}at sleep \(.*kernel.*\)$/);
    expect(lines[2]).toMatch(/^ {2}at sleeper \(.*console\.test\.ts:\d+:\d+\)$/);
    expect(lines).toHaveLength(3);
    await c.close();
    await m.stop();
  });

  it('where ID in debug mode also shows where the task was spawned', async () => {
    let worker!: Task;
    process.env.CURIO_DEBUG = '1';
    const m = await startMonitored(function* () {
      worker = yield* newTask(sleeper([])); // @spawned
    });
    delete process.env.CURIO_DEBUG;
    const c = await TestClient.connect(m.address);
    await c.reply();
    const lines = (await c.command(`where ${worker.id}`)).trimEnd().split('\n');
    const file = fileURLToPath(import.meta.url);
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.endsWith('// @spawned'));
    expect(lines[0]).toBe(
      `Task ${worker.id} (sleeper), SLEEP, at its last kernel call (most recent call first):`,
    );
    expect(lines[2]).toMatch(/^ {2}at sleeper \(.*console\.test\.ts:\d+:\d+\)$/);
    expect(lines.slice(3)).toEqual([`Spawned at ${file}:${line + 1}`]);
    await c.close();
    await m.stop();
  });

  it('cancel ID cancels the task, waits for its end, and ps no longer lists it', async () => {
    const events: string[] = [];
    let worker!: Task;
    const m = await startMonitored(function* () {
      worker = yield* newTask(sleeper(events), { name: 'sleeper' });
    });
    const c = await TestClient.connect(m.address);
    await c.reply();
    expect(await c.command(`cancel ${worker.id}`)).toBe(`Cancelled task ${worker.id} (sleeper)\n`);
    expect(events).toEqual(['sleeper cancelled']);
    expect(worker.terminated).toBe(true);
    expect(rows(await c.command('ps')).map((r) => r[1])).toEqual([
      'monitor (daemon)',
      'main',
      'monitor-client-1 (daemon)',
    ]);
    await c.close();
    await m.stop();
  });

  it('cancel gives the prompt back after 1 s when the task does not end', async () => {
    const events: string[] = [];
    let stubborn!: Task;
    const m = await startMonitored(function* () {
      stubborn = yield* newTask(
        (function* (): Coro<void> {
          try {
            yield* sleep(60_000);
          } catch (err) {
            events.push(`got ${(err as Error).name}, lingers`);
            yield* sleep(1500);
            events.push('ends');
          }
        })(),
        { name: 'stubborn' },
      );
    });
    const c = await TestClient.connect(m.address);
    await c.reply();
    expect(await c.command(`cancel ${stubborn.id}`)).toBe(
      `Task ${stubborn.id} (stubborn) has not ended 1000 ms after the cancel (it may be cleaning up or ignoring it); ps shows whether it ends\n`,
    );
    expect(events).toEqual(['got CancelledError, lingers']);
    await until(() => stubborn.terminated, 'the task to end', 5000);
    expect(events).toEqual(['got CancelledError, lingers', 'ends']);
    await c.close();
    await m.stop();
  });

  it('help lists the commands; exit leaves and the server closes the connection', async () => {
    const m = await startMonitored(function* () {});
    const c = await TestClient.connect(m.address);
    await c.reply();
    expect(await c.command('help')).toBe(
      [
        'Commands:',
        '  ps            show the task table (id, name, state, cycles, run time)',
        '  where ID      show where task ID is blocked (its stack at its last kernel call)',
        '  cancel ID     cancel task ID and wait (up to 1 s) until it has ended',
        '  help          show this list',
        '  exit          leave the monitor (the program keeps running)',
        '',
      ].join('\n'),
    );
    c.sock.write('exit\n');
    expect(await c.rest()).toBe('Leaving the monitor\n');
    expect([...m.kernel.tasks.values()].map((t) => t.name)).toEqual(['monitor', 'main']);
    await c.close();
    await m.stop();
  });

  it('bad commands and bad ids get a clear message and the session goes on', async () => {
    const m = await startMonitored(function* () {});
    const c = await TestClient.connect(m.address);
    await c.reply();
    const replies: string[] = [];
    for (const line of [
      'frobnicate 3',
      '',
      '   ',
      'where',
      'where 1 2',
      'where abc',
      'where -1',
      'where 999999',
      'cancel',
      'cancel 1.5',
      'cancel 999999',
      'ps now',
      'help me',
    ]) {
      replies.push(await c.command(line));
    }
    expect(replies).toEqual([
      'Unknown command "frobnicate": type help for the commands\n',
      '',
      '',
      'usage: where ID (ps lists the task ids)\n',
      'usage: where ID (ps lists the task ids)\n',
      'where: ID must be a task id (a whole number), got "abc"\n',
      'where: ID must be a task id (a whole number), got "-1"\n',
      'where: no task 999999 (it has ended or never existed; try ps)\n',
      'usage: cancel ID (ps lists the task ids)\n',
      'cancel: ID must be a task id (a whole number), got "1.5"\n',
      'cancel: no task 999999 (it has ended or never existed; try ps)\n',
      'ps takes no arguments, got "now"\n',
      'help takes no arguments, got "me"\n',
    ]);
    expect(rows(await c.command('ps'))).toHaveLength(3);
    await c.close();
    await m.stop();
  });

  it("refuses to cancel the monitor's own tasks", async () => {
    const m = await startMonitored(function* () {});
    const c = await TestClient.connect(m.address);
    await c.reply();
    const table = rows(await c.command('ps'));
    const [monitorId, clientId] = [table[0][0], table[2][0]];
    expect(await c.command(`cancel ${monitorId}`)).toBe(
      `cancel: task ${monitorId} (monitor) is part of the monitor; leave the console with exit\n`,
    );
    expect(await c.command(`cancel ${clientId}`)).toBe(
      `cancel: task ${clientId} (monitor-client-1) is part of the monitor; leave the console with exit\n`,
    );
    await c.close();
    await m.stop();
  });

  it('serves several clients at once, each in its own daemon task', async () => {
    const m = await startMonitored(function* () {});
    const a = await TestClient.connect(m.address);
    await a.reply();
    const b = await TestClient.connect(m.address);
    await b.reply();
    const names = rows(await b.command('ps')).map((r) => r[1]);
    expect(names.slice(2)).toEqual(['monitor-client-1 (daemon)', 'monitor-client-2 (daemon)']);
    expect(rows(await a.command('ps')).map((r) => r[2])).toEqual([
      'READ_WAIT',
      'FUTURE_WAIT',
      'RUNNING',
      'READ_WAIT',
    ]);
    await a.close();
    await b.close();
    await m.stop();
  });

  it('a client that hangs up mid-session ends only its session', async () => {
    const m = await startMonitored(function* () {
      return 'main result';
    });
    const c = await TestClient.connect(m.address);
    await c.reply();
    c.sock.destroy();
    await until(() => m.kernel.tasks.size === 2, 'the session to end');
    const d = await TestClient.connect(m.address);
    await d.reply();
    expect(rows(await d.command('ps')).map((r) => r[1])[2]).toBe('monitor-client-2 (daemon)');
    await d.close();
    expect(await m.stop()).toBe('main result');
  });

  it('accepts telnet line endings (CRLF)', async () => {
    const m = await startMonitored(function* () {});
    const c = await TestClient.connect(m.address);
    await c.reply();
    c.sock.write('help me\r\n');
    expect(await c.reply()).toBe('help takes no arguments, got "me"\n');
    await c.close();
    await m.stop();
  });
});

describe('monitor lifecycle', () => {
  it('ends with the kernel: sessions are told, the socket and its directory are removed, monitoring is off', async () => {
    const m = await startMonitored(function* () {
      return 42;
    });
    const c = await TestClient.connect(m.address);
    await c.reply();
    expect(await m.stop()).toBe(42);
    expect(await c.rest()).toBe('\nThe monitor is stopping: leaving the console\n');
    expect(m.kernel.tasks.size).toBe(0);
    expect(existsSync(m.address.dir)).toBe(false);
    const refused = await new Promise<string>((resolve) => {
      const s = connect({ path: m.address.path ?? '' });
      s.once('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(refused).toBe('ENOENT');
    // The kernel can run again, without the monitor's stack recording.
    let where: string | undefined = 'not run';
    await m.kernel.run(
      (function* () {
        const t = yield* newTask(nap());
        yield* sleep(0);
        where = t.where;
        yield* t.join();
      })(),
    );
    await m.kernel.shutdown();
    expect(where).toBeUndefined();
    await c.close();
  });

  it('records where and run time only while the monitor runs', async () => {
    let seen: [string | undefined, number] = [undefined, -1];
    const m = await startMonitored(function* () {
      const t = yield* newTask(nap(), { name: 'napper' });
      yield* sleep(0);
      seen = [t.where, t.cycles];
      yield* t.join();
    });
    expect(seen[0]).toContain('at sleep');
    expect(seen[1]).toBe(1);
    await m.stop();
  });

  it('keeps the kernel running without the TCP console when the port is in use', async () => {
    const m = await startMonitored(function* () {}, { port: 0 });
    const stderr = new Sink();
    const events: string[] = [];
    const kernel = new Kernel({
      withMonitor: createMonitor({
        port: m.address.port,
        interactive: false,
        errorOutput: stderr,
        onListening: () => events.push('listening'),
      }),
    });
    const names = () => [...kernel.tasks.values()].map((t) => t.name);
    function* main(): Coro<string> {
      // The refusal comes when Node reports EADDRINUSE: wait for the monitor to give up (a
      // loaded machine can take a while; only a hang reaches the bound).
      for (let i = 0; i < 2000 && names().includes('monitor'); i++) yield* sleep(5);
      events.push(`main sees: ${names().join(', ')}`);
      return 'ran anyway';
    }
    expect(await kernel.run(main())).toBe('ran anyway');
    await kernel.shutdown();
    // Nothing left to serve: the monitor ended quietly and the program ran on.
    expect(events).toEqual(['main sees: main']); // named while the monitor watched it
    expect(stderr.text).toBe(
      `curio monitor: cannot serve the console on 127.0.0.1:${m.address.port}: the port is in use (EADDRINUSE); the program runs on without the TCP console\n`,
    );
    expect(m.stderr.text).toBe('');
    await m.stop();
  });

  it('does not install a SIGINT listener when not interactive', async () => {
    const before = process.listenerCount('SIGINT');
    let during = -1;
    const m = await startMonitored(function* () {
      yield* sleep(1);
      during = process.listenerCount('SIGINT');
    });
    await m.stop();
    expect([during, process.listenerCount('SIGINT')]).toEqual([before, before]);
  });

  it('prompt is the last thing sent before each command is read', async () => {
    const m = await startMonitored(function* () {});
    const raw = await new Promise<string>((resolve) => {
      const s = connect({ path: m.address.path ?? '' });
      let text = '';
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        text += d;
        if (text.endsWith(PROMPT)) {
          s.destroy();
          resolve(text);
        }
      });
    });
    expect(raw).toBe(`\nCurio Monitor: 3 tasks running\nType help for commands\n${PROMPT}`);
    await until(() => m.kernel.tasks.size === 2, 'the session to end');
    await m.stop();
  });
});
