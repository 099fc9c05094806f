import {
  asyncWith,
  CancelledError,
  newTask,
  run,
  sleep,
  TaskTimeout,
  timeoutAfter,
} from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  SOCK_DGRAM,
  SOCK_STREAM,
  Socket,
  UnsupportedOperation,
} from '../src/index.js';
import { caught, checkNoLeaks, closeAll, listener, tcpPair, unixPair } from './helpers.js';

checkNoLeaks();

describe('accept', () => {
  it('times out with settimeout and with timeoutAfter, then still accepts', async () => {
    const events: string[] = [];
    function* main() {
      const [server, port] = listener();
      server.settimeout(10);
      const e1 = yield* caught(server.accept());
      events.push(`settimeout: ${(e1 as Error).name}`);
      server.settimeout(null);
      const e2 = yield* caught(timeoutAfter(10, server.accept()));
      events.push(`timeoutAfter: ${(e2 as Error).name}`);
      const client = new Socket({ family: AF_INET, type: SOCK_STREAM });
      yield* client.connect(['127.0.0.1', port]);
      const [conn, address] = yield* server.accept();
      events.push(`accepted from ${(address as [string, number])[0]}`);
      expect(address).toEqual(client.getsockname());
      yield* closeAll(client, conn, server);
    }
    await run(main());
    expect(events).toEqual([
      'settimeout: TaskTimeout',
      'timeoutAfter: TaskTimeout',
      'accepted from 127.0.0.1',
    ]);
  });

  it('is cancellable, and a close wakes a blocked accept with EBADF', async () => {
    const events: string[] = [];
    function* main() {
      const [server] = listener();
      const waiter = yield* newTask(
        (function* () {
          try {
            yield* server.accept();
          } catch (e) {
            events.push(`waiter: ${(e as Error).name}`);
          }
        })(),
      );
      yield* sleep(1);
      yield* waiter.cancel();
      const second = yield* newTask(
        (function* () {
          const e = yield* caught(server.accept());
          events.push(`second: ${(e as { code?: string }).code}`);
        })(),
      );
      yield* server.close();
      yield* second.join();
      const e = yield* caught(server.accept());
      events.push(`after close: ${(e as { code?: string }).code}`);
    }
    await run(main());
    expect(events).toEqual(['waiter: CancelledError', 'second: EBADF', 'after close: EBADF']);
  });

  it('refuses a socket that is not listening', async () => {
    function* main() {
      const sock = new Socket({ family: AF_INET, type: SOCK_STREAM });
      const e = yield* caught(sock.accept());
      yield* sock.close();
      return e;
    }
    const e = (await run(main())) as Error & { code: string };
    expect(e.code).toBe('EINVAL');
    expect(e.message).toMatch(/not listening/);
  });
});

