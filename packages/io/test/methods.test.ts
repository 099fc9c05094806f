import { promises as dnsPromises } from 'node:dns';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncFor, asyncWith, run, sleep } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_TCP,
  SHUT_RD,
  SO_KEEPALIVE,
  SO_RCVBUF,
  SO_REUSEADDR,
  SOCK_STREAM,
  SOL_SOCKET,
  Socket,
  TCP_NODELAY,
  UnsupportedOperation,
} from '../src/index.js';
import { caught, checkNoLeaks, closeAll, listener, tcpPair, unixPath } from './helpers.js';

checkNoLeaks();

const hasIpv6Loopback = Object.values(networkInterfaces()).some((list) =>
  (list ?? []).some((i) => i.address === '::1'),
);

describe('plain socket methods', () => {
  it('getsockname / getpeername / fileno on both ends', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      const [, port] = server.getsockname() as [string, number];
      const facts = [
        client.getpeername(),
        conn.getsockname(),
        (client.getsockname() as unknown[])[0],
        conn.getpeername(),
        client.getsockname(),
        client.fileno() > 2,
        server.fileno() > 2,
        new Socket({}).fileno(),
      ];
      yield* closeAll(client, conn, server);
      return [port, facts];
    }
    const [port, facts] = (await run(main())) as [number, unknown[]];
    expect(facts.slice(0, 3)).toEqual([['127.0.0.1', port], ['127.0.0.1', port], '127.0.0.1']);
    expect(facts[3]).toEqual(facts[4]);
    expect(facts.slice(5)).toEqual([true, true, -1]);
  });

  it('getpeername / shutdown on an unconnected socket raise ENOTCONN', () => {
    const sock = new Socket({ family: AF_INET, type: SOCK_STREAM });
    expect(() => sock.getpeername()).toThrow(expect.objectContaining({ code: 'ENOTCONN' }));
    expect(() => sock.shutdown(SHUT_RD)).toThrow(expect.objectContaining({ code: 'ENOTCONN' }));
    expect(() => sock.shutdown(7)).toThrow(/how must be SHUT_RD, SHUT_WR or SHUT_RDWR, got 7/);
    expect(sock.getsockname()).toEqual(['0.0.0.0', 0]);
    expect(() => sock.makefile('rb')).toThrow(expect.objectContaining({ code: 'ENOTCONN' }));
    expect(() => sock.blocking()).toThrow(expect.objectContaining({ code: 'ENOTCONN' }));
  });

  it('setsockopt / getsockopt: supported options recorded and applied, others refused', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      client.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
      client.setsockopt(SOL_SOCKET, SO_KEEPALIVE, true);
      client.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
      const got = [
        client.getsockopt(IPPROTO_TCP, TCP_NODELAY),
        client.getsockopt(SOL_SOCKET, SO_KEEPALIVE),
        client.getsockopt(SOL_SOCKET, SO_REUSEADDR),
        conn.getsockopt(IPPROTO_TCP, TCP_NODELAY),
      ];
      expect(() => client.setsockopt(SOL_SOCKET, SO_RCVBUF, 1024)).toThrow(
        'Socket.setsockopt(SO_RCVBUF): Node.js supports it on UDP sockets only',
      );
      expect(() => client.setsockopt(SOL_SOCKET, 15, 1)).toThrow(
        new UnsupportedOperation(
          'Socket.setsockopt: option 15 at level 1 is not supported by Node.js',
        ),
      );
      expect(() => client.getsockopt(SOL_SOCKET, 15)).toThrow(UnsupportedOperation);
      expect(() => client.setsockopt(SOL_SOCKET, SO_KEEPALIVE, 'yes' as never)).toThrow(TypeError);
      yield* closeAll(client, conn, server);
      return got;
    }
    expect(await run(main())).toEqual([1, 1, 1, 0]);
  });

  it('shutdown(SHUT_RD) makes reads return end of file', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      yield* client.sendall(Buffer.from('ignored'));
      conn.shutdown(SHUT_RD);
      const data = yield* conn.recv(10);
      yield* closeAll(client, conn, server);
      return data.length;
    }
    expect(await run(main())).toBe(0);
  });

  it('recvInto / recvfrom / recvmsgInto / sendmsg / sendto on a stream socket', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      yield* client.sendmsg([Buffer.from('abc'), Buffer.from('def')]);
      yield* client.sendto(Buffer.from('ghi'), ['127.0.0.1', 1]);
      const buf = Buffer.alloc(2);
      const out: unknown[] = [yield* conn.recvInto(buf), buf.toString()];
      const [data, address] = yield* conn.recvfrom(2);
      out.push(data.toString(), address);
      const parts = [Buffer.alloc(1), Buffer.alloc(1)];
      const [n] = yield* conn.recvmsgInto(parts);
      out.push(n, parts.map(String).join(''));
      const [rest] = yield* conn.recvmsg(10);
      out.push(rest.toString());
      const e = yield* caught(conn.recvInto(Buffer.alloc(2), 5));
      out.push((e as Error).message);
      yield* closeAll(client, conn, server);
      return out;
    }
    expect(await run(main())).toEqual([
      2,
      'ab',
      'cd',
      null,
      2,
      'ef',
      'ghi',
      'Socket.recvInto(nbytes): nbytes must not exceed buffer.length 2, got 5',
    ]);
  });

  it('blocking() hands out the raw net.Socket (asyncWith and using)', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      const raw = yield* asyncWith(client.blocking(), function* (r) {
        return r;
      });
      const b = client.blocking();
      b[Symbol.dispose]();
      const facts = [
        raw instanceof net.Socket,
        b.raw === raw,
        server.blocking().raw instanceof net.Server,
      ];
      yield* closeAll(client, conn, server);
      return facts;
    }
    expect(await run(main())).toEqual([true, true, true]);
  });

  it('doHandshake refuses a plain socket', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      const e = yield* caught(client.doHandshake());
      yield* closeAll(client, conn, server);
      return e;
    }
    expect(await run(main())).toEqual(
      new UnsupportedOperation('Socket.doHandshake: the socket is not an SSL socket'),
    );
  });

  it('listen on a port in use raises EADDRINUSE; bad backlog is refused', async () => {
    function* main() {
      const [server, port] = listener();
      const other = new Socket({ family: AF_INET, type: SOCK_STREAM });
      other.bind(['127.0.0.1', port]);
      let code = '';
      try {
        other.listen(1);
      } catch (e) {
        code = (e as { code: string }).code;
      }
      const e2 = yield* caught(other.accept());
      expect(() => server.listen('x' as never)).toThrow(/backlog must be an integer/);
      yield* closeAll(other, server);
      return [code, (e2 as { code: string }).code];
    }
    expect(await run(main())).toEqual(['EADDRINUSE', 'EADDRINUSE']);
  });

  it('asyncFor over a socket yields its lines until end of file', async () => {
    function* main() {
      const [client, conn, server] = yield* tcpPair();
      yield* client.sendall(Buffer.from('one\ntwo\nthree'));
      client.shutdown(1);
      const lines: string[] = [];
      yield* asyncFor(conn, function* (line) {
        lines.push(line.toString());
      });
      yield* closeAll(client, conn, server);
      return lines;
    }
    expect(await run(main())).toEqual(['one\n', 'two\n', 'three']);
  });

  it('wraps an existing net.Socket and reads what arrived before wrapping', async () => {
    function* main() {
      const [server, port] = listener();
      const raw = net.connect({ port, host: '127.0.0.1' });
      const [conn] = yield* server.accept();
      yield* conn.sendall(Buffer.from('early'));
      const sock = new Socket(raw);
      const data = yield* sock.recv(100);
      yield* closeAll(sock, conn, server);
      return [data.toString(), sock.family === AF_INET];
    }
    expect(await run(main())).toEqual(['early', true]);
  });
});

