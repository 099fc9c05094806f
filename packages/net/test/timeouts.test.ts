// The per-connection time limits of a server: idleTimeout and, with TLS, sslHandshakeTimeout.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address, Socket } from '@curio/io';
import { type Coro, futureWait, newTask, sleep } from '@curio/kernel';
import { createDefaultContext, Purpose } from '@curio/ssl';
import { afterAll, afterEach, beforeEach, expect, it, vi } from 'vitest';
import { makeTestCerts } from '../../../test-support/certs.js';
import { checkNoLeaks } from '../../../test-support/leaks.js';
import {
  createServer,
  createUnixServer,
  openConnection,
  openUnixConnection,
} from '../src/index.js';
import { Peer, pause } from './clients.js';
import { echo, exchange, leftoverSockets, runTest } from './helpers.js';

const certs = makeTestCerts();
afterAll(() => certs.cleanup());
checkNoLeaks(200);

// What the server logs: the kernel's crash reports (console.error) and its own warnings.
let crashLog: string[] = [];
let warnings: string[] = [];
beforeEach(() => {
  crashLog = [];
  warnings = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    crashLog.push(args.map(String).join(' '));
  });
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    warnings.push(args.map(String).join(' '));
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

function tlsServerContext() {
  const ctx = createDefaultContext(Purpose.CLIENT_AUTH);
  ctx.loadCertChain(certs.localhost.certFile, certs.localhost.keyFile);
  return ctx;
}

const trusting = () =>
  createDefaultContext(Purpose.SERVER_AUTH, { cafile: certs.localhost.certFile });

/** The client's port as the server sees it. */
const portOf = (address: Address) => (address as [string, number])[1];

function* hello(sock: Socket): Coro<string> {
  yield* sock.sendall(Buffer.from('hi'));
  return (yield* sock.recv(10)).toString();
}

// Short real times, with room for a loaded machine: a client trickling every 100 ms stays
// even if the process stalls for most of a second (its trickle then runs late too).
const IDLE = 1000;
const TRICKLE_MS = 100;
// The chatty client trickles for longer than IDLE.
const CHATTY_BYTES = IDLE / TRICKLE_MS + 2;

it('idleTimeout closes a silent client, one that stops sending and one that stops reading; a chatty one stays', async () => {
  const ended = new Map<number, string>(); // client port -> how its handler ended
  // Echo; a client that says 'flood' is sent 64 MiB, read or not.
  function* handler(client: Socket, address: Address): Coro<void> {
    let phase = 'recv';
    try {
      for (;;) {
        const data = yield* client.recv(65536);
        if (data.length === 0) break;
        phase = 'sendall';
        if (data.toString() === 'flood') {
          for (let i = 0; i < 64; i++) yield* client.sendall(Buffer.alloc(1 << 20));
        } else yield* client.sendall(data);
        phase = 'recv';
      }
      ended.set(portOf(address), 'end of file');
    } catch (err) {
      ended.set(portOf(address), `${(err as NodeJS.ErrnoException).code} in ${phase}`);
      throw err;
    }
  }
  const got = await runTest(
    (function* () {
      const server = createServer('127.0.0.1', 0, handler, { idleTimeout: IDLE });
      const port = (server.address as [string, number])[1];
      const serving = yield* newTask(server.serveForever());
      // Before connecting: the server's clock for a client starts at its accept, after this.
      const t0 = performance.now();
      const [silent, stopsSending, stopsReading, chatty] = yield* futureWait(
        Promise.all([
          Peer.connect(port),
          Peer.connect(port),
          Peer.connect(port),
          Peer.connect(port),
        ]),
      );
      stopsReading.sock.pause();
      stopsReading.sock.write('flood');
      // One byte every TRICKLE_MS, for longer than IDLE: each restarts the clock.
      const trickle = async (peer: Peer, bytes: number) => {
        for (let i = 0; i < bytes; i++) {
          if (i > 0) await pause(TRICKLE_MS);
          peer.sock.write('c');
        }
        return (await peer.read(bytes)).toString();
      };
      const chattyGot = trickle(chatty, CHATTY_BYTES).then(async (echoed) => {
        chatty.sock.end();
        await chatty.closed;
        return echoed;
      });
      const stopsSendingGot = yield* futureWait(trickle(stopsSending, 3));
      yield* futureWait(silent.closed);
      const silentMs = silent.endedAt - t0;
      yield* futureWait(stopsSending.closed);
      const chattyEchoed = yield* futureWait(chattyGot);
      while (server.clients > 0) yield* sleep(10);
      stopsReading.sock.destroy();
      yield* serving.cancel();
      return {
        silent: [
          ended.get(silent.localPort),
          silent.ended,
          silentMs >= IDLE - 10 && silentMs < 10 * IDLE,
        ],
        stopsSending: [ended.get(stopsSending.localPort), stopsSending.ended, stopsSendingGot],
        stopsReading: ended.get(stopsReading.localPort),
        chatty: [ended.get(chatty.localPort), chattyEchoed],
      };
    })(),
  );
  expect(got).toEqual({
    silent: ['ETIMEDOUT in recv', true, true],
    stopsSending: ['ETIMEDOUT in recv', true, 'ccc'],
    stopsReading: 'ETIMEDOUT in sendall',
    chatty: ['end of file', 'c'.repeat(CHATTY_BYTES)],
  });
  expect(crashLog).toEqual([]);
  expect(await leftoverSockets()).toEqual([]);
});

