import dgram from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { CancelledError, newTask, run, sleep, timeoutAfter } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  SO_RCVBUF,
  SO_REUSEADDR,
  SOCK_DGRAM,
  SOL_SOCKET,
  Socket,
  UnsupportedOperation,
} from '../src/index.js';
import { caught, checkNoLeaks, closeAll } from './helpers.js';

checkNoLeaks();

const hasIpv6Loopback = Object.values(networkInterfaces()).some((list) =>
  (list ?? []).some((i) => i.address === '::1'),
);

for (const [name, family, host] of [
  ['127.0.0.1', AF_INET, '127.0.0.1'],
  ['::1', AF_INET6, '::1'],
] as const) {
  describe.skipIf(family === AF_INET6 && !hasIpv6Loopback)(`UDP over ${name}`, () => {
    it('sendto / recvfrom round trip with addresses', async () => {
      function* main() {
        const a = new Socket({ family, type: SOCK_DGRAM });
        const b = new Socket({ family, type: SOCK_DGRAM });
        a.bind([host, 0]);
        b.bind([host, 0]);
        const n = yield* a.sendto(Buffer.from('hello'), b.getsockname());
        const [data, from] = yield* b.recvfrom(100);
        yield* b.sendto(Buffer.from('back'), 0, from!);
        const [reply, from2] = yield* a.recvfrom(100);
        const result = [n, data.toString(), reply.toString(), from, from2];
        yield* closeAll(a, b);
        return result;
      }
      const result = await run(main());
      const [n, data, reply, from, from2] = result as [
        number,
        string,
        string,
        unknown[],
        unknown[],
      ];
      expect([n, data, reply]).toEqual([5, 'hello', 'back']);
      expect(from[0]).toBe(host);
      expect(from2[0]).toBe(host);
      expect(from.length).toBe(family === AF_INET6 ? 4 : 2);
    });

    it('recvfrom truncates to maxsize; recvInto / recvfromInto / recvmsg / recvmsgInto', async () => {
      function* main() {
        const a = new Socket({ family, type: SOCK_DGRAM });
        const b = new Socket({ family, type: SOCK_DGRAM });
        b.bind([host, 0]);
        const to = b.getsockname();
        const out: unknown[] = [];
        for (const msg of ['abcdef', 'ghij', 'klmn', 'opqr', 'stuvwx']) {
          yield* a.sendto(Buffer.from(msg), to);
        }
        out.push((yield* b.recvfrom(3))[0].toString());
        const buf = Buffer.alloc(10);
        out.push(yield* b.recvInto(buf, 2), buf.subarray(0, 2).toString());
        const [n] = yield* b.recvfromInto(buf);
        out.push(n, buf.subarray(0, n).toString());
        const [data, anc, flags] = yield* b.recvmsg(100);
        out.push(data.toString(), anc, flags);
        const parts = [Buffer.alloc(2), Buffer.alloc(10)];
        const [m] = yield* b.recvmsgInto(parts);
        out.push(m, parts[0].toString(), parts[1].subarray(0, m - 2).toString());
        yield* closeAll(a, b);
        return out;
      }
      expect(await run(main())).toEqual([
        'abc',
        2,
        'gh',
        4,
        'klmn',
        'opqr',
        [],
        0,
        6,
        'st',
        'uvwx',
      ]);
    });
  });
}

