// Discovers the workspace packages under packages/* at run time, so every check covers
// packages as they are added.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Packages that must run anywhere (browsers included): no `node:` or bare builtin imports. */
export const PURE_PACKAGES = ['kernel', 'sync', 'queue'];

/** Packages that do I/O through Node; code from them must never reach a pure bundle. */
export const IO_PACKAGES = [
  'io',
  'socket',
  'ssl',
  'net',
  'subprocess',
  'signal',
  'executors',
  'monitor',
];

/**
 * Every package under packages/* that has a package.json, sorted by folder name; `only` (folder
 * names, e.g. from the command line) narrows the list for local runs.
 * @param {string[]} [only]
 * @returns {{ dir: string, folder: string, name: string, json: any, private: boolean }[]}
 */
export function listPackages(only = []) {
  const base = join(root, 'packages');
  return readdirSync(base)
    .filter((folder) => existsSync(join(base, folder, 'package.json')))
    .filter((folder) => only.length === 0 || only.includes(folder))
    .sort()
    .map((folder) => {
      const dir = join(base, folder);
      const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return { dir, folder, name: json.name, json, private: json.private === true };
    });
}

/** Files under `dir` (recursively) whose name passes `keep`, skipping node_modules and dist. */
export function walk(dir, keep) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...walk(path, keep));
    else if (keep(entry)) out.push(path);
  }
  return out.sort();
}

/** `path` relative to the repository root, for messages. */
export function rel(path) {
  return relative(root, path);
}

/**
 * The ESM entry file of a package's "." export (what `import '<name>'` loads); with
 * `production`, what it loads under the `production` condition (the same file for a package
 * without one).
 */
export function esmEntry(pkg, production = false) {
  let dot = pkg.json.exports?.['.'];
  if (production && dot?.production) dot = dot.production;
  const target =
    typeof dot === 'string' ? dot : (dot?.import?.default ?? dot?.import ?? pkg.json.module);
  if (typeof target !== 'string') return null;
  return join(pkg.dir, target);
}
