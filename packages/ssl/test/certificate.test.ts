import * as net from 'node:net';
import * as tls from 'node:tls';
import { CancelledError, newTask, run, sleep, type TaskError, TaskTimeout } from '@curio/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCerts } from '../../../test-support/certs.js';
import {
  derCertToPemCert,
  getServerCertificate,
  pemCertToDerCert,
  SSLCertVerificationError,
} from '../src/index.js';

const certs = makeTestCerts();
let server: tls.Server;
let port: number;
// Accepts TCP connections and never answers: handshakes hang.
let silent: net.Server;
let silentPort: number;
const silentSockets = new Set<net.Socket>();

beforeAll(async () => {
  server = tls.createServer({ cert: certs.localhost.cert, key: certs.localhost.key }, (s) =>
    s.end(),
  );
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
  silent = net.createServer((s) => {
    silentSockets.add(s);
    s.on('close', () => silentSockets.delete(s));
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const s of silentSockets) s.destroy();
  await new Promise((r) => server.close(r));
  await new Promise((r) => silent.close(r));
  certs.cleanup();
});

describe('getServerCertificate', () => {
  it('returns the server certificate as PEM, unverified by default', async () => {
    const pem = await run(getServerCertificate(['127.0.0.1', port]));
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    expect(pemCertToDerCert(pem)).toEqual(pemCertToDerCert(certs.localhost.cert));
  });

  it('verifies against caCerts when given', async () => {
    const pem = await run(
      getServerCertificate(['localhost', port], { caCerts: certs.localhost.certFile }),
    );
    expect(pemCertToDerCert(pem)).toEqual(pemCertToDerCert(certs.localhost.cert));
    await expect(
      run(getServerCertificate(['127.0.0.1', port], { caCerts: certs.other.cert }), {
        logErrors: false,
      }),
    ).rejects.toBeInstanceOf(SSLCertVerificationError);
  });

  it('times out on a server that never answers', async () => {
    await expect(
      run(getServerCertificate(['127.0.0.1', silentPort], { timeout: 50 }), { logErrors: false }),
    ).rejects.toBeInstanceOf(TaskTimeout);
  });

  it('is cancellable, and leaves no socket behind', async () => {
    const events: string[] = [];
    await run(
      (function* () {
        const task = yield* newTask(getServerCertificate(['127.0.0.1', silentPort]));
        yield* sleep(20);
        yield* task.cancel();
        try {
          yield* task.join();
        } catch (err) {
          events.push((err as TaskError).cause instanceof CancelledError ? 'cancelled' : 'other');
        }
      })(),
    );
    expect(events).toEqual(['cancelled']);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'TLSWrap')).toEqual([]);
  });

  it('refuses bad addresses and reports refused connections', async () => {
    for (const bad of [
      ['127.0.0.1'],
      ['127.0.0.1', 0],
      ['127.0.0.1', 70000],
      '127.0.0.1:1',
      [1, 2],
    ]) {
      expect(() => getServerCertificate(bad as never).next()).toThrow(
        /getServerCertificate\(address\): address must be a \[host, port\] pair/,
      );
    }
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(
      run(getServerCertificate(['127.0.0.1', closedPort]), { logErrors: false }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('PEM and DER', () => {
  it('round-trips', () => {
    const der = pemCertToDerCert(certs.localhost.cert);
    expect(derCertToPemCert(der).trim()).toBe(certs.localhost.cert.trim());
    expect(() => pemCertToDerCert('nope')).toThrow(/pem must be PEM certificate text/);
    expect(() => derCertToPemCert('x' as never)).toThrow(/der must be a Buffer/);
  });
});