describe('UDP', () => {
  it('recvfrom times out (settimeout, timeoutAfter) and is cancellable; no datagram is lost', async () => {
    const events: string[] = [];
    function* main() {
      const a = new Socket({ family: AF_INET, type: SOCK_DGRAM });
      a.bind(['127.0.0.1', 0]);
      a.settimeout(10);
      events.push(`settimeout: ${((yield* caught(a.recvfrom(10))) as Error).name}`);
      a.settimeout(null);
      events.push(`timeoutAfter: ${((yield* caught(timeoutAfter(10, a.recv(10)))) as Error).name}`);
      const reader = yield* newTask(a.recvfrom(10));
      yield* sleep(1);
      yield* reader.cancel();
      events.push(`cancelled: ${reader.excInfo instanceof CancelledError}`);
      const b = new Socket({ family: AF_INET, type: SOCK_DGRAM });
      yield* b.sendto(Buffer.from('x'), a.getsockname());
      events.push(`got: ${(yield* a.recv(10)).toString()}`);
      yield* closeAll(a, b);
    }
    await run(main());
    expect(events).toEqual([
      'settimeout: TaskTimeout',
      'timeoutAfter: TaskTimeout',
      'cancelled: true',
      'got: x',
    ]);
  });

  it('connect then send / recv / getpeername', async () => {
    function* main() {
      const a = new Socket({ family: AF_INET, type: SOCK_DGRAM });
      const b = new Socket({ family: AF_INET, type: SOCK_DGRAM });
      expect(a.getsockname()).toEqual(['0.0.0.0', 0]);
      b.bind(['127.0.0.1', 0]);
      yield* a.connect(b.getsockname());
      expect((a.getsockname() as [string, number])[1]).toBeGreaterThan(0); // bound by connect
      yield* a.send(Buffer.from('one'));
      yield* a.sendall(Buffer.from('two'));
      yield* a.sendmsg([Buffer.from('th'), Buffer.from('ree')]);
      const got = [
        (yield* b.recv(10)).toString(),
        (yield* b.recv(10)).toString(),
        (yield* b.recv(10)).toString(),
      ];
      const peer = a.getpeername();
      yield* closeAll(a, b);
      return [got, peer];
    }
    const [got, peer] = await run(main());
    expect(got).toEqual(['one', 'two', 'three']);
    expect((peer as unknown[])[0]).toBe('127.0.0.1');
  });

  it('bad input and unsupported operations raise clear errors', async () => {
    function* main() {
      const a = new Socket({ family: AF_INET, type: SOCK_DGRAM });
      const errors = [
        yield* caught(a.recvfrom(10)),
        yield* caught(a.send(Buffer.from('x'))),
        yield* caught(a.sendto(Buffer.from('x'), 'path' as never)),
        yield* caught(a.sendto(Buffer.from('x'), 4, ['127.0.0.1', 1])),
        yield* caught(a.recvmsg(10, 16)),
        yield* caught(a.sendmsg([Buffer.from('x')], [[1, 2, Buffer.alloc(0)]])),
        yield* caught(a.recvfrom(-5)),
      ];
      expect(() => a.makefile('rb')).toThrow(UnsupportedOperation);
      expect(() => a.listen()).toThrow(/only SOCK_STREAM sockets can listen/);
      a.bind(['127.0.0.1', 0]);
      expect(() => a.bind(['127.0.0.1', 0])).toThrow(/already bound/);
      yield* a.close();
      return errors.map((e) => `${(e as Error).name}: ${(e as Error).message}`);
    }
    expect(await run(main())).toEqual([
      'Error: Socket.recvfrom: the UDP socket is not bound (call bind() or sendto() first)',
      'Error: Socket.send: the UDP socket is not connected (use sendto)',
      'TypeError: Socket.sendto(address): address must be [host, port] for AF_INET, got "path"',
      'UnsupportedOperation: Socket.sendto(flags): MSG_* flags are not supported by Node.js (only 0), got 4',
      'UnsupportedOperation: Socket.recvmsg(ancbufsize): ancillary data is not supported by Node.js (ancbufsize must be 0), got 16',
      'UnsupportedOperation: Socket.sendmsg(ancdata): ancillary data is not supported by Node.js, got 1 item(s)',
      'RangeError: Socket.recvfrom(maxsize): maxsize must be an integer >= 0, got -5',
    ]);
  });

  it('bind on a port in use raises EADDRINUSE at once; SO_REUSEADDR and SO_RCVBUF', async () => {
    function* main() {
      const a = new Socket({ family: AF_INET, type: SOCK_DGRAM });
      a.bind(['127.0.0.1', 0]);
      const b = new Socket({ family: AF_INET, type: SOCK_DGRAM });
      let code = '';
      try {
        b.bind(a.getsockname());
      } catch (e) {
        code = (e as { code: string }).code;
      }
      b.bind(['127.0.0.1', 0]); // a failed bind can be retried
      const c = new Socket({ family: AF_INET, type: SOCK_DGRAM });
      c.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
      c.setsockopt(SOL_SOCKET, SO_RCVBUF, 65536);
      c.bind(['127.0.0.1', 0]);
      const opts = [
        c.getsockopt(SOL_SOCKET, SO_REUSEADDR),
        c.getsockopt(SOL_SOCKET, SO_RCVBUF) >= 65536,
      ];
      expect(() => c.setsockopt(SOL_SOCKET, SO_REUSEADDR, 0)).toThrow(UnsupportedOperation);
      expect(c.fileno()).toBeGreaterThan(2);
      yield* closeAll(a, b, c);
      return [code, opts];
    }
    expect(await run(main())).toEqual(['EADDRINUSE', [1, true]]);
  });

  it('wraps an existing dgram.Socket', async () => {
    function* main() {
      const raw = dgram.createSocket('udp4');
      const sock = new Socket(raw);
      const other = new Socket({ family: AF_INET, type: SOCK_DGRAM });
      other.bind(['127.0.0.1', 0]);
      yield* sock.sendto(Buffer.from('hi'), other.getsockname());
      const [data] = yield* other.recvfrom(10);
      const kind = [sock.family === AF_INET, sock.type === SOCK_DGRAM, sock.raw === raw];
      yield* closeAll(sock, other);
      return [data.toString(), kind];
    }
    expect(await run(main())).toEqual(['hi', [true, true, true]]);
  });

  it('wraps an existing udp6 dgram.Socket as AF_INET6', async () => {
    function* main() {
      const sock = new Socket(dgram.createSocket('udp6'));
      const described = sock.toString();
      yield* sock.close();
      return [sock.family === AF_INET6, described];
    }
    expect(await run(main())).toEqual([true, 'Socket(AF_INET6, SOCK_DGRAM, udp)']);
  });
});

describe('UDP close', () => {
  it('closing wakes a blocked recvfrom with EBADF', async () => {
    function* main() {
      const a = new Socket({ family: AF_INET, type: SOCK_DGRAM });
      a.bind(['127.0.0.1', 0]);
      const reader = yield* newTask(caught(a.recvfrom(10)));
      yield* sleep(1);
      yield* a.close();
      const e = yield* reader.join();
      return (e as { code: string }).code;
    }
    expect(await run(main())).toBe('EBADF');
  });
});

describe('UDP connect', () => {
  it('raises the lookup error of a name that does not resolve', async () => {
    function* main() {
      const a = new Socket({ family: AF_INET, type: SOCK_DGRAM });
      const e = yield* caught(a.connect(['no-such-host.invalid', 9]));
      const connected = yield* caught(a.send(Buffer.from('x')));
      yield* a.close();
      return [(e as { code: string }).code, (connected as { code: string }).code];
    }
    expect(await run(main())).toEqual(['ENOTFOUND', 'EDESTADDRREQ']);
  });
});