describe('connect', () => {
  it('raises ECONNREFUSED; connectEx returns 111 and 0', async () => {
    function* main() {
      const [server, port] = listener();
      yield* server.close();
      const a = new Socket({ family: AF_INET, type: SOCK_STREAM });
      const e = (yield* caught(a.connect(['127.0.0.1', port]))) as { code?: string };
      const b = new Socket({ family: AF_INET, type: SOCK_STREAM });
      const errno = yield* b.connectEx(['127.0.0.1', port]);
      const [server2, port2] = listener();
      const c = new Socket({ family: AF_INET, type: SOCK_STREAM });
      const ok = yield* c.connectEx(['127.0.0.1', port2]);
      const [conn] = yield* server2.accept();
      yield* closeAll(a, b, c, conn, server2);
      return [e.code, errno, ok];
    }
    expect(await run(main())).toEqual(['ECONNREFUSED', 111, 0]);
  });

  it('rejects bad addresses with errors naming them', async () => {
    function* main() {
      const sock = new Socket({ family: AF_INET, type: SOCK_STREAM });
      const errors = [
        yield* caught(sock.connect('nope' as never)),
        yield* caught(sock.connect(['127.0.0.1'] as never)),
        yield* caught(sock.connect(['127.0.0.1', 70000])),
        yield* caught(sock.connect(['127.0.0.1', 80, 0, 0] as never)),
        yield* caught(sock.connectEx([1, 2] as never)),
      ];
      yield* sock.close();
      return errors.map((e) => `${(e as Error).name}: ${(e as Error).message}`);
    }
    expect(await run(main())).toEqual([
      'TypeError: Socket.connect(address): address must be [host, port] for AF_INET, got "nope"',
      'TypeError: Socket.connect(address): address must be [host, port] for AF_INET, got ["127.0.0.1"]',
      'RangeError: Socket.connect(address): port must be an integer from 0 to 65535, got 70000',
      'TypeError: Socket.connect(address): address must be [host, port] for AF_INET, got ["127.0.0.1", 80, 0, 0]',
      'TypeError: Socket.connectEx(address): address must be [host, port] for AF_INET, got [1, 2]',
    ]);
  });

  it('times out (settimeout 0) and can be cancelled, leaving nothing open', async () => {
    function* main() {
      const [server, port] = listener();
      const a = new Socket({ family: AF_INET, type: SOCK_STREAM });
      a.settimeout(0);
      const e = yield* caught(a.connect(['127.0.0.1', port]));
      const b = new Socket({ family: AF_INET, type: SOCK_STREAM });
      const task = yield* newTask(b.connect(['127.0.0.1', port]));
      yield* task.cancel();
      yield* closeAll(a, b, server);
      return [(e as Error).name, task.excInfo instanceof CancelledError];
    }
    expect(await run(main())).toEqual(['TaskTimeout', true]);
  });

  it('closing a socket wakes a task connecting it with EBADF', async () => {
    function* main() {
      const [server, port] = listener();
      const sock = new Socket({ family: AF_INET, type: SOCK_STREAM });
      const connecting = yield* newTask(caught(sock.connect(['127.0.0.1', port])));
      yield* sock.close();
      const e = yield* connecting.join();
      server.settimeout(20);
      const leftover = yield* caught(server.accept()); // a connection may have landed
      if (Array.isArray(leftover)) yield* (leftover[0] as Socket).close();
      yield* server.close();
      return (e as { code: string }).code;
    }
    expect(await run(main())).toBe('EBADF');
  });

  it('refuses a second connect and connect on a listening socket', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      const e1 = yield* caught(client.connect(['127.0.0.1', 1]));
      const e2 = yield* caught(server.connect(['127.0.0.1', 1]));
      yield* closeAll(client, conn, server);
      return [(e1 as { code: string }).code, (e2 as { code: string }).code];
    }
    expect(await run(main())).toEqual(['EISCONN', 'EINVAL']);
  });
});

