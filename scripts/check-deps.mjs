#!/usr/bin/env node
// Dependency rule for every package under packages/*:
// - src/ imports only the package's declared dependencies (dependencies, peerDependencies,
//   optionalDependencies) and Node builtins; tests may also use devDependencies, the root's and the shared test-support/ helpers;
// - a workspace package is imported only through an entry its `exports` map declares
//   (no '@curio/kernel/src/...'), and never through a relative path into another package;
// - the pure packages (kernel, sync, queue) import nothing from Node (`node:*` or bare builtins),
//   in src/ and in the tests that also run in browsers (all but *.node.test.ts);
// - workspace dependencies use the `workspace:` protocol.
import { readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { listPackages, PURE_PACKAGES, rel, root, walk } from './lib/workspace.mjs';

const require = createRequire(import.meta.url);
const ts = require('typescript');

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isBuiltin = (spec) => spec.startsWith('node:') || builtins.has(spec);
const rootJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const rootDevDeps = Object.keys(rootJson.devDependencies ?? {});

const packages = listPackages();
const byName = new Map(packages.map((p) => [p.name, p]));
const isSource = (f) => /\.(m|c)?tsx?$/.test(f) && !f.endsWith('.d.ts');

/** Split 'pkg/sub' or '@scope/pkg/sub' into [name, './sub' or '.']. */
function splitSpecifier(spec) {
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, n).join('/');
  const sub = parts.length > n ? `./${parts.slice(n).join('/')}` : '.';
  return [name, sub];
}

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => {
    const line = text.slice(0, f.pos).split('\n').length;
    return { spec: f.fileName, line };
  });
}

const problems = [];
let filesChecked = 0;
for (const pkg of packages) {
  const deps = {
    ...pkg.json.dependencies,
    ...pkg.json.peerDependencies,
    ...pkg.json.optionalDependencies,
  };
  for (const [dep, range] of Object.entries({ ...deps, ...pkg.json.devDependencies })) {
    if (byName.has(dep) && !String(range).startsWith('workspace:')) {
      problems.push(`${pkg.name}: dependency ${dep} must use "workspace:*", got "${range}"`);
    }
  }
  const pure = PURE_PACKAGES.includes(pkg.folder);
  const groups = [
    { dir: 'src', allowed: new Set(Object.keys(deps)) },
    {
      dir: 'test',
      allowed: new Set([
        ...Object.keys(deps),
        ...Object.keys(pkg.json.devDependencies ?? {}),
        ...rootDevDeps,
      ]),
    },
  ];
  for (const { dir, allowed } of groups) {
    for (const file of walk(join(pkg.dir, dir), isSource)) {
      filesChecked++;
      for (const { spec, line } of importsOf(file)) {
        const where = `${rel(file)}:${line}`;
        if (spec.startsWith('.') || spec.startsWith('/')) {
          const target = resolve(dirname(file), spec);
          // Tests may also use the repository's shared test helpers (test-support/).
          const shared = dir === 'test' && target.startsWith(join(root, 'test-support') + sep);
          if (!shared && target !== pkg.dir && !target.startsWith(pkg.dir + sep)) {
            problems.push(`${where}: relative import '${spec}' reaches outside ${pkg.name}`);
          }
          continue;
        }
        if (isBuiltin(spec)) {
          // Pure packages' tests also run in browsers, except files named *.node.test.ts (or
          // Node-only helpers named *.node.ts).
          if (pure && (dir === 'src' || !/\.node(\.test)?\.[cm]?tsx?$/.test(file))) {
            problems.push(
              dir === 'src'
                ? `${where}: ${pkg.name} must not import Node builtins ('${spec}')`
                : `${where}: '${spec}' in a browser-run test; name the file *.node.test.ts`,
            );
          }
          continue;
        }
        const [name, sub] = splitSpecifier(spec);
        if (name === pkg.name) {
          problems.push(`${where}: ${pkg.name} imports itself ('${spec}'); use a relative path`);
          continue;
        }
        if (!allowed.has(name)) {
          problems.push(
            `${where}: '${spec}' is not a declared dependency of ${pkg.name} (${dir}/ may use: ${
              [...allowed].filter((d) => dir === 'src' || !rootDevDeps.includes(d)).join(', ') ||
              'nothing'
            })`,
          );
          continue;
        }
        const target = byName.get(name);
        if (target && sub !== '.' && !(target.json.exports && sub in target.json.exports)) {
          problems.push(
            `${where}: deep import '${spec}'; import '${name}' (its public entry) instead`,
          );
        }
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`check-deps: ${problems.length} problem(s):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(
  `check-deps: ${packages.length} packages, ${filesChecked} files: imports follow the dependency rule ` +
    `(pure: ${PURE_PACKAGES.filter((f) => packages.some((p) => p.folder === f)).join(', ')})`,
);
