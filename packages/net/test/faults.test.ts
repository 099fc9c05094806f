// Clients that misbehave: reset mid-message, half-close, vanish without reading; and a server
// cancelled with every connection open. The server's side must end cleanly each time.
import type { Socket } from '@curio/io';
import { type Coro, futureWait, newTask, sleep } from '@curio/kernel';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { checkNoLeaks } from '../../../test-support/leaks.js';
import { createServer } from '../src/index.js';
import { Peer } from './clients.js';
import { leftoverSockets, runTest, STRESS } from './helpers.js';

checkNoLeaks(200);

// What the kernel logs (handler crashes) and what reaches the process unhandled.
let crashLog: string[] = [];
let unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => unhandled.push(err);
beforeEach(() => {
  crashLog = [];
  unhandled = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    crashLog.push(args.map(String).join(' '));
  });
  process.on('uncaughtException', onUnhandled);
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  vi.restoreAllMocks();
  process.off('uncaughtException', onUnhandled);
  process.off('unhandledRejection', onUnhandled);
});

/**
 * A line echo server's handler that notes how it ended: `<kind> <how>`, the kind being the
 * first word of the client's first line.
 */
function lineEcho(ends: string[]) {
  return function* lineEcho(client: Socket): Coro<void> {
    const stream = client.makefile('rwb');
    let kind = '?';
    try {
      for (;;) {
        const line = yield* stream.readline();
        if (line.length === 0) break;
        if (kind === '?') kind = line.toString().split(' ')[0];
        yield* stream.write(line);
      }
      ends.push(`${kind} end of file`);
    } catch (err) {
      ends.push(`${kind} ${(err as NodeJS.ErrnoException).code ?? (err as Error).name}`);
      throw err;
    }
  };
}

const EACH = STRESS ? 500 : 100;
const VANISH_LINES = 1000;

// Sends a line and reads it back; then, with `cut`, sends half of the next one; then resets
// the connection (RST).
async function resetter(port: number, id: number, cut: boolean): Promise<string> {
  const peer = await Peer.connect(port);
  const first = Buffer.from(`${cut ? 'cut' : 'reset'} ${id}\n`);
  peer.sock.write(first);
  const back = await peer.read(first.length);
  if (cut) peer.sock.write('the next line, cut sh');
  peer.sock.resetAndDestroy();
  await peer.closed;
  return back.equals(first) ? 'reset' : `got ${JSON.stringify(back.toString())}`;
}

// Sends a line, closes its sending side, reads the echo and the server's end of file.
async function halfCloser(port: number, id: number): Promise<string> {
  const peer = await Peer.connect(port);
  const line = Buffer.from(`half ${id}\n`);
  peer.sock.end(line);
  const back = await peer.read(line.length + 1);
  await peer.closed;
  return back.equals(line) && peer.ended ? 'echoed, then end of file' : `got ${back.length} bytes`;
}

// Sends many lines at once and disappears as soon as they are written, reading nothing.
async function vanisher(port: number, id: number): Promise<string> {
  const peer = await Peer.connect(port);
  peer.sock.pause(); // what the server sends stays unread
  const lines = Array.from({ length: VANISH_LINES }, (_, i) => `vanish ${id} ${i}\n`).join('');
  await new Promise<void>((resolve) => peer.sock.write(lines, () => resolve()));
  peer.sock.destroy();
  await peer.closed;
  return 'vanished';
}

// Three lines back and forth, then end of file.
async function wellBehaved(port: number, id: number): Promise<string> {
  const peer = await Peer.connect(port);
  for (let i = 0; i < 3; i++) {
    const line = Buffer.from(`normal ${id} ${i}\n`);
    peer.sock.write(line);
    if (!(await peer.read(line.length)).equals(line)) return `line ${i} lost`;
  }
  peer.sock.end();
  await peer.closed;
  return peer.ended && peer.error === undefined ? 'served' : `error ${peer.error}`;
}