describe('sendall', () => {
  it('reports bytesSent when cancelled part-way; the peer gets exactly those bytes', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      const big = Buffer.alloc(32 * 1024 * 1024, 7);
      const sender = yield* newTask(client.sendall(big));
      yield* sleep(20);
      yield* sender.cancel();
      const err = sender.excInfo as CancelledError & { bytesSent: number };
      client.shutdown(1);
      let received = 0;
      for (;;) {
        const data = yield* conn.recv(1 << 20);
        if (data.length === 0) break;
        received += data.length;
      }
      yield* closeAll(client, conn, server);
      return [
        err instanceof CancelledError,
        err.bytesSent > 0,
        err.bytesSent < big.length,
        received === err.bytesSent,
      ];
    }
    expect(await run(main())).toEqual([true, true, true, true]);
  });

  it('reports bytesSent on a timeout (settimeout)', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      client.settimeout(20);
      const e = (yield* caught(client.sendall(Buffer.alloc(32 * 1024 * 1024)))) as TaskTimeout & {
        bytesSent: number;
      };
      yield* closeAll(client, conn, server);
      return [e instanceof TaskTimeout, e.bytesSent > 0 && e.bytesSent < 32 * 1024 * 1024];
    }
    expect(await run(main())).toEqual([true, true]);
  });

  it('a blocked sendall waits in WRITE_WAIT; closing the socket wakes it with EBADF', async () => {
    const events: string[] = [];
    const big = Buffer.alloc(32 * 1024 * 1024, 1);
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      const sender = yield* newTask(
        (function* () {
          const e = (yield* caught(client.sendall(big))) as { code?: string; bytesSent: number };
          events.push(
            `sender: ${e.code}, some sent: ${e.bytesSent > 0 && e.bytesSent < big.length}`,
          );
        })(),
      );
      // The peer reads nothing: the socket buffers fill and the sender parks.
      for (let i = 0; i < 400 && sender.state !== 'WRITE_WAIT'; i++) yield* sleep(5);
      events.push(`sender state: ${sender.state}`);
      yield* client.close();
      yield* sender.join();
      yield* closeAll(conn, server);
    }
    await run(main());
    expect(events).toEqual(['sender state: WRITE_WAIT', 'sender: EBADF, some sent: true']);
  });

  it('send waits for room and returns the byte count', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      const n = yield* client.send(Buffer.from('abc'));
      const got = yield* conn.recv(10);
      yield* closeAll(client, conn, server);
      return [n, got.toString()];
    }
    expect(await run(main())).toEqual([3, 'abc']);
  });

  it('rejects bad data and flags', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      const errors = [
        yield* caught(client.sendall('text' as never)),
        yield* caught(client.send(Buffer.from('x'), 1)),
        yield* caught(client.recv(-1)),
        yield* caught(client.recv(1.5)),
        yield* caught(client.recv('4' as never)),
        yield* caught(client.recv(4, 2)),
      ];
      yield* closeAll(client, conn, server);
      return errors.map((e) => `${(e as Error).name}: ${(e as Error).message}`);
    }
    expect(await run(main())).toEqual([
      'TypeError: Socket.sendall(data): data must be a Buffer or Uint8Array, got "text"',
      'UnsupportedOperation: Socket.send(flags): MSG_* flags are not supported by Node.js (only 0), got 1',
      'RangeError: Socket.recv(maxbytes): maxbytes must be an integer >= 0, got -1',
      'RangeError: Socket.recv(maxbytes): maxbytes must be an integer >= 0, got 1.5',
      'TypeError: Socket.recv(maxbytes): maxbytes must be an integer >= 0, got "4"',
      'UnsupportedOperation: Socket.recv(flags): MSG_* flags are not supported by Node.js (only 0), got 2',
    ]);
  });
});

describe('closed sockets', () => {
  it('every operation raises EBADF; close twice is harmless; close wakes a reader', async () => {
    const events: string[] = [];
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      const reader = yield* newTask(
        (function* () {
          const e = yield* caught(conn.recv(10));
          events.push(`reader: ${(e as { code?: string }).code}`);
        })(),
      );
      yield* sleep(1);
      yield* conn.close();
      yield* reader.join();
      yield* conn.close();
      for (const op of [
        conn.recv(1),
        conn.send(Buffer.from('x')),
        conn.sendall(Buffer.from('x')),
      ]) {
        events.push(`${((yield* caught(op)) as { code?: string }).code}`);
      }
      expect(() => conn.getsockname()).toThrow(/closed/);
      expect(() => conn.makefile('rb')).toThrow(/closed/);
      expect(conn.fileno()).toBe(-1);
      expect(conn.closed).toBe(true);
      yield* closeAll(client, server);
    }
    await run(main());
    expect(events).toEqual(['reader: EBADF', 'EBADF', 'EBADF', 'EBADF']);
  });
});

describe('socket kinds', () => {
  it('refuses AF_UNIX datagrams and bad families/types', () => {
    expect(() => new Socket({ family: AF_UNIX, type: SOCK_DGRAM })).toThrow(
      new UnsupportedOperation(
        'Socket(AF_UNIX, SOCK_DGRAM): Unix datagram sockets are not supported by Node.js',
      ),
    );
    expect(() => new Socket({ family: 99 })).toThrow(/family must be AF_INET, AF_INET6 or AF_UNIX/);
    expect(() => new Socket({ type: 5 })).toThrow(/type must be SOCK_STREAM or SOCK_DGRAM/);
    expect(() => new Socket('x' as never)).toThrow(TypeError);
  });

  it('works as an async context manager (closed on exit, even on error)', async () => {
    function* main() {
      const sock = new Socket({ family: AF_INET6, type: SOCK_STREAM });
      const e = yield* caught(
        asyncWith(sock, function* (s) {
          expect(s).toBe(sock);
          throw new Error('boom');
        }),
      );
      return [(e as Error).message, sock.closed];
    }
    expect(await run(main())).toEqual(['boom', true]);
  });
});

