// Test certificates shared by the TLS tests of @curio/ssl, @curio/net and others: a fresh self-signed certificate for localhost / 127.0.0.1 / ::1 made with
// `openssl` when it is installed, else the committed fixtures (valid until 2126).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface TestCerts {
  dir: string;
  /** For localhost, 127.0.0.1 and ::1. */
  localhost: TestCert;
  /** For other.invalid: trusted by nobody, matching no test host. */
  other: TestCert;
  cleanup(): void;
}

const FIXTURES = join(import.meta.dirname, 'fixtures');

function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function make(dir: string, name: string, cn: string, san: string, generate: boolean): TestCert {
  const certFile = join(dir, `${name}-cert.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  if (generate) {
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
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '2',
        '-subj',
        `/CN=${cn}`,
        '-addext',
        `subjectAltName=${san}`,
      ],
      { stdio: 'ignore' },
    );
  } else {
    copyFileSync(join(FIXTURES, `${name}-cert.pem`), certFile);
    copyFileSync(join(FIXTURES, `${name}-key.pem`), keyFile);
  }
  return {
    certFile,
    keyFile,
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
  };
}

export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'curio-ssl-'));
  const generate = haveOpenssl();
  return {
    dir,
    localhost: make(dir, 'localhost', 'localhost', 'DNS:localhost,IP:127.0.0.1,IP:::1', generate),
    other: make(dir, 'other', 'other.invalid', 'DNS:other.invalid', generate),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
