#!/usr/bin/env node
// Checks the manual-to-TypeScript guide (docs/guides/02-manual-mapping.md) against the built
// packages: every name the guide says a package exports is exported by that package's ESM entry,
// and every `Class#method(...)` exists on the class. Packages that do not exist yet are listed
// as skipped. Run after `turbo run build`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { esmEntry, listPackages, root } from './lib/workspace.mjs';

const guide = join(root, 'docs', 'guides', '02-manual-mapping.md');
const byName = new Map(listPackages().map((p) => [p.name, p]));
const modules = new Map();

/** Names a package exports: its runtime module's keys plus the names its .d.ts exports. */
function declaredNames(pkg) {
  const dts = join(pkg.dir, pkg.json.exports?.['.']?.import?.types ?? 'dist/index.d.ts');
  const names = new Set();
  if (!existsSync(dts)) return names;
  const text = readFileSync(dts, 'utf8');
  for (const m of text.matchAll(/export\s*(?:type\s*)?\{([^}]*)\}/g)) {
    for (const part of m[1].split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name) names.add(name);
    }
  }
  const decl =
    /export\s+(?:declare\s+)?(?:abstract\s+)?(?:class|function\*?|const|let|var|interface|type|enum|namespace)\s+([A-Za-z_$][\w$]*)/g;
  for (const m of text.matchAll(decl)) names.add(m[1]);
  return names;
}

async function load(name) {
  if (!modules.has(name)) {
    const pkg = byName.get(name);
    const entry = pkg && esmEntry(pkg);
    let value = null;
    if (pkg && !(entry && existsSync(entry))) value = 'unbuilt';
    else if (pkg) {
      try {
        value = { mod: await import(pathToFileURL(entry).href), types: declaredNames(pkg) };
      } catch (err) {
        value = `failed to load: ${err.message}`;
      }
    }
    modules.set(name, value);
  }
  return modules.get(name);
}

// A checkable token: [yield* ][new ]Name[#member][(...)]
const tokenRe = /^(?:yield\* )?(?:new )?([A-Za-z_$][\w$]*)(?:#([A-Za-z_$][\w$]*))?(\(.*\))?$/;
const problems = [];
const reported = new Set();
const skipped = new Set();
let checked = 0;
function problem(msg) {
  if (reported.has(msg)) return;
  reported.add(msg);
  problems.push(msg);
}

for (const line of readFileSync(guide, 'utf8').split('\n')) {
  // | manual | `@curio/x` | TypeScript |
  const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
  if (cells.length < 5) continue;
  const pkgName = /^`(@curio\/[a-z-]+)`$/.exec(cells[2])?.[1];
  if (!pkgName) continue;
  const loaded = await load(pkgName);
  if (loaded === null) {
    skipped.add(pkgName);
    continue;
  }
  if (typeof loaded === 'string') {
    problem(`${pkgName}: ${loaded === 'unbuilt' ? 'not built; run the build first' : loaded}`);
    continue;
  }
  const { mod, types } = loaded;
  // What follows an arrow is a return type, not an export.
  const tokens = [...cells[3].split('→')[0].matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  tokens.forEach((token, i) => {
    const m = tokenRe.exec(token);
    if (!m) return;
    const [, name, member, call] = m;
    // Bare lower-case words after the first token are parameter or field names, not exports.
    if (!member && i > 0 && !call && !/^[A-Z]/.test(name)) return;
    checked++;
    if (!(name in mod) && !types.has(name)) {
      problem(`${pkgName} does not export ${name} (docs: \`${token}\`)`);
      return;
    }
    if (member && call) {
      const proto = mod[name]?.prototype;
      if (!proto || !(member in proto)) {
        problem(`${pkgName}: ${name} has no method ${member} (docs: \`${token}\`)`);
      }
    }
  });
}
if (problems.length) {
  console.error(`check-mapping: ${problems.length} name(s) in the manual mapping are missing:`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(
  `check-mapping: ${checked} names of docs/guides/02-manual-mapping.md found in the packages` +
    (skipped.size ? ` (not present yet: ${[...skipped].join(', ')})` : ''),
);