it(`${EACH} clients each resetting (between lines and mid-line), half-closing, vanishing, behaving: every handler ends, quietly`, async () => {
  const ends: string[] = [];
  const got = await runTest(
    (function* () {
      const server = createServer('127.0.0.1', 0, lineEcho(ends), { backlog: 5 * EACH });
      const port = (server.address as [string, number])[1];
      const serving = yield* newTask(server.serveForever());
      const clients: Promise<string>[] = [];
      for (let id = 0; id < EACH; id++) {
        clients.push(resetter(port, id, false), resetter(port, id, true));
        clients.push(halfCloser(port, id), vanisher(port, id), wellBehaved(port, id));
      }
      const results = yield* futureWait(Promise.all(clients));
      while (server.clients > 0) yield* sleep(10);
      const after = yield* futureWait(wellBehaved(port, EACH));
      yield* serving.cancel();
      return { results, after };
    })(),
  );
  const expected = ['reset', 'reset', 'echoed, then end of file', 'vanished', 'served'];
  expect(got.results).toEqual(Array.from({ length: 5 * EACH }, (_, i) => expected[i % 5]));
  expect(got.after).toBe('served');
  // How the handlers ended, by kind of client. A reset between lines: readline raised
  // ECONNRESET. A half-close: end of file after the echo. A reset right after half a line,
  // or a client gone while its lines are echoed: the OS may report it as a reset, a broken
  // pipe or (when the reset follows data not yet read) as end of file.
  const endsOf = (kind: string) => new Set(ends.filter((e) => e.startsWith(`${kind} `)));
  const countOf = (kind: string) => ends.filter((e) => e.startsWith(`${kind} `)).length;
  expect(endsOf('reset')).toEqual(new Set(['reset ECONNRESET']));
  expect(endsOf('half')).toEqual(new Set(['half end of file']));
  expect(endsOf('normal')).toEqual(new Set(['normal end of file']));
  const gone = (kind: string) => [`${kind} end of file`, `${kind} ECONNRESET`, `${kind} EPIPE`];
  expect([...endsOf('cut')].filter((e) => !gone('cut').includes(e))).toEqual([]);
  expect([...endsOf('vanish')].filter((e) => !gone('vanish').includes(e))).toEqual([]);
  expect(['reset', 'cut', 'half', 'vanish', 'normal'].map(countOf)).toEqual([
    EACH,
    EACH,
    EACH,
    EACH,
    EACH + 1,
  ]);
  // The clients went away: no handler is logged as crashed, nothing escapes unhandled.
  expect(crashLog).toEqual([]);
  expect(unhandled).toEqual([]);
  expect(await leftoverSockets()).toEqual([]);
}, 60_000);

const OPEN = STRESS ? 2000 : 500;

it(`cancelling the server with ${OPEN} open connections closes every one of them at once`, async () => {
  const ends: string[] = [];
  const peers: Peer[] = [];
  const got = await runTest(
    (function* () {
      const server = createServer('127.0.0.1', 0, lineEcho(ends), { backlog: OPEN });
      const port = (server.address as [string, number])[1];
      const serving = yield* newTask(server.serveForever());
      // Each client says one line and waits: its handler is blocked reading the next.
      const connected = Array.from({ length: OPEN }, async (_, id) => {
        const peer = await Peer.connect(port);
        peers.push(peer);
        peer.sock.write(`open ${id}\n`);
        await peer.read(`open ${id}\n`.length);
      });
      yield* futureWait(Promise.all(connected));
      const open = server.clients;
      const t0 = performance.now();
      yield* serving.cancel();
      const cancelMs = performance.now() - t0;
      yield* futureWait(Promise.all(peers.map((p) => p.closed)));
      return { open, cancelMs, left: server.clients, closed: server.closed };
    })(),
  );
  expect(got).toMatchObject({ open: OPEN, left: 0, closed: true });
  // Every client saw the server's end of file (a clean close, not a reset) and then 'close'.
  expect(peers.map((p) => (p.ended && p.error === undefined ? 'closed' : p.error))).toEqual(
    new Array(OPEN).fill('closed'),
  );
  expect(ends).toEqual(new Array(OPEN).fill('open CancelledError'));
  // The goal is well under a second (about 150 ms for 500 here); the bound allows for a
  // loaded 2-core machine.
  expect(got.cancelMs).toBeLessThan(STRESS ? 10_000 : 5_000);
  expect(crashLog).toEqual([]);
  expect(unhandled).toEqual([]);
  expect(await leftoverSockets()).toEqual([]);
}, 60_000);
