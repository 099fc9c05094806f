// Reading certificates and keys from files, directories and in-memory data.
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from './validate.js';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** PEM text as-is; anything else is a path to read. @internal */
export function readPemOrFile(fn: string, arg: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(
      `${fn}(${arg}): ${arg} must be a file path or PEM text, got ${describe(value)}`,
    );
  }
  if (value.includes('-----BEGIN ')) return value;
  try {
    return readFileSync(value, 'latin1');
  } catch (cause) {
    throw new Error(
      `${fn}(${arg}): cannot read ${JSON.stringify(value)}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

/** Every PEM certificate block in `text`. @internal */
export function pemCertificates(text: string): string[] {
  return text.match(PEM_CERT) ?? [];
}

/** Certificates from one or more concatenated DER certificates. @internal */
export function derCertificates(fn: string, data: Uint8Array): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < data.length) {
    // A DER certificate is a SEQUENCE: 0x30, then a short or long-form length.
    if (data[at] !== 0x30 || at + 2 > data.length) {
      throw new TypeError(
        `${fn}(cadata): cadata is not DER-encoded certificates (bad byte at ${at})`,
      );
    }
    let len = data[at + 1];
    let header = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + data[at + 2 + i];
      header += n;
    }
    const end = at + header + len;
    if (end > data.length) {
      throw new TypeError(`${fn}(cadata): cadata ends in the middle of a DER certificate`);
    }
    out.push(new X509Certificate(data.subarray(at, end)).toString());
    at = end;
  }
  return out;
}

/** Every certificate in the regular files of directory `dir`. @internal */
export function directoryCertificates(fn: string, dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (cause) {
    throw new Error(
      `${fn}(capath): cannot read directory ${JSON.stringify(dir)}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const out: string[] = [];
  for (const name of names.sort()) {
    const file = join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      out.push(...pemCertificates(readFileSync(file, 'latin1')));
    } catch {
      // Unreadable entries are skipped, as OpenSSL's hashed-directory lookup would.
    }
  }
  return out;
}
