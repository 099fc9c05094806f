import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { futureWait, newTask, run, sleep } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { AF_INET, SOCK_DGRAM, SOCK_STREAM, Socket, Stream } from '../src/index.js';
import { caught, checkNoLeaks, closeAll, tcpPair } from './helpers.js';

checkNoLeaks();

function codeOf(e: unknown): string {
  return (e as { code?: string }).code ?? String(e);
}

describe('Socket.detach', () => {
  it('gives the connected net.Socket back, open, with the bytes not yet read', async () => {
    function* main() {
      const [client, accepted, listener] = yield* tcpPair();
      yield* client.sendall(Buffer.from('hello'));
      const first = yield* accepted.recv(1);
      const raw = accepted.raw;
      const detached = accepted.detach() as net.Socket;
      const state = [detached === raw, accepted.closed, detached.destroyed, accepted.detach()];
      const e = yield* caught(accepted.recv(10));
      const again = new Socket(detached);
      const rest = yield* again.recv(100);
      yield* client.sendall(Buffer.from('!'));
      const more = yield* again.recv(100);
      yield* closeAll(again, accepted, client, listener);
      return [first.toString(), ...state, codeOf(e), rest.toString(), more.toString()];
    }
    expect(await run(main())).toEqual(['h', true, true, false, null, 'EBADF', 'ello', '!']);
  });

  it('a detached socket hands its data to Node listeners (flowing again)', async () => {
    function* main() {
      const [client, accepted, listener] = yield* tcpPair();
      yield* client.sendall(Buffer.from('ab'));
      yield* accepted.recv(1);
      const raw = accepted.detach() as net.Socket;
      const got: string[] = [];
      raw.on('data', (d: Buffer) => got.push(d.toString()));
      yield* client.sendall(Buffer.from('c'));
      for (let i = 0; i < 200 && got.join('') !== 'bc'; i++) yield* sleep(5);
      raw.destroy();
      yield* closeAll(client, listener);
      return got.join('');
    }
    expect(await run(main())).toBe('bc');
  });

  it('wakes a task blocked in recv with EBADF', async () => {
    const events: string[] = [];
    function* main() {
      const [client, accepted, listener] = yield* tcpPair();
      const reader = yield* newTask(
        (function* () {
          events.push('recv');
          const e = yield* caught(accepted.recv(10));
          events.push(`recv raised ${codeOf(e)}`);
        })(),
      );
      yield* sleep(5);
      events.push('detach');
      const raw = accepted.detach() as net.Socket;
      yield* reader.join();
      raw.destroy();
      yield* closeAll(client, listener);
    }
    await run(main());
    expect(events).toEqual(['recv', 'detach', 'recv raised EBADF']);
  });

  it('gives a listening net.Server back without its listeners', async () => {
    function* main() {
      const listener = new Socket({ family: AF_INET, type: SOCK_STREAM });
      listener.bind(['127.0.0.1', 0]);
      listener.listen();
      const server = listener.detach() as net.Server;
      const state = [
        server instanceof net.Server,
        server.listening,
        server.listenerCount('connection'),
        listener.closed,
      ];
      const e = yield* caught(listener.accept());
      server.close();
      return [...state, codeOf(e)];
    }
    expect(await run(main())).toEqual([true, true, 0, true, 'EBADF']);
  });

  it('gives a UDP dgram.Socket back; an unconnected socket gives null', async () => {
    function* main() {
      const udp = new Socket({ family: AF_INET, type: SOCK_DGRAM });
      udp.bind(['127.0.0.1', 0]);
      const raw = udp.detach() as dgram.Socket;
      const fresh = new Socket({ family: AF_INET, type: SOCK_STREAM });
      const none = fresh.detach();
      const state = [raw instanceof dgram.Socket, raw.listenerCount('message'), none, fresh.closed];
      raw.close();
      return state;
    }
    expect(await run(main())).toEqual([true, 0, null, true]);
  });
});

