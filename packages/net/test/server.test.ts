import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address, Socket } from '@curio/io';
import { asyncWith, type Coro, newTask, sleep, type TaskError, timeoutAfter } from '@curio/kernel';
import { AF_INET6, AF_UNIX } from '@curio/socket';
import { createDefaultContext, Purpose } from '@curio/ssl';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { makeTestCerts } from '../../../test-support/certs.js';
import {
  createServer,
  createUnixServer,
  openConnection,
  openUnixConnection,
  runServer,
  runUnixServer,
} from '../src/index.js';
import { echo, exchange, leftoverSockets, runTest, settle } from './helpers.js';

const certs = makeTestCerts();
afterAll(() => certs.cleanup());

function tlsContext() {
  const ctx = createDefaultContext(Purpose.CLIENT_AUTH);
  ctx.loadCertChain(certs.localhost.certFile, certs.localhost.keyFile);
  return ctx;
}

let unixCount = 0;
function unixPath(): string {
  return join(tmpdir(), `curio-net-${process.pid}-${unixCount++}.sock`);
}

describe('createServer / serveForever', () => {
  it('serves each client in its own task and closes its socket after the handler', async () => {
    const events: string[] = [];
    await runTest(
      (function* () {
        function* handler(client: Socket, address: Address) {
          events.push(`handler ${Array.isArray(address) && address[0]}`);
          yield* echo(client);
          events.push('handler done');
        }
        const server = createServer('127.0.0.1', 0, handler);
        const [host, port] = server.address as [string, number];
        events.push(`listening ${host} ${port > 0}`);
        const serving = yield* newTask(server.serveForever());
        const sock = yield* openConnection('127.0.0.1', port);
        events.push(`got ${yield* exchange(sock, 'hello')}`);
        // The server closed its side: reading again gives end of file.
        events.push(`eof ${(yield* sock.recv(10)).length}`);
        yield* sock.close();
        yield* sleep(10);
        events.push(`clients ${server.clients}`);
        yield* serving.cancel();
        events.push(`closed ${server.closed}`);
      })(),
    );
    expect(events).toEqual([
      'listening 127.0.0.1 true',
      'handler 127.0.0.1',
      'handler done',
      'got hello',
      'eof 0',
      'clients 0',
      'closed true',
    ]);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('a crashing handler is logged and the server keeps serving', async () => {
    const logged: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
    });
    try {
      const results = await runTest(
        (function* () {
          function* handler(client: Socket) {
            const data = yield* client.recv(100);
            if (data.toString() === 'crash') throw new Error('handler blew up');
            yield* client.sendall(data);
          }
          const server = createServer('127.0.0.1', 0, handler);
          const port = (server.address as [string, number])[1];
          const serving = yield* newTask(server.serveForever());
          const out: string[] = [];
          for (const msg of ['one', 'crash', 'two']) {
            const sock = yield* openConnection('127.0.0.1', port);
            out.push(`${msg} -> ${JSON.stringify(yield* exchange(sock, msg))}`);
            yield* sock.close();
          }
          yield* serving.cancel();
          return out;
        })(),
      );
      expect(results).toEqual(['one -> "one"', 'crash -> ""', 'two -> "two"']);
      expect(logged.length).toBe(1);
      expect(logged[0]).toMatch(/handler\(127\.0\.0\.1:\d+\).* crashed:.*handler blew up/s);
    } finally {
      spy.mockRestore();
    }
    expect(await leftoverSockets()).toEqual([]);
  });

  it('cancelling serveForever cancels every client and closes every socket', async () => {
    const events: string[] = [];
    await runTest(
      (function* () {
        function* handler(client: Socket) {
          try {
            yield* client.recv(100); // never sent anything
          } catch (err) {
            events.push(`handler ${(err as Error).name}`);
            throw err;
          }
        }
        const server = createServer('127.0.0.1', 0, handler);
        const port = (server.address as [string, number])[1];
        const serving = yield* newTask(server.serveForever());
        const a = yield* openConnection('127.0.0.1', port);
        const b = yield* openConnection('127.0.0.1', port);
        // Until the server has taken both (a fixed sleep can end first on a loaded machine).
        while (server.clients < 2) yield* sleep(1);
        events.push(`clients ${server.clients}`);
        yield* serving.cancel();
        events.push(`clients ${server.clients}`);
        try {
          yield* serving.join();
        } catch (err) {
          events.push(`serving ${((err as TaskError).cause as Error).name}`);
        }
        events.push(`a eof ${(yield* a.recv(10)).length} b eof ${(yield* b.recv(10)).length}`);
        events.push(`refused ${yield* settle(openConnection('127.0.0.1', port))}`);
        yield* a.close();
        yield* b.close();
      })(),
    );
    expect(events).toEqual([
      'clients 2',
      'handler CancelledError',
      'handler CancelledError',
      'clients 0',
      'serving CancelledError',
      'a eof 0 b eof 0',
      'refused Error ECONNREFUSED',
    ]);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('close() from another task (or a handler) stops serving; serveForever returns', async () => {
    const events: string[] = [];
    await runTest(
      (function* () {
        let server = createServer('127.0.0.1', 0, echo);
        let serving = yield* newTask(server.serveForever());
        const idle = yield* openConnection('127.0.0.1', (server.address as [string, number])[1]);
        yield* sleep(10);
        yield* server.close();
        events.push(`closed ${server.closed} clients ${server.clients}`);
        events.push(`serving returned ${(yield* serving.join()) === undefined}`);
        events.push(`idle eof ${(yield* idle.recv(10)).length}`);
        yield* idle.close();
        yield* server.close(); // twice is fine
        events.push(`again ${yield* settle(server.serveForever())}`);

        function* stopper(client: Socket): Coro<void> {
          yield* client.sendall(Buffer.from('bye'));
          yield* server.close();
        }
        server = createServer('127.0.0.1', 0, stopper);
        serving = yield* newTask(server.serveForever());
        const c = yield* openConnection('127.0.0.1', (server.address as [string, number])[1]);
        events.push(`stopper said ${(yield* c.recv(10)).toString()}`);
        yield* serving.join();
        events.push(`stopped ${server.closed}`);
        yield* c.close();
      })(),
      { logErrors: false },
    );
    expect(events).toEqual([
      'closed true clients 0',
      'serving returned true',
      'idle eof 0',
      'again Error EBADF',
      'stopper said bye',
      'stopped true',
    ]);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('serveForever under timeoutAfter: stops listening, cancels its clients, then times out', async () => {
    const events: string[] = [];
    await runTest(
      (function* () {
        function* handler(client: Socket) {
          try {
            yield* client.recv(10); // the client never sends
          } finally {
            yield* sleep(10); // a cleanup that takes a while: serveForever waits for it
            events.push('handler ended');
          }
        }
        const server = createServer('127.0.0.1', 0, handler);
        const port = (server.address as [string, number])[1];
        const sock = yield* openConnection('127.0.0.1', port);
        events.push(yield* settle(timeoutAfter(50, server.serveForever())));
        events.push(`closed ${server.closed} clients ${server.clients}`);
        events.push(`client eof ${(yield* sock.recv(10)).length}`);
        events.push(`refused ${yield* settle(openConnection('127.0.0.1', port))}`);
        yield* sock.close();
      })(),
    );
    expect(events).toEqual([
      'handler ended',
      'TaskTimeout',
      'closed true clients 0',
      'client eof 0',
      'refused Error ECONNREFUSED',
    ]);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('refuses to serve twice; closes as a context manager; closes unserved', async () => {
    const events: string[] = [];
    await runTest(
      (function* () {
        const server = createServer('127.0.0.1', 0, echo);
        const port = (server.address as [string, number])[1];
        yield* asyncWith(server, function* (s) {
          const serving = yield* newTask(s.serveForever());
          events.push(`second ${yield* settle(s.serveForever())}`);
          events.push(`echo ${yield* exchange(yield* openConnection('127.0.0.1', port), 'x')}`);
          void serving;
        });
        events.push(`after with ${server.closed}`);
        const unserved = createServer('127.0.0.1', 0, echo);
        yield* unserved.close();
        events.push(`unserved ${unserved.closed}`);
      })(),
    );
    expect(events).toEqual(['second CurioError', 'echo x', 'after with true', 'unserved true']);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('serves IPv6 on ::1', async () => {
    const got = await runTest(
      (function* () {
        const server = createServer('::1', 0, echo, { family: AF_INET6 });
        const address = server.address as [string, number, number, number];
        const serving = yield* newTask(server.serveForever());
        const sock = yield* openConnection('::1', address[1]);
        const reply = yield* exchange(sock, 'six');
        yield* sock.close();
        yield* serving.cancel();
        return [address[0], address.length, reply];
      })(),
    );
    expect(got).toEqual(['::1', 4, 'six']);
  });

  it('serves TLS with an SSLContext', async () => {
    const got = await runTest(
      (function* () {
        const ctx = createDefaultContext(Purpose.CLIENT_AUTH);
        ctx.loadCertChain(certs.localhost.certFile, certs.localhost.keyFile);
        const server = createServer('127.0.0.1', 0, echo, { ssl: ctx });
        const port = (server.address as [string, number])[1];
        const serving = yield* newTask(server.serveForever());
        const client = createDefaultContext(Purpose.SERVER_AUTH, {
          cafile: certs.localhost.certFile,
        });
        const sock = yield* openConnection('localhost', port, { ssl: client });
        const reply = yield* exchange(sock, 'secret');
        yield* sock.close();
        yield* serving.cancel();
        return reply;
      })(),
    );
    expect(got).toBe('secret');
    expect(await leftoverSockets()).toEqual([]);
  });

  it('refuses bad input with errors naming it', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => createServer(1 as never, 0, echo), /createServer\(host\): host must be a string/],
      [
        () => createServer('127.0.0.1', -1, echo),
        /createServer\(port\): port must be an integer from 0 to 65535, got -1/,
      ],
      [() => createServer('127.0.0.1', 70000, echo), /port must be an integer from 0 to 65535/],
      [() => createServer('127.0.0.1', '80' as never, echo), /port must be an integer.*got "80"/],
      [
        () => createServer('127.0.0.1', 0, 'echo' as never),
        /clientConnectedTask must be a generator function/,
      ],
      [() => createServer('127.0.0.1', 0, echo, { family: AF_UNIX }), /use createUnixServer/],
      [
        () => createServer('127.0.0.1', 0, echo, { backlog: -1 }),
        /options.backlog must be an integer >= 0/,
      ],
      [
        () => createServer('127.0.0.1', 0, echo, { ssl: true as never }),
        /true only works for clients/,
      ],
      [
        () =>
          createServer('127.0.0.1', 0, echo, { ssl: createDefaultContext(Purpose.CLIENT_AUTH) }),
        /has no certificate/,
      ],
      [
        () => createServer('127.0.0.1', 0, echo, { reuseAddress: 1 as never }),
        /reuseAddress must be a boolean/,
      ],
      [() => createServer('127.0.0.1', 0, echo, 5 as never), /options must be an object/],
      [
        () => createUnixServer('', echo),
        /createUnixServer\(path\): path must be a non-empty string/,
      ],
      [() => createUnixServer(unixPath(), null as never), /clientConnectedTask must be/],
    ];
    for (const [f, re] of bad) expect(f).toThrow(re);
  });

  it('refuses bad time limits with a TypeError naming the option and the value', () => {
    const bad: [() => unknown, RegExp][] = [
      ...[0, -1, Number.NaN, 2 ** 31, '1000', true].map((value): [() => unknown, RegExp] => [
        () => createServer('127.0.0.1', 0, echo, { idleTimeout: value as never }),
        new RegExp(
          `^createServer: options\\.idleTimeout must be a number of milliseconds > 0 and <= 2147483647 \\(null or Infinity: no limit\\), got ${typeof value === 'string' ? '"1000"' : String(value)}$`,
        ),
      ]),
      [
        () => createUnixServer(unixPath(), echo, { idleTimeout: -5 }),
        /^createUnixServer: options\.idleTimeout must be a number of milliseconds > 0/,
      ],
      [
        () => createServer('127.0.0.1', 0, echo, { sslHandshakeTimeout: 5000 }),
        /^createServer: options\.sslHandshakeTimeout is only meaningful with options\.ssl, got 5000 without ssl$/,
      ],
      [
        () => createServer('127.0.0.1', 0, echo, { ssl: tlsContext(), sslHandshakeTimeout: 0 }),
        /^createServer: options\.sslHandshakeTimeout must be a number of milliseconds > 0 .*, got 0$/,
      ],
      [
        () =>
          createUnixServer(unixPath(), echo, {
            ssl: tlsContext(),
            sslHandshakeTimeout: 'x' as never,
          }),
        /^createUnixServer: options\.sslHandshakeTimeout must be .*, got "x"$/,
      ],
    ];
    for (const [f, re] of bad) {
      expect(f).toThrow(re);
      expect(f).toThrow(TypeError);
    }
  });

  it('accepts time limits: a number of ms, or null / Infinity for none', async () => {
    const made: string[] = [];
    await runTest(
      (function* () {
        for (const options of [
          { idleTimeout: 1 },
          { idleTimeout: 2 ** 31 - 1 },
          { idleTimeout: null },
          { idleTimeout: Number.POSITIVE_INFINITY },
          { ssl: tlsContext(), sslHandshakeTimeout: 250 },
          { ssl: tlsContext(), sslHandshakeTimeout: null },
          { sslHandshakeTimeout: null },
        ]) {
          const server = createServer('127.0.0.1', 0, echo, options);
          made.push(Object.keys(options).join('+'));
          yield* server.close();
        }
      })(),
    );
    expect(made).toEqual([
      ...new Array(4).fill('idleTimeout'),
      ...new Array(2).fill('ssl+sslHandshakeTimeout'),
      'sslHandshakeTimeout',
    ]);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('reports an address in use', async () => {
    const outcome = await runTest(
      (function* () {
        const first = createServer('127.0.0.1', 0, echo);
        const port = (first.address as [string, number])[1];
        let second = 'ok';
        try {
          createServer('127.0.0.1', port, echo);
        } catch (err) {
          second = (err as { code?: string }).code ?? String(err);
        }
        yield* first.close();
        return second;
      })(),
    );
    expect(outcome).toBe('EADDRINUSE');
  });
});

describe('createUnixServer', () => {
  it('a path that exists already is reported by serveForever (Node reports it late)', async () => {
    const path = unixPath();
    writeFileSync(path, '');
    try {
      const got = await runTest(
        (function* () {
          const server = createUnixServer(path, echo);
          return [yield* settle(server.serveForever()), server.closed];
        })(),
      );
      expect(got).toEqual(['Error EADDRINUSE', true]);
    } finally {
      rmSync(path, { force: true });
    }
    expect(await leftoverSockets()).toEqual([]);
  });
});

describe('runServer / runUnixServer', () => {
  it('runServer serves until cancelled', async () => {
    const got = await runTest(
      (function* () {
        // Find a free port, then run a server on it.
        const probe = createServer('127.0.0.1', 0, echo);
        const port = (probe.address as [string, number])[1];
        yield* probe.close();
        const serving = yield* newTask(runServer('127.0.0.1', port, echo));
        const sock = yield* openConnection('127.0.0.1', port);
        const reply = yield* exchange(sock, 'run');
        yield* sock.close();
        yield* serving.cancel();
        return [reply, yield* settle(openConnection('127.0.0.1', port))];
      })(),
    );
    expect(got).toEqual(['run', 'Error ECONNREFUSED']);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('runUnixServer serves a Unix socket and removes it when cancelled', async () => {
    const path = unixPath();
    const got = await runTest(
      (function* () {
        const serving = yield* newTask(runUnixServer(path, echo));
        const exists = existsSync(path);
        const sock = yield* openUnixConnection(path);
        const reply = yield* exchange(sock, 'unix');
        yield* sock.close();
        yield* serving.cancel();
        return [exists, reply, existsSync(path)];
      })(),
    );
    expect(got).toEqual([true, 'unix', false]);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('createUnixServer with TLS, and cancelling mid-handshake', async () => {
    const path = unixPath();
    const events: string[] = [];
    await runTest(
      (function* () {
        const ctx = createDefaultContext(Purpose.CLIENT_AUTH);
        ctx.loadCertChain(certs.localhost.certFile, certs.localhost.keyFile);
        const server = createUnixServer(path, echo, { ssl: ctx });
        events.push(`address ${server.address === path}`);
        const serving = yield* newTask(server.serveForever());
        const client = createDefaultContext(Purpose.SERVER_AUTH, {
          cafile: certs.localhost.certFile,
        });
        const sock = yield* openUnixConnection(path, { ssl: client, serverHostname: 'localhost' });
        events.push(`reply ${yield* exchange(sock, 'tls over unix')}`);
        yield* sock.close();
        // A plain client never sends a ClientHello: its server task waits in the handshake.
        const plain = yield* openUnixConnection(path);
        while (server.clients === 0) yield* sleep(1);
        events.push(`waiting ${server.clients}`);
        yield* serving.cancel();
        events.push(`after cancel ${server.clients} ${(yield* plain.recv(10)).length}`);
        yield* plain.close();
      })(),
    );
    expect(events).toEqual([
      'address true',
      'reply tls over unix',
      'waiting 1',
      'after cancel 0 0',
    ]);
    expect(existsSync(path)).toBe(false);
    expect(await leftoverSockets()).toEqual([]);
  });
});
