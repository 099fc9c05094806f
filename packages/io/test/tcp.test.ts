import {
  asyncWith,
  CancelledError,
  Kernel,
  newTask,
  run,
  sleep,
  TaskTimeout,
  VirtualTimeSelector,
} from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { AF_INET, SHUT_WR, SOCK_STREAM, Socket } from '../src/index.js';
import { checkNoLeaks, listener } from './helpers.js';

checkNoLeaks();

describe('TCP Socket', () => {
  it('accepts, connects, echoes and closes', async () => {
    const events: string[] = [];
    function* main() {
      const [server, port] = listener();
      function* echo() {
        const [client] = yield* server.accept();
        events.push('accepted');
        yield* asyncWith(client, function* () {
          for (;;) {
            const data = yield* client.recv(1000);
            if (data.length === 0) break;
            events.push(`server got ${data}`);
            yield* client.sendall(data);
          }
        });
        events.push('server done');
      }
      const task = yield* newTask(echo());
      const sock = new Socket({ family: AF_INET, type: SOCK_STREAM });
      yield* sock.connect(['127.0.0.1', port]);
      yield* sock.sendall(Buffer.from('hello'));
      events.push(`client got ${yield* sock.recv(1000)}`);
      sock.shutdown(SHUT_WR);
      events.push(`client eof ${(yield* sock.recv(1000)).length}`);
      yield* sock.close();
      yield* task.join();
      yield* server.close();
    }
    await run(main());
    expect(events).toEqual([
      'accepted',
      'server got hello',
      'client got hello',
      'server done',
      'client eof 0',
    ]);
  });

  it('recv(n) never returns more than n and loses nothing; makefile shares the buffer', async () => {
    function* main() {
      const [server, port] = listener();
      const sock = new Socket({ family: AF_INET, type: SOCK_STREAM });
      yield* sock.connect(['127.0.0.1', port]);
      const [client] = yield* server.accept();
      yield* client.sendall(Buffer.from('abcdef\nline two\nrest'));
      client.shutdown(SHUT_WR);
      const got: string[] = [];
      got.push((yield* sock.recv(2)).toString());
      const [reader] = sock.makeStreams();
      got.push((yield* reader.readline()).toString());
      got.push((yield* sock.recv(4)).toString());
      got.push((yield* reader.readline()).toString());
      got.push((yield* reader.readall()).toString());
      got.push((yield* reader.readline()).toString());
      yield* reader.close();
      yield* sock.close();
      yield* client.close();
      yield* server.close();
      return got;
    }
    expect(await run(main())).toEqual(['ab', 'cdef\n', 'line', ' two\n', 'rest', '']);
  });

  it('recv times out with settimeout and is cancellable', async () => {
    const events: string[] = [];
    function* main() {
      const [server, port] = listener();
      const sock = new Socket({ family: AF_INET, type: SOCK_STREAM });
      yield* sock.connect(['127.0.0.1', port]);
      const [client] = yield* server.accept();
      sock.settimeout(20);
      try {
        yield* sock.recv(10);
      } catch (e) {
        events.push(`timeout ${e instanceof TaskTimeout}`);
      }
      sock.settimeout(null);
      const reader = yield* newTask(
        (function* () {
          try {
            yield* sock.recv(10);
          } catch (e) {
            events.push(`cancelled ${e instanceof CancelledError}`);
            throw e;
          }
        })(),
      );
      yield* sleep(5);
      yield* reader.cancel();
      yield* client.sendall(Buffer.from('after'));
      events.push(`still there: ${yield* sock.recv(10)}`);
      yield* sock.close();
      yield* client.close();
      yield* server.close();
    }
    await run(main());
    expect(events).toEqual(['timeout true', 'cancelled true', 'still there: after']);
  });
});

describe('with the virtual-time selector', () => {
  it('a recv timeout fires while the socket waits for real I/O', async () => {
    const events: string[] = [];
    function* main() {
      const [server, port] = listener();
      const sock = new Socket({ family: AF_INET, type: SOCK_STREAM });
      yield* sock.connect(['127.0.0.1', port]);
      const [client] = yield* server.accept();
      sock.settimeout(30);
      try {
        yield* sock.recv(10);
      } catch (e) {
        events.push(`recv: ${(e as Error).name}`);
      }
      yield* client.sendall(Buffer.from('x'));
      events.push(`then: ${yield* sock.recv(10)}`);
      for (const s of [sock, client, server]) yield* s.close();
    }
    await new Kernel({ selector: new VirtualTimeSelector() }).run(main());
    expect(events).toEqual(['recv: TaskTimeout', 'then: x']);
  });
});