describe('Stream.detach', () => {
  it('gives the Node stream back, open, with the bytes read ahead first; then null', async () => {
    function* main() {
      const pipe = new PassThrough();
      const stream = new Stream(pipe);
      pipe.write(Buffer.from('hello\nworld\n'));
      const line = (yield* stream.readline()).toString(); // the rest waits in the Stream
      const raw = stream.detach() as PassThrough;
      const state = [line, raw === pipe, stream.closed, raw.destroyed, stream.detach()];
      const e = yield* caught(stream.read(10));
      pipe.end(Buffer.from('!'));
      const rest: string[] = [];
      raw.on('data', (d: Buffer) => rest.push(d.toString()));
      yield* futureWait(once(raw, 'end'));
      return [...state, codeOf(e), rest.join('')];
    }
    expect(await run(main())).toEqual(['hello\n', true, true, false, null, 'EBADF', 'world\n!']);
  });

  it('wakes a task blocked in read with EBADF', async () => {
    const events: string[] = [];
    function* main() {
      const pipe = new PassThrough();
      const stream = new Stream(pipe);
      const reader = yield* newTask(
        (function* () {
          events.push('read');
          const e = yield* caught(stream.read());
          events.push(`read raised ${codeOf(e)}`);
        })(),
      );
      yield* sleep(1);
      events.push('detach');
      stream.detach();
      yield* reader.join();
      pipe.destroy();
    }
    await run(main());
    expect(events).toEqual(['read', 'detach', 'read raised EBADF']);
  });

  it('refuses a Stream made by Socket.makefile: the socket is what to detach', async () => {
    function* main() {
      const [client, accepted, listener] = yield* tcpPair();
      const file = client.makefile('rb');
      let message = '';
      try {
        file.detach();
      } catch (e) {
        message = `${codeOf(e)} ${(e as Error).message}`;
      }
      const open = !file.closed;
      yield* closeAll(file, client, accepted, listener);
      return [message, open];
    }
    expect(await run(main())).toEqual([
      'EINVAL Stream.detach: a Stream made by Socket.makefile shares its socket; detach the socket',
      true,
    ]);
  });
});

describe('flowing reads', () => {
  it('pause the Node socket while much is unread, and lose nothing', async () => {
    const size = 4 * 1024 * 1024;
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = (i * 7) & 0xff;
    function* main() {
      const [client, accepted, listener] = yield* tcpPair();
      const sender = yield* newTask(client.sendall(data));
      const first = yield* accepted.recv(1); // starts reading
      const raw = accepted.raw as net.Socket;
      for (let i = 0; i < 400 && raw.readableFlowing !== false; i++) yield* sleep(5);
      const paused = raw.readableFlowing === false;
      const parts = [first];
      let got = 1;
      let biggest = 0;
      while (got < size) {
        const part = yield* accepted.recv(100_000);
        biggest = Math.max(biggest, part.length);
        parts.push(part);
        got += part.length;
      }
      yield* sender.join();
      yield* closeAll(client, accepted, listener);
      return [paused, biggest <= 100_000, Buffer.concat(parts).equals(data)];
    }
    expect(await run(main())).toEqual([true, true, true]);
  });

  it('a reader woken by the data lets up to 512 KiB queue before pausing; others pause at 256 KiB', async () => {
    const chunk = Buffer.alloc(64 * 1024, 1);
    const events: string[] = [];
    function* main() {
      const source = new PassThrough();
      const stream = new Stream(source);
      const reader = yield* newTask(stream.read(1)); // parks: data will wake it
      for (let i = 0; i < 8; i++) source.write(chunk); // 512 KiB before the reader runs
      events.push(`reader woken, 512 KiB queued: paused ${source.isPaused()}`);
      source.write(chunk);
      events.push(`reader woken, 576 KiB queued: paused ${source.isPaused()}`);
      yield* reader.join();
      let left = 9 * chunk.length - 1;
      while (left > 0) left -= (yield* stream.read(left)).length;
      events.push(`all read: paused ${source.isPaused()}`);
      for (let i = 0; i < 5; i++) source.write(chunk); // nobody waits to read
      events.push(`no reader, 320 KiB queued: paused ${source.isPaused()}`);
      yield* stream.close();
    }
    await run(main());
    expect(events).toEqual([
      'reader woken, 512 KiB queued: paused false',
      'reader woken, 576 KiB queued: paused true',
      'all read: paused false',
      'no reader, 320 KiB queued: paused true',
    ]);
  });
});
