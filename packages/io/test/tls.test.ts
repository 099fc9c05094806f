import type net from 'node:net';
import tls from 'node:tls';
import { run, sleep } from '@curio/kernel';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestCerts } from '../../../test-support/certs.js';
import { AF_INET, SHUT_WR, Socket } from '../src/index.js';
import { caught, checkNoLeaks, closeAll } from './helpers.js';

checkNoLeaks();

let key = '';
let cert = '';
beforeAll(() => {
  const certs = makeTestCerts();
  try {
    key = certs.localhost.key;
    cert = certs.localhost.cert;
  } finally {
    certs.cleanup();
  }
});

describe('Socket over tls.TLSSocket', () => {
  it('doHandshake waits for the handshake on both sides, then data flows', async () => {
    function* main() {
      const listener = new Socket({ family: AF_INET, type: 1 });
      listener.bind(['127.0.0.1', 0]);
      listener.listen();
      const [, port] = listener.getsockname() as [string, number];
      const client = new Socket(
        tls.connect({ port, host: '127.0.0.1', ca: cert, servername: 'localhost' }),
      );
      const [plain] = yield* listener.accept();
      const server = new Socket(
        new tls.TLSSocket(plain.raw as net.Socket, { isServer: true, key, cert }),
      );
      yield* server.doHandshake();
      yield* client.doHandshake();
      yield* client.doHandshake(); // already done: returns at once
      yield* client.sendall(Buffer.from('secret'));
      const data = yield* server.recv(100);
      yield* closeAll(client, server, plain, listener);
      return [data.toString(), client.family === AF_INET];
    }
    expect(await run(main())).toEqual(['secret', true]);
  });

  it('doHandshake raises the verification error of an untrusted peer', async () => {
    function* main() {
      const listener = new Socket({ family: AF_INET, type: 1 });
      listener.bind(['127.0.0.1', 0]);
      listener.listen();
      const [, port] = listener.getsockname() as [string, number];
      const client = new Socket(tls.connect({ port, host: '127.0.0.1', servername: 'localhost' }));
      const [plain] = yield* listener.accept();
      const server = new Socket(
        new tls.TLSSocket(plain.raw as net.Socket, { isServer: true, key, cert }),
      );
      const e = yield* caught(client.doHandshake());
      yield* closeAll(client, server, plain, listener);
      return (e as { code: string }).code;
    }
    expect(await run(main())).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('doHandshake on a client raises the name mismatch of a trusted certificate', async () => {
    function* main() {
      const listener = new Socket({ family: AF_INET, type: 1 });
      listener.bind(['127.0.0.1', 0]);
      listener.listen();
      const [, port] = listener.getsockname() as [string, number];
      const client = new Socket(
        tls.connect({ port, host: '127.0.0.1', ca: cert, servername: 'other.example' }),
      );
      const [plain] = yield* listener.accept();
      const server = new Socket(
        new tls.TLSSocket(plain.raw as net.Socket, { isServer: true, key, cert }),
      );
      client.settimeout(5000);
      const e = yield* caught(client.doHandshake());
      yield* closeAll(client, server, plain, listener);
      return (e as { code: string }).code;
    }
    expect(await run(main())).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('doHandshake on a half-open server raises ECONNRESET when the peer ends early', async () => {
    function* main() {
      const listener = new Socket({ family: AF_INET, type: 1 });
      listener.bind(['127.0.0.1', 0]);
      listener.listen();
      const [, port] = listener.getsockname() as [string, number];
      const client = new Socket({ family: AF_INET, type: 1 });
      yield* client.connect(['127.0.0.1', port]);
      const [plain] = yield* listener.accept();
      const server = new Socket(
        new tls.TLSSocket(plain.raw as net.Socket, { isServer: true, key, cert }),
      );
      server.settimeout(5000);
      client.shutdown(SHUT_WR); // end of file, no close: the TLS socket stays half-open
      const e = yield* caught(server.doHandshake());
      yield* closeAll(client, server, plain, listener);
      return (e as { code: string }).code;
    }
    expect(await run(main())).toBe('ECONNRESET');
  });

  it('doHandshake honours the timeout and can be retried', async () => {
    function* main() {
      const listener = new Socket({ family: AF_INET, type: 1 });
      listener.bind(['127.0.0.1', 0]);
      listener.listen();
      const [, port] = listener.getsockname() as [string, number];
      const raw = new Socket({ family: AF_INET, type: 1 });
      yield* raw.connect(['127.0.0.1', port]);
      const [plain] = yield* listener.accept();
      // The server side waits for a ClientHello that only comes later.
      const server = new Socket(
        new tls.TLSSocket(plain.raw as net.Socket, { isServer: true, key, cert }),
      );
      server.settimeout(20);
      const ends = (server.raw as net.Socket).listenerCount('end');
      const e = yield* caught(server.doHandshake());
      const client = new Socket(
        tls.connect({ socket: raw.detach() as net.Socket, ca: cert, servername: 'localhost' }),
      );
      server.settimeout(null);
      yield* server.doHandshake();
      yield* client.doHandshake();
      const left = (server.raw as net.Socket).listenerCount('end') - ends;
      yield* client.sendall(Buffer.from('ok'));
      const data = yield* server.recv(10);
      yield* closeAll(client, server, plain, listener);
      return [(e as Error).name, data.toString(), left];
    }
    expect(await run(main())).toEqual(['TaskTimeout', 'ok', 0]);
  });

  it('wrapping a detached socket keeps bytes it had received (STARTTLS)', async () => {
    function* main() {
      const [listener, port] = [new Socket({ family: AF_INET, type: 1 }), 0];
      listener.bind(['127.0.0.1', port]);
      listener.listen();
      const [, p] = listener.getsockname() as [string, number];
      const rawClient = new Socket({ family: AF_INET, type: 1 });
      yield* rawClient.connect(['127.0.0.1', p]);
      const [plain] = yield* listener.accept();
      yield* rawClient.sendall(Buffer.from('STARTTLS\n'));
      const client = new Socket(
        tls.connect({
          socket: rawClient.detach() as net.Socket,
          ca: cert,
          servername: 'localhost',
        }),
      );
      // Wait until the ClientHello has reached the server's socket behind the line: reading
      // the line then reads it ahead too, and detach must put it back for the TLS server (which
      // otherwise never sees it and times out).
      const arrived = plain.raw as net.Socket;
      for (let polls = 0; arrived.bytesRead <= 'STARTTLS\n'.length; polls++) {
        if (polls === 1000) throw new Error('the ClientHello never reached the server');
        yield* sleep(5);
      }
      const line = yield* plain.makefile('rb').readline();
      const server = new Socket(
        new tls.TLSSocket(plain.detach() as net.Socket, { isServer: true, key, cert }),
      );
      server.settimeout(5000);
      yield* server.doHandshake();
      yield* client.doHandshake();
      yield* server.sendall(Buffer.from('secure'));
      const data = yield* client.recv(10);
      yield* closeAll(client, server, plain, rawClient, listener);
      return [line.toString(), data.toString(), plain.closed];
    }
    expect(await run(main())).toEqual(['STARTTLS\n', 'secure', true]);
  });
});
