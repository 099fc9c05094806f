import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { run } from '@curio/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AF_INET, Socket } from '../src/index.js';
import { caught, checkNoLeaks, closeAll } from './helpers.js';

checkNoLeaks();

let key = '';
let cert = '';
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'curio-io-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
afterAll(() => {});

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
});
