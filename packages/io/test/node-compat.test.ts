// The Node internals src/node-compat.ts reads, checked against the running Node: a failure
// here names the internal a Node release changed (fix node-compat.ts, nothing else).
import dgram from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCerts } from '../../../test-support/certs.js';
import {
  dgramFd,
  dgramType,
  emitsClose,
  handleFd,
  isPipeHandle,
  listenAtOnce,
  readsByReadableEvents,
  resetFlowing,
  tlsHandshakeDone,
  tlsVerifiesPeer,
} from '../src/node-compat.js';
import { checkNoLeaks } from './helpers.js';

checkNoLeaks();

const changed = (what: string) => `Node changed ${what}: update src/node-compat.ts`;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'curio-node-compat-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function listening(server: net.Server, where: net.ListenOptions): Promise<void> {
  server.listen(where);
  await once(server, 'listening');
}

async function closed(...objects: (net.Socket | net.Server | dgram.Socket)[]): Promise<void> {
  for (const o of objects) {
    if (o instanceof net.Socket) o.destroy();
    const done = once(o, 'close');
    if (!(o instanceof net.Socket)) o.close();
    await done;
  }
}

describe('node-compat: net handles', () => {
  it('_handle.fd of a TCP socket and server; -1 once closed', async () => {
    const server = net.createServer();
    await listening(server, { host: '127.0.0.1', port: 0 });
    const { port } = server.address() as net.AddressInfo;
    const client = net.connect(port, '127.0.0.1');
    const [accepted] = (await once(server, 'connection')) as [net.Socket];
    expect(handleFd(server), changed('net.Server._handle.fd')).toBeGreaterThan(2);
    expect(handleFd(client), changed('net.Socket._handle.fd')).toBeGreaterThan(2);
    expect(isPipeHandle(client), changed('the TCP class of net.Socket._handle')).toBe(false);
    await closed(client, accepted, server);
    expect(handleFd(client), changed('net.Socket._handle after close')).toBe(-1);
    expect(handleFd(server), changed('net.Server._handle after close')).toBe(-1);
  });

  it('a Unix socket runs over a Pipe handle', async () => {
    const server = net.createServer();
    await listening(server, { path: join(dir, 'pipe.sock') });
    const client = net.connect(join(dir, 'pipe.sock'));
    const [accepted] = (await once(server, 'connection')) as [net.Socket];
    expect(accepted.remoteFamily).toBeUndefined(); // why the handle class is read at all
    expect(isPipeHandle(accepted), changed("net.Socket._handle's class name 'Pipe'")).toBe(true);
    expect(isPipeHandle(client), changed("net.Socket._handle's class name 'Pipe'")).toBe(true);
    await closed(client, accepted, server);
  });

  it('_listen2 binds an IP literal before listen() returns', async () => {
    const server = net.createServer();
    expect(listenAtOnce(server, '127.0.0.1', 0, 5), changed('net.Server._listen2')).toBe(true);
    expect(server.listening, changed('net.Server._listen2 (no longer synchronous)')).toBe(true);
    expect((server.address() as net.AddressInfo).port).toBeGreaterThan(0);
    const six = net.createServer();
    expect(listenAtOnce(six, '::1', 0, 5)).toBe(true);
    expect((six.address() as net.AddressInfo).family, changed('_listen2 addressType')).toBe('IPv6');
    await closed(server, six);
  });
});

describe('node-compat: dgram', () => {
  it("type, and the 'state symbol' handle's fd once bound", async () => {
    const four = dgram.createSocket('udp4');
    const six = dgram.createSocket('udp6');
    try {
      expect(dgramType(four), changed('dgram.Socket.type')).toBe('udp4');
      expect(dgramType(six), changed('dgram.Socket.type')).toBe('udp6');
      expect(dgramFd(four)).toBe(-1);
      four.bind(0, '127.0.0.1');
      await once(four, 'listening');
      expect(dgramFd(four), changed("dgram.Socket's 'state symbol' .handle.fd")).toBeGreaterThan(2);
    } finally {
      await closed(four, six);
    }
  });
});

describe('node-compat: stream state', () => {
  it('_readableState.readableListening: read through readable events', () => {
    const stream = new PassThrough();
    expect(readsByReadableEvents(stream)).toBe(false);
    const onReadable = () => {};
    stream.on('readable', onReadable);
    expect(readsByReadableEvents(stream), changed('_readableState.readableListening')).toBe(true);
    stream.removeListener('readable', onReadable);
    expect(stream.listenerCount('readable')).toBe(0); // the public count misses it
    expect(readsByReadableEvents(stream), changed('_readableState.readableListening')).toBe(true);
  });

  it('_readableState / _writableState.emitClose', () => {
    expect(emitsClose(new PassThrough()), changed('_readableState.emitClose')).toBe(true);
    expect(emitsClose(new PassThrough({ emitClose: false })), changed('emitClose')).toBe(false);
    const sink = new Writable({ emitClose: false, write: (_c, _e, done) => done() });
    expect(emitsClose(sink), changed('_writableState.emitClose')).toBe(false);
  });

  it('readableFlowing = null: a later data listener makes a paused stream flow again', async () => {
    const stream = new PassThrough();
    const first = () => {};
    stream.on('data', first);
    stream.pause();
    stream.removeListener('data', first);
    expect(stream.readableFlowing).toBe(false);
    resetFlowing(stream);
    expect(stream.readableFlowing, changed('the readableFlowing setter')).toBe(null);
    const got: string[] = [];
    stream.on('data', (chunk: Buffer) => got.push(chunk.toString()));
    stream.write('again');
    await new Promise((resolve) => setImmediate(resolve));
    expect(got, changed('the readableFlowing setter (no flow after reset)')).toEqual(['again']);
    stream.destroy();
  });
});

describe('node-compat: TLS handshake state', () => {
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

  it('_secureEstablished, secureConnecting, _tlsOptions.isServer, onConnectSecure', async () => {
    const server = tls.createServer({ key, cert });
    await listening(server, { host: '127.0.0.1', port: 0 });
    const { port } = server.address() as net.AddressInfo;
    const accepted = once(server, 'secureConnection') as Promise<[tls.TLSSocket]>;
    const client = tls.connect({ port, host: '127.0.0.1', ca: cert, servername: 'localhost' });
    expect(
      tlsVerifiesPeer(client),
      changed("tls.connect's 'secure' listener onConnectSecure"),
    ).toBe(true);
    expect(tlsHandshakeDone(client, true)).toBe(false);
    await once(client, 'secureConnect');
    expect(
      tlsHandshakeDone(client, true),
      changed('TLSSocket._secureEstablished / secureConnecting'),
    ).toBe(true);
    const [peer] = await accepted;
    expect(tlsVerifiesPeer(peer), changed('TLSSocket._tlsOptions.isServer')).toBe(false);
    expect(tlsHandshakeDone(peer, false), changed('TLSSocket._secureEstablished')).toBe(true);
    peer.destroy();
    await closed(client, server);
  });
});
