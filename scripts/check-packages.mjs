#!/usr/bin/env node
// Packaging check for every public package under packages/* (private ones are skipped):
// 1. package.json fields: "type": "module", "sideEffects": false, an `exports` map whose "."
//    entry offers ESM and CJS each with its own types, `files`, `engines.node`, `license`,
//    no placeholder URLs (a `repository`, when given, with this package's `directory`),
//    `description`, a README, and `files` naming LICENSE;
// 2. `pnpm pack` (a dry run of publishing: the tarball goes to a temp folder) must hold the ESM,
//    CJS and .d.ts/.d.cts files the exports map names, README.md and a LICENSE identical to the
//    repository's, and no `workspace:` ranges or sources;
// 3. publint (strict) on the packed files, and @arethetypeswrong/cli on the tarball.
// Run after `turbo run build`.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { listPackages, rel, root } from './lib/workspace.mjs';

const run = promisify(execFile);
const bin = (name) => join(root, 'node_modules', '.bin', name);
const scratch = mkdtempSync(join(tmpdir(), 'curio-pack-'));
const rootLicense = readFileSync(join(root, 'LICENSE'), 'utf8');

function checkFields(pkg) {
  const j = pkg.json;
  const errs = [];
  const need = (cond, msg) => cond || errs.push(msg);
  need(/^@curio\/[a-z0-9-]+$|^curio$/.test(j.name ?? ''), `name must be @curio/<name> or curio`);
  need(/^\d+\.\d+\.\d+/.test(j.version ?? ''), 'version must be semver');
  need(typeof j.description === 'string' && j.description.length > 0, 'description is missing');
  need(j.type === 'module', '"type" must be "module"');
  need(j.sideEffects === false, '"sideEffects" must be false');
  need(typeof j.license === 'string' && j.license.length > 0, 'license is missing');
  need(typeof j.engines?.node === 'string', 'engines.node is missing');
  need(
    !JSON.stringify(j).includes('example.invalid') &&
      (j.repository === undefined ||
        (typeof j.repository.url === 'string' &&
          j.repository.directory === `packages/${pkg.folder}`)),
    `no placeholder URLs; a repository, when given, needs a real url and "directory": "packages/${pkg.folder}"`,
  );
  need(Array.isArray(j.files) && j.files.includes('dist'), '"files" must list "dist"');
  need(existsSync(join(pkg.dir, 'README.md')), 'README.md is missing');
  need(
    Array.isArray(j.files) && j.files.includes('LICENSE') && existsSync(join(pkg.dir, 'LICENSE')),
    '"files" must list "LICENSE", and the package needs a copy of the root LICENSE',
  );
  const dot = j.exports?.['.'];
  need(
    typeof dot?.import?.types === 'string' &&
      typeof dot?.import?.default === 'string' &&
      typeof dot?.require?.types === 'string' &&
      typeof dot?.require?.default === 'string',
    'exports["."] must have import {types, default} and require {types, default}',
  );
  need(j.exports?.['./package.json'] === './package.json', 'exports must offer "./package.json"');
  return { errs, dot };
}

async function checkPackage(pkg) {
  const { errs, dot } = checkFields(pkg);
  const dest = join(scratch, pkg.folder);
  // The publish dry run: pack exactly what `pnpm publish` would upload.
  await run(bin('pnpm'), ['pack', '--pack-destination', dest], { cwd: pkg.dir });
  const tgz = (await run('sh', ['-c', `ls "${dest}"/*.tgz`])).stdout.trim();
  const listing = (await run('tar', ['-tzf', tgz])).stdout.split('\n').filter(Boolean);
  const files = new Set(listing.map((f) => f.replace(/^package\//, '')));
  if (dot) {
    for (const target of [
      dot.import.default,
      dot.import.types,
      dot.require.default,
      dot.require.types,
    ]) {
      const f = posix.normalize(target);
      if (!files.has(f)) errs.push(`packed tarball lacks ${f} (named by exports["."])`);
    }
  }
  for (const f of ['README.md', 'LICENSE']) {
    if (!files.has(f)) errs.push(`packed tarball lacks ${f}`);
  }
  const stray = [...files].filter((f) => /^(src|test)\//.test(f));
  if (stray.length)
    errs.push(`packed tarball includes sources/tests: ${stray.slice(0, 3).join(', ')}`);
  await run('tar', ['-xzf', tgz, '-C', dest]);
  const license = join(dest, 'package', 'LICENSE');
  if (existsSync(license) && readFileSync(license, 'utf8') !== rootLicense) {
    errs.push('packed LICENSE differs from the repository LICENSE (copy it again)');
  }
  const packedJson = readFileSync(join(dest, 'package', 'package.json'), 'utf8');
  if (packedJson.includes('"workspace:'))
    errs.push('packed package.json still has workspace: ranges');

  const lint = await publint({ pkgDir: join(dest, 'package'), pack: false, strict: true });
  for (const m of lint.messages) {
    errs.push(`publint ${m.type}: ${formatMessage(m, lint.pkg, { color: false }) ?? m.code}`);
  }

  try {
    await run(
      bin('attw'),
      [tgz, '--format', 'ascii', '--no-emoji', '--no-color', '--no-definitely-typed'],
      {
        cwd: dest,
        maxBuffer: 1 << 24,
      },
    );
  } catch (err) {
    errs.push(`attw (are the types wrong?) failed:\n${String(err.stdout || err.message).trim()}`);
  }
  return { pkg, errs, files: files.size, kb: (readFileSync(tgz).length / 1024).toFixed(1) };
}

const packages = listPackages(process.argv.slice(2));
const publicPackages = packages.filter((p) => !p.private);
const results = [];
// Two at a time: CI machines have 2 cores.
const queue = [...publicPackages];
await Promise.all(
  [0, 1].map(async () => {
    for (let pkg = queue.shift(); pkg; pkg = queue.shift()) {
      try {
        results.push(await checkPackage(pkg));
      } catch (err) {
        results.push({
          pkg,
          errs: [`check crashed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`.trim()],
        });
      }
    }
  }),
);
rmSync(scratch, { recursive: true, force: true });

results.sort((a, b) => a.pkg.folder.localeCompare(b.pkg.folder));
let failed = 0;
for (const r of results) {
  if (r.errs.length === 0) {
    console.log(`ok    ${r.pkg.name.padEnd(20)} packed ${r.files} files, ${r.kb} KB`);
  } else {
    failed++;
    console.log(`FAIL  ${r.pkg.name} (${rel(r.pkg.dir)})`);
    for (const e of r.errs) console.log(`        ${e.replace(/\n/g, '\n        ')}`);
  }
}
const skipped = packages.length - publicPackages.length;
if (failed) {
  console.error(`check-packages: ${failed} of ${results.length} packages failed`);
  process.exit(1);
}
console.log(
  `check-packages: ${results.length} packages pass fields, pnpm pack, publint and attw` +
    (skipped ? ` (${skipped} private skipped)` : ''),
);
