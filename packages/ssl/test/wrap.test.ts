import { TLSSocket } from 'node:tls';
import {
  CancelledError,
  type Coro,
  newTask,
  run,
  sleep,
  type TaskError,
  timeoutAfter,
} from '@curio/kernel';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTestCerts } from '../../../test-support/certs.js';
import {
  CERT_REQUIRED,
  createDefaultContext,
  PROTOCOL_TLS_CLIENT,
  Purpose,
  SSLContext,
  type SSLSocket,
  wrapSocket,
} from '../src/index.js';
import { leftoverSockets, tcpPair } from './helpers.js';

const certs = makeTestCerts();
afterAll(() => certs.cleanup());

function serverContext(): SSLContext {
  const ctx = createDefaultContext(Purpose.CLIENT_AUTH);
  ctx.loadCertChain(certs.localhost.certFile, certs.localhost.keyFile);
  return ctx;
}

function clientContext(cafile = certs.localhost.certFile): SSLContext {
  return createDefaultContext(Purpose.SERVER_AUTH, { cafile });
}

function* settle(body: Coro<unknown>): Coro<string> {
  try {
    yield* body;
    return 'ok';
  } catch (err) {
    const e = err as Error & { code?: string };
    return `${e.name}${e.code ? ` ${e.code}` : ''}`;
  }
}

/** Handshake both ends; the outcome of each as a string. */
function* handshake(
  server: SSLContext,
  client: SSLContext,
  serverHostname: string | undefined,
): Coro<{ server: string; client: string; sockets: SSLSocket[] }> {
  const [s, c] = yield* tcpPair();
  const ts = server.wrapSocket(s, { serverSide: true });
  const tc = client.wrapSocket(c, { serverHostname });
  const st = yield* newTask(settle(ts.doHandshake()));
  const clientOutcome = yield* settle(tc.doHandshake());
  if (clientOutcome !== 'ok') yield* tc.close();
  const serverOutcome = yield* st.join();
  return { server: serverOutcome, client: clientOutcome, sockets: [ts, tc] };
}

