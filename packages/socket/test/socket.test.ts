import { execFileSync } from 'node:child_process';
import { constants, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError, newTask, run, sleep, TaskTimeout } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  createConnection,
  fromfd,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
  UnsupportedOperation,
} from '../src/index.js';
import { caught, checkNoLeaks } from './helpers.js';

checkNoLeaks();

function listening(): [Socket, number] {
  const server = socket(AF_INET, SOCK_STREAM);
  server.bind(['127.0.0.1', 0]);
  server.listen(8);
  return [server, (server.getsockname() as [string, number])[1]];
}

describe('socket()', () => {
  it('makes unconnected sockets of each supported kind', () => {
    const made = [socket(), socket(AF_INET6, SOCK_DGRAM), socket(AF_UNIX, SOCK_STREAM)];
    expect(made.map((s) => [s.family, s.type, s.proto, s.raw])).toEqual([
      [AF_INET, SOCK_STREAM, 0, null],
      [AF_INET6, SOCK_DGRAM, 0, null],
      [AF_UNIX, SOCK_STREAM, 0, null],
    ]);
  });

  it('refuses AF_UNIX datagrams and bad arguments', () => {
    expect(() => socket(AF_UNIX, SOCK_DGRAM)).toThrow(
      new UnsupportedOperation(
        'Socket(AF_UNIX, SOCK_DGRAM): Unix datagram sockets are not supported by Node.js',
      ),
    );
    expect(() => socket(3)).toThrow(
      'Socket(family): family must be AF_INET, AF_INET6 or AF_UNIX, got 3',
    );
    expect(() => socket(AF_INET, 9)).toThrow(
      'Socket(type): type must be SOCK_STREAM or SOCK_DGRAM, got 9',
    );
    expect(() => socket(AF_INET, SOCK_STREAM, -1)).toThrow(
      'Socket(proto): proto must be an integer >= 0, got -1',
    );
  });

  it('fromfd / socket(..., fileno) wrap a stream descriptor (here a FIFO)', async () => {
    const path = join(tmpdir(), `curio-socket-fifo-${process.pid}`);
    rmSync(path, { force: true });
    execFileSync('mkfifo', [path]);
    function* main() {
      const sock = socket(AF_UNIX, SOCK_STREAM, 0, openSync(path, constants.O_RDWR));
      yield* sock.sendall(Buffer.from('via fd'));
      const data = yield* sock.recv(100);
      yield* sock.close();
      return data.toString();
    }
    try {
      expect(await run(main())).toBe('via fd');
    } finally {
      rmSync(path, { force: true });
    }
  });

  it('fromfd refuses a descriptor Node already owns', async () => {
    function* main() {
      const [server, port] = listening();
      const client = yield* createConnection(['127.0.0.1', port]);
      let message = '';
      try {
        fromfd(client.fileno(), AF_INET, SOCK_STREAM);
      } catch (e) {
        message = (e as Error).message;
      }
      const [conn] = yield* server.accept();
      for (const s of [client, conn, server]) yield* s.close();
      return message;
    }
    expect(await run(main())).toMatch(/already belongs to a Node socket/);
  });

  it('fromfd refuses bad descriptors and datagram sockets', () => {
    expect(() => fromfd(-1, AF_INET, SOCK_STREAM)).toThrow(
      'fromfd(fd): fd must be an integer >= 0, got -1',
    );
    expect(() => fromfd(3, AF_INET, SOCK_DGRAM)).toThrow(UnsupportedOperation);
  });
});

describe('createConnection', () => {
  it('connects to a host name and keeps the timeout on the socket', async () => {
    function* main() {
      const [server, port] = listening();
      const sock = yield* createConnection(['localhost', port], 1000);
      const [conn] = yield* server.accept();
      yield* conn.sendall(Buffer.from('hi'));
      conn.shutdown(SHUT_WR);
      const data = yield* sock.recv(10);
      const timeout = sock.gettimeout();
      for (const s of [sock, conn, server]) yield* s.close();
      return [data.toString(), timeout];
    }
    expect(await run(main())).toEqual(['hi', 1000]);
  });

  it('binds a source address', async () => {
    function* main() {
      const [server, port] = listening();
      const sock = yield* createConnection(['127.0.0.1', port], null, ['127.0.0.1', 0]);
      const [conn, from] = yield* server.accept();
      const same = JSON.stringify(from) === JSON.stringify(sock.getsockname());
      for (const s of [sock, conn, server]) yield* s.close();
      return same;
    }
    expect(await run(main())).toBe(true);
  });

  it('raises the connect error when nothing listens; times out; is cancellable', async () => {
    function* main() {
      const [server, port] = listening();
      yield* server.close();
      const refused = yield* caught(createConnection(['127.0.0.1', port]));
      const [server2, port2] = listening();
      const timedOut = yield* caught(createConnection(['127.0.0.1', port2], 0));
      const task = yield* newTask(createConnection(['127.0.0.1', port2]));
      yield* task.cancel();
      yield* sleep(5);
      // A connection that completed before the cancel reached it is accepted and closed.
      server2.settimeout(0);
      const leftover = yield* caught(server2.accept());
      if (Array.isArray(leftover)) yield* (leftover[0] as Socket).close();
      yield* server2.close();
      return [
        (refused as { code: string }).code,
        timedOut instanceof TaskTimeout,
        task.excInfo instanceof CancelledError,
      ];
    }
    expect(await run(main())).toEqual(['ECONNREFUSED', true, true]);
  });

  it('rejects a bad address', async () => {
    function* main() {
      return yield* caught(createConnection('localhost:80' as never));
    }
    expect(await run(main())).toEqual(
      new TypeError('createConnection(address): address must be [host, port], got "localhost:80"'),
    );
  });
});

describe('UDP through socket()', () => {
  it('sendto a host name resolves it (here localhost)', async () => {
    function* main() {
      const a = socket(AF_INET, SOCK_DGRAM);
      const b = socket(AF_INET, SOCK_DGRAM);
      b.bind(['localhost', 0]);
      const [, port] = b.getsockname() as [string, number];
      yield* a.sendto(Buffer.from('named'), ['localhost', port]);
      const [data, from] = yield* b.recvfrom(100);
      yield* a.close();
      yield* b.close();
      return [data.toString(), (from as [string, number])[0]];
    }
    expect(await run(main())).toEqual(['named', '127.0.0.1']);
  });
});
