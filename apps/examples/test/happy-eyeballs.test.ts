import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Address, Socket } from '@curio/io';
import {
  CancelledError,
  type Coro,
  newTask,
  run,
  sleep,
  TaskGroup,
  TaskTimeout,
} from '@curio/kernel';
import { runServer } from '@curio/net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectFirst,
  type HostPort,
  neverAccepting,
  openTcpStream,
  refusingPort,
} from '../src/happy-eyeballs.js';

// Loopback only: 127.0.0.2 and .4 never accept (a full queue on a listener that never
// accepts: the connection is never established), .3 and .5 refuse, 127.0.0.1 serves.

const SOCKETS = new Set(['TCPSocketWrap', 'TCPServerWrap']);
const sockets = () =>
  process
    .getActiveResourcesInfo()
    .filter((r) => SOCKETS.has(r))
    .sort();
let baseline: string[] = [];

// Sockets opened by a test and still open (after giving Node a moment to close them).
async function leftover(): Promise<string[]> {
  for (let i = 0; i < 100 && sockets().length > baseline.length; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const left = sockets();
  for (const r of baseline) left.splice(left.indexOf(r), 1);
  return left;
}

let stalled: Awaited<ReturnType<typeof neverAccepting>>[] = [];
let never: HostPort[] = [];
let refused: HostPort[] = [];

beforeAll(async () => {
  stalled = [await neverAccepting('127.0.0.2'), await neverAccepting('127.0.0.4')];
  never = [
    ['127.0.0.2', stalled[0].port],
    ['127.0.0.4', stalled[1].port],
  ];
  refused = [
    ['127.0.0.3', await refusingPort('127.0.0.3')],
    ['127.0.0.5', await refusingPort('127.0.0.5')],
  ];
  baseline = sockets();
});

afterAll(async () => {
  for (const s of stalled) await s.close();
});

function* hello(client: Socket): Coro<void> {
  yield* client.sendall(Buffer.from('hello\n'));
}

// Run `body` with a hello server on 127.0.0.1 (started with TaskGroup.start), then stop it.
function withServer<T>(body: (address: HostPort) => Coro<T>): Promise<T> {
  return run(
    (function* () {
      const group = new TaskGroup();
      const address = yield* group.start<Address>((started) =>
        runServer('127.0.0.1', 0, hello, { started }),
      );
      try {
        return yield* body(address as HostPort);
      } finally {
        yield* group.cancelRemaining();
      }
    })(),
  );
}

function* greeting(sock: Socket): Coro<string> {
  const line = (yield* sock.recv(100)).toString().trim();
  yield* sock.close();
  return line;
}

const at = ([host, port]: HostPort) => `${host}:${port}`;

describe('happy eyeballs: connectFirst', () => {
  it('an address that never accepts has `delay` ms alone, then the next one wins', async () => {
    const log: string[] = [];
    const got = await withServer(function* (server) {
      const sock = yield* connectFirst([never[0], server], { delay: 50, log: (l) => log.push(l) });
      return [at(sock.getpeername() as HostPort), yield* greeting(sock), at(server)];
    });
    const [peer, line, server] = got;
    expect([peer, line]).toEqual([server, 'hello']);
    expect(log).toEqual([`try ${at(never[0])}`, `try ${server}`, `connected ${server}`]);
    expect(await leftover()).toEqual([]);
  });

  it('a refused address starts the next attempt at once, not after the delay', async () => {
    const log: string[] = [];
    // With a delay of a minute, only the failure can start the second attempt in time.
    const got = await withServer(function* (server) {
      const sock = yield* connectFirst([refused[0], server], {
        delay: 60_000,
        log: (l) => log.push(l),
      });
      return [yield* greeting(sock), at(server)];
    });
    expect(log).toEqual([
      `try ${at(refused[0])}`,
      `failed ${at(refused[0])} ECONNREFUSED`,
      `try ${got[1]}`,
      `connected ${got[1]}`,
    ]);
    expect(got[0]).toBe('hello');
    expect(await leftover()).toEqual([]);
  });

  it('the first to connect wins: later addresses are never tried', async () => {
    const log: string[] = [];
    const got = await withServer(function* (server) {
      const sock = yield* connectFirst([server, never[0], refused[0]], {
        delay: 10_000,
        log: (l) => log.push(l),
      });
      return [yield* greeting(sock), at(server)];
    });
    expect(log).toEqual([`try ${got[1]}`, `connected ${got[1]}`]);
    expect(await leftover()).toEqual([]);
  });

  it('every address refused: an AggregateError lists each failure', async () => {
    const log: string[] = [];
    const got = await run(
      (function* () {
        try {
          yield* connectFirst(refused, { delay: 60_000, log: (l) => log.push(l) });
          return 'connected';
        } catch (err) {
          const e = err as AggregateError;
          return [e.constructor.name, e.message, e.errors.map((x: { code?: string }) => x.code)];
        }
      })(),
    );
    expect(got).toEqual([
      'AggregateError',
      `connectFirst: no address answered: ${at(refused[0])} ECONNREFUSED, ${at(refused[1])} ECONNREFUSED`,
      ['ECONNREFUSED', 'ECONNREFUSED'],
    ]);
    expect(log).toEqual([
      `try ${at(refused[0])}`,
      `failed ${at(refused[0])} ECONNREFUSED`,
      `try ${at(refused[1])}`,
      `failed ${at(refused[1])} ECONNREFUSED`,
    ]);
    expect(await leftover()).toEqual([]);
  });

  it('no address ever accepts: TaskTimeout after `timeout`; every pending connect is closed', async () => {
    const log: string[] = [];
    const got = await run(
      (function* () {
        try {
          yield* connectFirst(never, { delay: 20, timeout: 300, log: (l) => log.push(l) });
          return 'connected';
        } catch (err) {
          return err instanceof TaskTimeout ? 'TaskTimeout' : String(err);
        }
      })(),
    );
    expect([got, log]).toEqual(['TaskTimeout', [`try ${at(never[0])}`, `try ${at(never[1])}`]]);
    expect(await leftover()).toEqual([]);
  });

  it('cancelled while connecting: every attempt is cancelled, nothing is left open', async () => {
    const log: string[] = [];
    const got = await run(
      (function* () {
        const connecting = yield* newTask(
          connectFirst([...never, refused[0]], { delay: 20, log: (l) => log.push(l) }),
        );
        while (log.length < 4) yield* sleep(5);
        yield* connecting.cancel();
        return connecting.excInfo instanceof CancelledError;
      })(),
    );
    expect(got).toBe(true);
    expect(log).toEqual([
      `try ${at(never[0])}`,
      `try ${at(never[1])}`,
      `try ${at(refused[0])}`,
      `failed ${at(refused[0])} ECONNREFUSED`,
    ]);
    expect(await leftover()).toEqual([]);
  });

  it('refuses no addresses and a bad delay', async () => {
    const message = (body: Coro<unknown>) =>
      run(
        (function* () {
          try {
            yield* body;
          } catch (err) {
            return `${(err as Error).constructor.name}: ${(err as Error).message}`;
          }
        })(),
      );
    expect(await message(connectFirst([]))).toBe(
      'TypeError: connectFirst(addresses): addresses must be a non-empty array of [host, port]',
    );
    expect(await message(connectFirst(refused, { delay: -1 }))).toBe(
      'TypeError: connectFirst: options.delay must be a number of ms >= 0, got -1',
    );
  });
});

describe('happy eyeballs: openTcpStream', () => {
  it('resolves a name and connects to the address that serves', async () => {
    const got = await withServer(function* ([, port]) {
      return yield* greeting(yield* openTcpStream('localhost', port, { delay: 50 }));
    });
    expect(got).toBe('hello');
    expect(await leftover()).toEqual([]);
  });
});

describe('happy eyeballs demo (dist/happy-eyeballs.js)', () => {
  it('stalls on the address that never accepts, skips the refused one, reads from the server', () => {
    const script = fileURLToPath(new URL('../dist/happy-eyeballs.js', import.meta.url));
    const lines = execFileSync(process.execPath, [script], { encoding: 'utf8' }).trim().split('\n');
    const [first] = lines;
    const match = /^never accepts (\S+), refuses (\S+), serves (\S+)$/.exec(first);
    expect(match).not.toBeNull();
    const [, stall, refuse, serve] = match!;
    expect(lines.slice(1)).toEqual([
      `try ${stall}`,
      `try ${refuse}`,
      `failed ${refuse} ECONNREFUSED`,
      `try ${serve}`,
      `connected ${serve}`,
      `got: hello from ${serve}`,
    ]);
  });
});