describe('SSLContext.wrapSocket and doHandshake', () => {
  it('handshakes, verifies the hostname and carries data both ways', async () => {
    const events: string[] = [];
    await run(
      (function* () {
        const sctx = serverContext();
        sctx.setAlpnProtocols(['echo/1', 'h2']);
        const cctx = clientContext();
        cctx.setAlpnProtocols(['h2']);
        const { server, client, sockets } = yield* handshake(sctx, cctx, 'localhost');
        const [ts, tc] = sockets;
        events.push(`handshake ${server} ${client}`);
        events.push(`raw ${tc.raw instanceof TLSSocket} ${ts.raw instanceof TLSSocket}`);
        events.push(`alpn ${tc.selectedAlpnProtocol()} ${ts.selectedAlpnProtocol()}`);
        events.push(`peer ${tc.getpeercert()?.subject.CN} ${ts.getpeercert()}`);
        events.push(`der ${(tc.getpeercert(true)?.length ?? 0) > 100}`);
        events.push(`version ${tc.version()?.startsWith('TLSv1.')} ${tc.cipher() !== null}`);
        yield* tc.sendall(Buffer.from('ping'));
        events.push(`server got ${(yield* ts.recv(100)).toString()}`);
        yield* ts.sendall(Buffer.from('pong'));
        events.push(`client got ${(yield* tc.recv(100)).toString()}`);
        yield* tc.close();
        events.push(`server eof ${(yield* ts.recv(100)).length}`);
        yield* ts.close();
      })(),
    );
    expect(events).toEqual([
      'handshake ok ok',
      'raw true true',
      'alpn h2 h2',
      'peer localhost null',
      'der true',
      'version true true',
      'server got ping',
      'client got pong',
      'server eof 0',
    ]);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('checks IP addresses against the certificate too', async () => {
    const outcome = await run(
      (function* () {
        const r = yield* handshake(serverContext(), clientContext(), '127.0.0.1');
        for (const s of r.sockets) yield* s.close();
        return [r.server, r.client];
      })(),
    );
    expect(outcome).toEqual(['ok', 'ok']);
  });

  it('refuses a certificate for another host', async () => {
    const outcome = await run(
      (function* () {
        const r = yield* handshake(serverContext(), clientContext(), 'example.com');
        for (const s of r.sockets) yield* s.close();
        return r.client;
      })(),
    );
    expect(outcome).toBe('SSLCertVerificationError ERR_TLS_CERT_ALTNAME_INVALID');
    expect(await leftoverSockets()).toEqual([]);
  });

  it('refuses an untrusted certificate, and accepts it with CERT_NONE', async () => {
    const outcome = await run(
      (function* () {
        const bad = yield* handshake(
          serverContext(),
          clientContext(certs.other.certFile),
          'localhost',
        );
        for (const s of bad.sockets) yield* s.close();
        const lax = new SSLContext(PROTOCOL_TLS_CLIENT);
        lax.checkHostname = false;
        lax.verifyMode = 0;
        const ok = yield* handshake(serverContext(), lax, undefined);
        for (const s of ok.sockets) yield* s.close();
        return [bad.client, ok.client, ok.server];
      })(),
    );
    expect(outcome).toEqual(['SSLCertVerificationError DEPTH_ZERO_SELF_SIGNED_CERT', 'ok', 'ok']);
  });

  it('server CERT_REQUIRED: needs a trusted client certificate', async () => {
    const outcome = await run(
      (function* () {
        const sctx = serverContext();
        sctx.verifyMode = CERT_REQUIRED;
        sctx.loadVerifyLocations(certs.other.certFile);
        const anonymous = yield* handshake(sctx, clientContext(), 'localhost');
        for (const s of anonymous.sockets) yield* s.close();
        const cctx = clientContext();
        cctx.loadCertChain(certs.other.certFile, certs.other.keyFile);
        const known = yield* handshake(sctx, cctx, 'localhost');
        const peer = known.sockets[0].getpeercert()?.subject.CN;
        for (const s of known.sockets) yield* s.close();
        return [anonymous.server, known.server, known.client, peer];
      })(),
    );
    expect(outcome[0]).toMatch(/^SSLError|^SSLCertVerificationError/);
    expect(outcome.slice(1)).toEqual(['ok', 'ok', 'other.invalid']);
  });

  it('wrapSocket consumes the plain socket; bytes it had buffered reach TLS (STARTTLS)', async () => {
    const outcome = await run(
      (function* () {
        const [s, c] = yield* tcpPair();
        yield* c.sendall(Buffer.from('STARTTLS\n'));
        const tc = clientContext().wrapSocket(c, { serverHostname: 'localhost' });
        yield* sleep(50); // the ClientHello arrives behind the line: the first read takes both
        const line = yield* s.makefile('rb').readline();
        const ts = serverContext().wrapSocket(s, { serverSide: true });
        ts.settimeout(5000);
        const st = yield* newTask(settle(ts.doHandshake()));
        const client = yield* settle(tc.doHandshake());
        const server = yield* st.join();
        const closed = [s.closed, c.closed, !(s.raw as { destroyed?: boolean } | null)?.destroyed];
        yield* tc.close();
        yield* ts.close();
        return [line.toString(), client, server, ...closed];
      })(),
      { logErrors: false },
    );
    expect(outcome).toEqual(['STARTTLS\n', 'ok', 'ok', true, true, true]);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('times out when the peer never answers', async () => {
    const outcome = await run(
      (function* () {
        const [s, c] = yield* tcpPair();
        c.settimeout(30);
        const tc = clientContext().wrapSocket(c, { serverHostname: 'localhost' });
        const inherited = tc.gettimeout();
        const r1 = yield* settle(tc.doHandshake());
        tc.settimeout(null);
        const r2 = yield* settle(timeoutAfter(30, tc.doHandshake()));
        yield* tc.close();
        yield* s.close();
        return [inherited, r1, r2];
      })(),
      { logErrors: false },
    );
    expect(outcome).toEqual([30, 'TaskTimeout', 'TaskTimeout']);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('a handshake can be cancelled', async () => {
    const events: string[] = [];
    await run(
      (function* () {
        const [s, c] = yield* tcpPair();
        const tc = clientContext().wrapSocket(c, { serverHostname: 'localhost' });
        const task = yield* newTask(tc.doHandshake());
        yield* sleep(10);
        yield* task.cancel();
        try {
          yield* task.join();
        } catch (err) {
          events.push((err as TaskError).cause instanceof CancelledError ? 'cancelled' : 'other');
        }
        yield* tc.close();
        yield* s.close();
        events.push('closed');
      })(),
    );
    expect(events).toEqual(['cancelled', 'closed']);
    expect(await leftoverSockets()).toEqual([]);
  });

  it('refuses bad input with errors naming it', async () => {
    const errors = await run(
      (function* () {
        const out: string[] = [];
        const catchIt = (f: () => unknown) => {
          try {
            f();
            out.push('no error');
          } catch (err) {
            out.push((err as Error).message);
          }
        };
        const [s, c] = yield* tcpPair();
        catchIt(() => clientContext().wrapSocket({} as never));
        catchIt(() => clientContext().wrapSocket(c));
        catchIt(() => clientContext().wrapSocket(c, { serverHostname: '' }));
        catchIt(() => clientContext().wrapSocket(c, { serverSide: 'yes' as never }));
        catchIt(() =>
          createDefaultContext(Purpose.CLIENT_AUTH).wrapSocket(s, { serverSide: true }),
        );
        catchIt(() => serverContext().wrapSocket(s, { serverSide: true, serverHostname: 'x' }));
        catchIt(() => new SSLContext(PROTOCOL_TLS_CLIENT).wrapSocket(s, { serverSide: true }));
        const tc = clientContext().wrapSocket(c, { serverHostname: 'localhost' });
        catchIt(() => clientContext().wrapSocket(tc, { serverHostname: 'localhost' }));
        catchIt(() => tc.getpeercert());
        catchIt(() => tc.unwrap());
        yield* tc.close();
        yield* s.close();
        catchIt(() => clientContext().wrapSocket(s, { serverHostname: 'localhost' }));
        try {
          yield* tc.doHandshake();
        } catch (err) {
          out.push(`${(err as { code?: string }).code}`);
        }
        return out;
      })(),
    );
    expect(errors).toEqual([
      'SSLContext.wrapSocket(sock): sock must be a curio Socket (from @curio/socket or @curio/io), got an object',
      'SSLContext.wrapSocket: checkHostname requires serverHostname',
      'SSLContext.wrapSocket: options.serverHostname must be a non-empty string, got ""',
      'SSLContext.wrapSocket: options.serverSide must be a boolean, got "yes"',
      'SSLContext.wrapSocket: a server-side socket needs a certificate: call loadCertChain() first',
      'SSLContext.wrapSocket: serverHostname can only be given in client mode',
      'SSLContext.wrapSocket: cannot make a server-side socket from a PROTOCOL_TLS_CLIENT context',
      'SSLContext.wrapSocket(sock): the socket already speaks TLS',
      'SSLSocket.getpeercert: the handshake has not completed (call doHandshake() first)',
      'SSLSocket.unwrap: Node.js cannot remove TLS from a connection and return the plain socket; close the SSLSocket instead',
      'SSLContext.wrapSocket(sock): the socket is closed',
      'EBADF',
    ]);
    expect(await leftoverSockets()).toEqual([]);
  });
});

describe('wrapSocket (module level)', () => {
  it('makes a one-off context: unverified unless certReqs says so', async () => {
    const outcome = await run(
      (function* () {
        const [s, c] = yield* tcpPair();
        const ts = wrapSocket(s, {
          serverSide: true,
          certfile: certs.localhost.certFile,
          keyfile: certs.localhost.keyFile,
        });
        const tc = wrapSocket(c, { serverHostname: 'localhost' });
        const st = yield* newTask(settle(ts.doHandshake()));
        const r = [yield* settle(tc.doHandshake()), yield* st.join()];
        yield* tc.sendall(Buffer.from('x'));
        r.push((yield* ts.recv(10)).toString());
        yield* tc.close();
        yield* ts.close();
        const [s2, c2] = yield* tcpPair();
        const ts2 = wrapSocket(s2, {
          serverSide: true,
          certfile: certs.localhost.certFile,
          keyfile: certs.localhost.keyFile,
        });
        const tc2 = wrapSocket(c2, { certReqs: CERT_REQUIRED, caCerts: certs.other.certFile });
        const st2 = yield* newTask(settle(ts2.doHandshake()));
        r.push(yield* settle(tc2.doHandshake()));
        yield* tc2.close();
        yield* st2.join();
        yield* ts2.close();
        return r;
      })(),
    );
    expect(outcome).toEqual([
      'ok',
      'ok',
      'x',
      'SSLCertVerificationError DEPTH_ZERO_SELF_SIGNED_CERT',
    ]);
    expect(() => wrapSocket({} as never, { keyfile: 'k.pem' })).toThrow(
      /keyfile was given without certfile/,
    );
    expect(await leftoverSockets()).toEqual([]);
  });
});