// This host's name, when it resolves to an address of this machine (else the test is skipped).
const localName = await (async () => {
  const name = hostname();
  try {
    const { address } = await dnsPromises.lookup(name, { family: 4 });
    const local = Object.values(networkInterfaces()).some((list) =>
      (list ?? []).some((i) => i.address === address),
    );
    return local ? name : null;
  } catch {
    return null;
  }
})();

describe.skipIf(localName === null)('listening on a host name', () => {
  it('Node resolves it first: getsockname waits for that, accept works', async () => {
    function* main() {
      const server = new Socket({ family: AF_INET, type: SOCK_STREAM });
      server.bind([localName!, 0]);
      server.listen();
      let early = '';
      try {
        server.getsockname();
      } catch (e) {
        early = (e as { code: string }).code;
      }
      let address: unknown = null;
      for (let i = 0; i < 200 && address === null; i++) {
        yield* sleep(10);
        try {
          address = server.getsockname();
        } catch {}
      }
      const [host, port] = address as [string, number];
      const client = new Socket({ family: AF_INET, type: SOCK_STREAM });
      yield* client.connect([host, port]);
      const [conn] = yield* server.accept();
      yield* closeAll(client, conn, server);
      return early;
    }
    expect(await run(main())).toBe('EINVAL');
  });
});