it('idleTimeout on a Unix server, and on TLS after the handshake: the client reads end of file', async () => {
  const path = join(tmpdir(), `curio-net-idle-${process.pid}.sock`);
  const ends: string[] = [];
  function* recording(client: Socket): Coro<void> {
    try {
      yield* echo(client);
      ends.push('end of file');
    } catch (err) {
      ends.push(`${(err as Error).message}`.replace(/\d+/g, 'N'));
      throw err;
    }
  }
  const got = await runTest(
    (function* () {
      const unix = createUnixServer(path, recording, { idleTimeout: IDLE });
      const tls = createServer('127.0.0.1', 0, recording, {
        ssl: tlsServerContext(),
        idleTimeout: IDLE,
      });
      const servingUnix = yield* newTask(unix.serveForever());
      const servingTls = yield* newTask(tls.serveForever());
      const out: string[] = [];
      // Each client talks right after connecting: the server's idle clock for one must not
      // run through the other's TLS handshake (on a loaded machine that took more than IDLE).
      const a = yield* openUnixConnection(path);
      out.push(yield* hello(a));
      const b = yield* openConnection('localhost', (tls.address as [string, number])[1], {
        ssl: trusting(),
      });
      out.push(yield* hello(b));
      // Then silence: the servers close both; each client reads end of file.
      for (const sock of [a, b]) out.push(`eof ${(yield* sock.recv(10)).length}`);
      yield* a.close();
      yield* b.close();
      yield* servingUnix.cancel();
      yield* servingTls.cancel();
      return out;
    })(),
  );
  expect(got).toEqual(['hi', 'hi', 'eof 0', 'eof 0']);
  expect(ends).toEqual([
    'recording(unix): nothing received or sent for N ms (idleTimeout): connection closed',
    'recording(N.N.N.N:N): nothing received or sent for N ms (idleTimeout): connection closed',
  ]);
  expect(crashLog).toEqual([]);
  expect(await leftoverSockets()).toEqual([]);
});

// Long enough for the well-behaved clients' handshakes on a loaded machine (a cold one took
// ~850 ms at load 15): the silent clients are dropped only after it.
const HANDSHAKE = 3000;

it('TLS: clients that never handshake or send garbage are dropped after sslHandshakeTimeout, one warning each; the others are served', async () => {
  const got = await runTest(
    (function* () {
      const server = createServer('127.0.0.1', 0, echo, {
        ssl: tlsServerContext(),
        sslHandshakeTimeout: HANDSHAKE,
      });
      const port = (server.address as [string, number])[1];
      const serving = yield* newTask(server.serveForever());
      const t0 = performance.now();
      const silent = yield* futureWait(Promise.all([Peer.connect(port), Peer.connect(port)]));
      const garbage = yield* futureWait(Promise.all([Peer.connect(port), Peer.connect(port)]));
      for (const peer of garbage) peer.sock.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
      // Served meanwhile, while the silent ones wait in their handshakes, and afterwards.
      const served = function* (text: string): Coro<string> {
        const sock = yield* openConnection('localhost', port, { ssl: trusting() });
        const reply = yield* exchange(sock, text);
        yield* sock.close();
        return reply;
      };
      const replies = [yield* served('before'), yield* served('meanwhile')];
      yield* futureWait(Promise.all([...silent, ...garbage].map((p) => p.closed)));
      const droppedMs = Math.min(...silent.map((p) => p.endedAt - t0));
      replies.push(yield* served('after'));
      yield* serving.cancel();
      return { silent, garbage, replies, droppedMs, clients: server.clients };
    })(),
  );
  expect(got.replies).toEqual(['before', 'meanwhile', 'after']);
  expect(got.clients).toBe(0);
  expect(got.droppedMs).toBeGreaterThanOrEqual(HANDSHAKE - 10);
  const line = (peer: Peer) => `curio: echo(127.0.0.1:${peer.localPort}): TLS handshake`;
  const expected = [
    ...got.silent.map(
      (p) => `${line(p)} timed out after ${HANDSHAKE} ms (sslHandshakeTimeout); connection closed`,
    ),
    ...got.garbage.map(
      (p) => `${line(p)} failed: http request (ERR_SSL_HTTP_REQUEST); connection closed`,
    ),
  ];
  expect(warnings.sort()).toEqual(expected.sort());
  expect(crashLog).toEqual([]);
  expect(await leftoverSockets()).toEqual([]);
});
