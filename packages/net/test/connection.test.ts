import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from '@curio/io';
import { type Coro, newTask, sleep, type TaskError, timeoutAfter } from '@curio/kernel';
import { createDefaultContext, Purpose, SSLSocket } from '@curio/ssl';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeTestCerts } from '../../../test-support/certs.js';
import { createServer, openConnection, openUnixConnection, type Server } from '../src/index.js';
import { echo, exchange, leftoverSockets, resetBaseline, runTest, settle } from './helpers.js';

const certs = makeTestCerts();
// Accepts TCP connections and never answers: TLS handshakes hang.
let silent: net.Server;
let silentPort: number;
const silentSockets = new Set<net.Socket>();
let freePort: number; // nothing listens here

beforeAll(async () => {
  silent = net.createServer((s) => {
    silentSockets.add(s);
    s.on('close', () => silentSockets.delete(s));
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as net.AddressInfo).port;
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  freePort = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  resetBaseline();
});

afterAll(async () => {
  for (const s of silentSockets) s.destroy();
  await new Promise((r) => silent.close(r));
  certs.cleanup();
});

function tlsServerContext() {
  const ctx = createDefaultContext(Purpose.CLIENT_AUTH);
  ctx.loadCertChain(certs.localhost.certFile, certs.localhost.keyFile);
  return ctx;
}

const trusting = () =>
  createDefaultContext(Purpose.SERVER_AUTH, { cafile: certs.localhost.certFile });

/** Run `body` with a server serving `echo` (TLS if asked); the server stops afterwards. */
function* withServer<T>(tls: boolean, body: (server: Server, port: number) => Coro<T>): Coro<T> {
  const server = createServer('127.0.0.1', 0, echo, tls ? { ssl: tlsServerContext() } : {});
  const serving = yield* newTask(server.serveForever());
  try {
    return yield* body(server, (server.address as [string, number])[1]);
  } finally {
    yield* serving.cancel();
  }
}

describe('openConnection', () => {
  it('connects over TCP, from a chosen source address too', async () => {
    const got = await runTest(
      withServer(false, function* (_server, port) {
        const a = yield* openConnection('127.0.0.1', port);
        const r1 = yield* exchange(a, 'plain');
        yield* a.close();
        const b = yield* openConnection('localhost', port, { sourceAddr: ['127.0.0.1', 0] });
        const local = b.getsockname() as [string, number];
        const r2 = yield* exchange(b, 'sourced');
        yield* b.close();
        return [r1, r2, local[0]];
      }),
    );
    expect(got).toEqual(['plain', 'sourced', '127.0.0.1']);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('speaks TLS: verified against the context, hostname checked, default name = host', async () => {
    // The server's side of a refused handshake is a warning line (see timeouts.test.ts).
    const warnings: string[] = [];
    const spy = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      warnings.push(args.map(String).join(' '));
    });
    let got: string[];
    try {
      got = await runTest(
        withServer(true, function* (_server, port) {
          const out: string[] = [];
          const s = yield* openConnection('localhost', port, { ssl: trusting() });
          out.push(`${s instanceof SSLSocket} ${(s as SSLSocket).serverHostname}`);
          out.push(yield* exchange(s, 'tls'));
          yield* s.close();
          const ip = yield* openConnection('127.0.0.1', port, { ssl: trusting() });
          out.push(yield* exchange(ip, 'by ip'));
          yield* ip.close();
          // ssl: true trusts only Node's public roots: a self-signed server is refused.
          out.push(yield* settle(openConnection('localhost', port, { ssl: true })));
          out.push(
            yield* settle(
              openConnection('127.0.0.1', port, { ssl: trusting(), serverHostname: 'example.com' }),
            ),
          );
          return out;
        }),
        { logErrors: false },
      );
    } finally {
      spy.mockRestore();
    }
    expect(got).toEqual([
      'true localhost',
      'tls',
      'by ip',
      'SSLCertVerificationError DEPTH_ZERO_SELF_SIGNED_CERT',
      'SSLCertVerificationError ERR_TLS_CERT_ALTNAME_INVALID',
    ]);
    // At most one per refused client: the server may be stopped before it sees the second go.
    expect(warnings.length).toBeLessThanOrEqual(2);
    for (const line of warnings) {
      expect(line).toMatch(
        /^curio: echo\(127\.0\.0\.1:\d+\): TLS handshake failed: .+; connection closed$/,
      );
    }
    expect(await leftoverSockets()).toEqual([]);
  });

  it('times out (connect + handshake) and leaves no socket behind', async () => {
    const got = await runTest(
      (function* () {
        return [
          yield* settle(openConnection('127.0.0.1', silentPort, { ssl: trusting(), timeout: 50 })),
        ];
      })(),
      { logErrors: false },
    );
    expect(got).toEqual(['TaskTimeout']);
    for (const s of silentSockets) s.destroy();
    expect(await leftoverSockets()).toEqual([]);
  });

  it('can be cancelled mid-handshake', async () => {
    const events: string[] = [];
    await runTest(
      (function* () {
        const task = yield* newTask(openConnection('127.0.0.1', silentPort, { ssl: trusting() }));
        yield* sleep(20);
        yield* task.cancel();
        try {
          yield* task.join();
        } catch (err) {
          events.push(((err as TaskError).cause as Error).name);
        }
      })(),
    );
    expect(events).toEqual(['CancelledError']);
    for (const s of silentSockets) s.destroy();
    expect(await leftoverSockets()).toEqual([]);
  });

  it('reports refused connections and refuses bad input', async () => {
    const got = await runTest(
      (function* () {
        return yield* settle(openConnection('127.0.0.1', freePort));
      })(),
      { logErrors: false },
    );
    expect(got).toBe('Error ECONNREFUSED');
    const bad: [() => unknown, RegExp][] = [
      [
        () => openConnection('', 80).next(),
        /openConnection\(host\): host must be a non-empty string/,
      ],
      [
        () => openConnection(['127.0.0.1', 80] as never, 80).next(),
        /host must be a non-empty string, got \["127.0.0.1", 80\]/,
      ],
      [
        () => openConnection('127.0.0.1', 0).next(),
        /openConnection\(port\): port must be an integer from 1 to 65535, got 0/,
      ],
      [
        () => openConnection('127.0.0.1', 1.5).next(),
        /port must be an integer from 1 to 65535, got 1.5/,
      ],
      [
        () => openConnection('127.0.0.1', 80, { ssl: 'yes' as never }).next(),
        /options.ssl must be true or an SSLContext/,
      ],
      [
        () => openConnection('127.0.0.1', 80, { sourceAddr: '127.0.0.1' as never }).next(),
        /options.sourceAddr must be \[host, port\]/,
      ],
      [
        () => openConnection('127.0.0.1', 80, { serverHostname: '' }).next(),
        /options.serverHostname must be a non-empty string/,
      ],
      [
        () => openConnection('127.0.0.1', 80, { timeout: -1 }).next(),
        /options.timeout must be a number of milliseconds >= 0, got -1/,
      ],
      [
        () => openConnection('127.0.0.1', 80, 3 as never).next(),
        /options must be an object, got 3/,
      ],
    ];
    for (const [f, re] of bad) expect(f).toThrow(re);
  });

  it('a closed socket raises EBADF', async () => {
    const got = await runTest(
      withServer(false, function* (_server, port) {
        const s: Socket = yield* openConnection('127.0.0.1', port);
        yield* s.close();
        return [yield* settle(s.recv(10)), yield* settle(s.sendall(Buffer.from('x')))];
      }),
    );
    expect(got).toEqual(['Error EBADF', 'Error EBADF']);
  });
});

describe('openUnixConnection', () => {
  it('speaks TLS, times out (with timeoutAfter) and can be cancelled mid-handshake', async () => {
    // A Unix server that accepts and never answers: TLS handshakes hang.
    const path = join(tmpdir(), `curio-net-silent-${process.pid}.sock`);
    const held = new Set<net.Socket>();
    const mute = net.createServer((s) => {
      held.add(s);
      s.on('close', () => held.delete(s));
    });
    await new Promise<void>((r) => mute.listen(path, r));
    try {
      const events = await runTest(
        (function* () {
          const out: string[] = [];
          out.push(
            yield* settle(
              timeoutAfter(
                50,
                openUnixConnection(path, { ssl: trusting(), serverHostname: 'localhost' }),
              ),
            ),
          );
          const task = yield* newTask(
            openUnixConnection(path, { ssl: trusting(), serverHostname: 'localhost' }),
          );
          yield* sleep(20);
          yield* task.cancel();
          out.push(yield* settle(task.join()));
          return out;
        })(),
        { logErrors: false },
      );
      expect(events).toEqual(['TaskTimeout', 'TaskError']);
    } finally {
      for (const s of held) s.destroy();
      await new Promise((r) => mute.close(r));
    }
    expect(await leftoverSockets()).toEqual([]);
  });

  it('reports a missing socket and refuses bad input', async () => {
    const missing = join(tmpdir(), `curio-net-missing-${process.pid}.sock`);
    const got = await runTest(
      (function* () {
        return yield* settle(openUnixConnection(missing));
      })(),
      { logErrors: false },
    );
    expect(got).toBe('Error ENOENT');
    expect(() => openUnixConnection('').next()).toThrow(
      /openUnixConnection\(path\): path must be a non-empty string, got ""/,
    );
    expect(() => openUnixConnection(missing, { ssl: true }).next()).toThrow(
      /options.ssl = true checks the server's certificate against options.serverHostname, which is missing/,
    );
    expect(() => openUnixConnection(missing, { ssl: 1 as never }).next()).toThrow(
      /options.ssl must be true or an SSLContext/,
    );
    expect(await leftoverSockets()).toEqual([]);
  });
});