describe.skipIf(!hasIpv6Loopback)('AF_INET6 stream sockets', () => {
  it('connect and accept over ::1 with 4-item addresses', async () => {
    function* main() {
      const server = new Socket({ family: AF_INET6, type: SOCK_STREAM });
      server.bind(['::1', 0]);
      server.listen();
      const address = server.getsockname();
      const client = new Socket({ family: AF_INET6, type: SOCK_STREAM });
      yield* client.connect(['::1', (address as [string, number])[1], 0, 0]);
      const [conn, from] = yield* server.accept();
      yield* client.sendall(Buffer.from('v6'));
      const data = yield* conn.recv(10);
      yield* closeAll(client, conn, server);
      return [address.length, (from as unknown[])[0], from.length, data.toString()];
    }
    expect(await run(main())).toEqual([4, '::1', 4, 'v6']);
  });
});

describe('AF_UNIX stream sockets', () => {
  it('bind a path, listen, accept, connect; addresses are paths', async () => {
    const path = unixPath('test');
    function* main() {
      const server = new Socket({ family: AF_UNIX, type: SOCK_STREAM });
      server.bind(path);
      server.listen();
      const client = new Socket({ family: AF_UNIX, type: SOCK_STREAM });
      yield* client.connect(path);
      const [conn, from] = yield* server.accept();
      yield* client.sendall(Buffer.from('unix'));
      const data = yield* conn.recv(10);
      const facts = [
        server.getsockname(),
        from,
        conn.family === AF_UNIX,
        data.toString(),
        conn.getsockname(),
        conn.getpeername(),
        client.getsockname(),
        client.getpeername(),
      ];
      yield* closeAll(client, conn, server);
      return facts;
    }
    expect(await run(main())).toEqual([path, '', true, 'unix', path, '', '', path]);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a non-path address and listen without bind', async () => {
    function* main() {
      const sock = new Socket({ family: AF_UNIX, type: SOCK_STREAM });
      const e = yield* caught(sock.connect(['127.0.0.1', 80] as never));
      expect(() => sock.listen()).toThrow(/bind an AF_UNIX socket to a path first/);
      yield* sock.close();
      return (e as Error).message;
    }
    expect(await run(main())).toMatch(/address must be a non-empty path string for AF_UNIX/);
  });

  it('listen on a path in use: accept raises EADDRINUSE; a bound Unix client is refused', async () => {
    const path = unixPath('inuse');
    function* main() {
      const first = new Socket({ family: AF_UNIX, type: SOCK_STREAM });
      first.bind(path);
      first.listen();
      const second = new Socket({ family: AF_UNIX, type: SOCK_STREAM });
      second.bind(path);
      second.listen(); // Node reports the failure late: accept() raises it
      const code = ((yield* caught(second.accept())) as { code: string }).code;
      const client = new Socket({ family: AF_UNIX, type: SOCK_STREAM });
      client.bind(`${path}.client`);
      const e = yield* caught(client.connect(path));
      yield* closeAll(first, second, client);
      return [code, (e as Error).name];
    }
    expect(await run(main())).toEqual(['EADDRINUSE', 'UnsupportedOperation']);
  });

  it('connect to a missing path raises ENOENT', async () => {
    function* main() {
      const sock = new Socket({ family: AF_UNIX, type: SOCK_STREAM });
      const e = yield* caught(sock.connect(join(tmpdir(), 'curio-no-such.sock')));
      yield* sock.close();
      return (e as { code: string }).code;
    }
    expect(await run(main())).toBe('ENOENT');
  });
});

describe('settimeout', () => {
  it('takes milliseconds or null, and refuses anything else', () => {
    const sock = new Socket({ family: AF_INET, type: SOCK_STREAM });
    expect(sock.gettimeout()).toBe(null);
    sock.settimeout(250);
    expect(sock.gettimeout()).toBe(250);
    sock.settimeout(null);
    expect(sock.gettimeout()).toBe(null);
    expect(() => sock.settimeout(-1)).toThrow(
      'Socket.settimeout(ms): ms must be a number of milliseconds >= 0 or null, got -1',
    );
    expect(() => sock.settimeout('5' as never)).toThrow(TypeError);
  });
});
