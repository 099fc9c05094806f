import { X509Certificate } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTestCerts } from '../../../test-support/certs.js';
import {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  createDefaultContext,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  Purpose,
  SSLContext,
  SSLError,
} from '../src/index.js';

const certs = makeTestCerts();
afterAll(() => certs.cleanup());

describe('SSLContext', () => {
  it('defaults follow the protocol', () => {
    const plain = new SSLContext();
    expect([plain.verifyMode, plain.checkHostname]).toEqual([CERT_NONE, false]);
    const client = new SSLContext(PROTOCOL_TLS_CLIENT);
    expect([client.verifyMode, client.checkHostname]).toEqual([CERT_REQUIRED, true]);
    const server = new SSLContext(PROTOCOL_TLS_SERVER);
    expect([server.verifyMode, server.checkHostname]).toEqual([CERT_NONE, false]);
  });

  it('checkHostname turns verification on; CERT_NONE is refused while it is on', () => {
    const ctx = new SSLContext();
    ctx.checkHostname = true;
    expect(ctx.verifyMode).toBe(CERT_REQUIRED);
    expect(() => {
      ctx.verifyMode = CERT_NONE;
    }).toThrow(/cannot set CERT_NONE while checkHostname is true/);
    ctx.checkHostname = false;
    ctx.verifyMode = CERT_OPTIONAL;
    expect(ctx.verifyMode).toBe(CERT_OPTIONAL);
  });

  it('rejects bad settings with errors naming them', () => {
    const ctx = new SSLContext();
    expect(() => new SSLContext(99 as never)).toThrow(/SSLContext\(protocol\): protocol must be/);
    expect(() => {
      ctx.verifyMode = 7 as never;
    }).toThrow(/verifyMode must be CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED, got 7/);
    expect(() => {
      ctx.checkHostname = 'yes' as never;
    }).toThrow(/checkHostname must be a boolean, got "yes"/);
    expect(() => ctx.setAlpnProtocols('h2' as never)).toThrow(/protocols must be an array/);
    expect(() => ctx.setAlpnProtocols([''])).toThrow(/non-empty strings/);
    expect(() => ctx.setCiphers('NOT-A-CIPHER')).toThrow(SSLError);
    expect(() => {
      ctx.minimumVersion = 'SSLv3' as never;
    }).toThrow(/minimumVersion must be one of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3/);
  });

  it('loadCertChain takes files or PEM text and refuses bad ones', () => {
    const ctx = new SSLContext();
    ctx.loadCertChain(certs.localhost.certFile, certs.localhost.keyFile);
    ctx.loadCertChain(certs.localhost.cert, certs.localhost.key);
    const both = join(certs.dir, 'both.pem');
    writeFileSync(both, certs.localhost.cert + certs.localhost.key);
    ctx.loadCertChain(both);
    expect(() => ctx.loadCertChain(join(certs.dir, 'missing.pem'))).toThrow(
      /loadCertChain\(certfile\): cannot read ".*missing.pem"/,
    );
    expect(() => ctx.loadCertChain(certs.localhost.certFile, certs.other.keyFile)).toThrow(
      SSLError,
    );
    expect(() => ctx.loadCertChain(42 as never)).toThrow(
      /certfile must be a file path or PEM text, got 42/,
    );
  });

  it('loadVerifyLocations reads cafile, capath and cadata (PEM or DER)', () => {
    const ctx = new SSLContext();
    ctx.loadVerifyLocations(certs.localhost.certFile);
    const dir = join(certs.dir, 'capath');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.pem'), certs.localhost.cert);
    writeFileSync(join(dir, 'b.pem'), certs.other.cert);
    ctx.loadVerifyLocations({ capath: dir });
    const der = new X509Certificate(certs.other.cert).raw;
    ctx.loadVerifyLocations(undefined, undefined, Buffer.concat([der, der]));
    ctx.loadVerifyLocations({ cadata: certs.localhost.cert });
    const pems = ctx.getCaCerts().map((p) => p.trim());
    expect(pems).toEqual(
      [
        certs.localhost.cert,
        certs.localhost.cert,
        certs.other.cert,
        certs.other.cert,
        certs.other.cert,
        certs.localhost.cert,
      ].map((p) => p.trim()),
    );
  });

  it('loadVerifyLocations refuses bad input', () => {
    const ctx = new SSLContext();
    expect(() => ctx.loadVerifyLocations()).toThrow(/cafile, capath or cadata must be given/);
    expect(() => ctx.loadVerifyLocations(certs.localhost.keyFile)).toThrow(
      /no PEM certificate found/,
    );
    expect(() => ctx.loadVerifyLocations({ capath: join(certs.dir, 'nope') })).toThrow(
      /cannot read directory/,
    );
    expect(() => ctx.loadVerifyLocations({ cadata: Buffer.from([1, 2, 3]) })).toThrow(
      /not DER-encoded certificates/,
    );
    expect(() => ctx.loadVerifyLocations({ cadata: 5 as never })).toThrow(
      /cadata must be PEM text or DER bytes, got 5/,
    );
  });

  it('loadDefaultCerts trusts Node’s bundled roots', () => {
    const ctx = new SSLContext();
    ctx.loadDefaultCerts();
    expect(ctx.getCaCerts()).toEqual([...tls.rootCertificates]);
    expect(() => ctx.loadDefaultCerts('x' as never)).toThrow(/purpose must be Purpose/);
  });
});

describe('createDefaultContext', () => {
  it('SERVER_AUTH verifies and checks hostnames against the roots', () => {
    const ctx = createDefaultContext();
    expect([ctx.verifyMode, ctx.checkHostname]).toEqual([CERT_REQUIRED, true]);
    expect(ctx.getCaCerts().length).toBe(tls.rootCertificates.length);
  });

  it('given cafile/capath/cadata, trusts only those', () => {
    const ctx = createDefaultContext(Purpose.SERVER_AUTH, { cafile: certs.localhost.certFile });
    expect(ctx.getCaCerts().map((p) => p.trim())).toEqual([certs.localhost.cert.trim()]);
    const ctx2 = createDefaultContext(Purpose.SERVER_AUTH, { cadata: certs.other.cert });
    expect(ctx2.getCaCerts().map((p) => p.trim())).toEqual([certs.other.cert.trim()]);
  });

  it('CLIENT_AUTH makes a server context that does not ask for client certificates', () => {
    const ctx = createDefaultContext(Purpose.CLIENT_AUTH);
    expect([ctx.verifyMode, ctx.checkHostname]).toEqual([CERT_NONE, false]);
    expect(ctx.getCaCerts()).toEqual([]);
  });

  it('refuses a bad purpose or options', () => {
    expect(() => createDefaultContext('SERVER_AUTH' as never)).toThrow(
      /createDefaultContext\(purpose\): purpose must be Purpose.SERVER_AUTH or Purpose.CLIENT_AUTH, got "SERVER_AUTH"/,
    );
    expect(() => createDefaultContext(Purpose.SERVER_AUTH, 3 as never)).toThrow(
      /options must be an object, got 3/,
    );
  });
});