describe('one reader at a time', () => {
  it('a second task waiting to accept, recv or recvfrom on one socket gets CurioError', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      const udp = new Socket({ family: AF_INET, type: SOCK_DGRAM });
      udp.bind(['127.0.0.1', 0]);
      const waiters = [
        yield* newTask(server.accept()),
        yield* newTask(conn.recv(10)),
        yield* newTask(udp.recvfrom(10)),
      ];
      const errors = [
        yield* caught(server.accept()),
        yield* caught(conn.recv(10)),
        yield* caught(udp.recvfrom(10)),
      ];
      for (const w of waiters) yield* w.cancel();
      yield* closeAll(client, conn, server, udp);
      return errors.map(
        (e) => `${(e as Error).name}: ${(e as Error).message.replace(/task-\d+/, 'T')}`,
      );
    }
    expect(await run(main())).toEqual([
      'CurioError: Socket.accept: another task is already waiting to read this socket',
      'CurioError: Socket.recv: another task is already waiting to read this socket',
      'CurioError: Socket.recvfrom: another task is already waiting to read this socket',
    ]);
  });

  it('several tasks may send at once; every byte arrives, each sendall in one piece', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      const senders = [];
      for (const letter of ['a', 'b', 'c']) {
        senders.push(yield* newTask(client.sendall(Buffer.alloc(100_000, letter))));
      }
      for (const s of senders) yield* s.join();
      client.shutdown(1);
      const parts: Buffer[] = [];
      for (;;) {
        const data = yield* conn.recv(1 << 20);
        if (data.length === 0) break;
        parts.push(data);
      }
      yield* closeAll(client, conn, server);
      const text = Buffer.concat(parts).toString();
      return [...new Set(text)].map((ch) => [ch, text.indexOf(ch), text.lastIndexOf(ch)]);
    }
    expect(await run(main())).toEqual([
      ['a', 0, 99_999],
      ['b', 100_000, 199_999],
      ['c', 200_000, 299_999],
    ]);
  });

  it('bytes kept for a Stream are not readable after the socket closes', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      yield* client.sendall(Buffer.from('ab\ncd'));
      const reader = conn.makefile('rb');
      const line = yield* reader.readline();
      yield* conn.close();
      const e = yield* caught(reader.read());
      yield* closeAll(client, server);
      return [line.toString(), (e as { code: string }).code];
    }
    expect(await run(main())).toEqual(['ab\n', 'EBADF']);
  });
});

describe('peer failures', () => {
  it('recv raises ECONNRESET after the peer resets the connection', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      (conn.raw as import('node:net').Socket).resetAndDestroy();
      const e = yield* caught(client.recv(10));
      yield* closeAll(client, conn, server);
      return (e as { code: string }).code;
    }
    expect(await run(main())).toBe('ECONNRESET');
  });

  it('sendall to a closed peer eventually raises EPIPE/ECONNRESET with bytesSent', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      yield* conn.close();
      let e: unknown = 'no error';
      for (let i = 0; i < 1000 && e === 'no error'; i++) {
        e = yield* caught(client.sendall(Buffer.alloc(64 * 1024)));
        yield* sleep(1);
      }
      yield* closeAll(client, server);
      const err = e as { code: string; bytesSent: number };
      return [['EPIPE', 'ECONNRESET'].includes(err.code), typeof err.bytesSent];
    }
    expect(await run(main())).toEqual([true, 'number']);
  });

  it('sendall to a closed Unix peer raises EPIPE itself (as Python), not the next recv', async () => {
    function* main() {
      const [client, conn, server] = yield* unixPair('epipe');
      yield* conn.close();
      const eof = yield* client.recv(10);
      const e = (yield* caught(client.sendall(Buffer.from('late')))) as {
        code: string;
        bytesSent: number;
      };
      const again = (yield* caught(client.sendall(Buffer.from('again')))) as { code: string };
      yield* closeAll(client, server);
      return [eof.length, e.code, e.bytesSent, again.code];
    }
    expect(await run(main())).toEqual([0, 'EPIPE', 0, 'EPIPE']);
  });
});
