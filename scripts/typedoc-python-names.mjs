// TypeDoc plugin (typedoc.json "plugin"): makes the Python names of the curio manual find their
// TypeScript counterparts in the search box. It reads the links of the manual mapping guide
// (docs/guides/02-manual-mapping.md), `{@linkcode @curio/kernel!newTask await new_task(coro)}`,
// and gives each linked export a search field with the Python text of its rows, weighted like
// a name: searching `new_task` lists `newTask` first. The guide stays the one source: its links
// are checked by TypeDoc, its names by scripts/check-mapping.mjs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib/workspace.mjs';

const guide = join(root, 'docs', 'guides', '02-manual-mapping.md');

/** Full TypeDoc name (`@curio/kernel.Kernel.addTask`) -> the Python words of its rows. */
function pythonNames() {
  const names = new Map();
  const text = readFileSync(guide, 'utf8');
  for (const m of text.matchAll(/\{@link(?:code)? (@curio\/[a-z-]+|curio)!([\w$.#]+) ([^}]*)\}/g)) {
    const key = `${m[1]}.${m[2].replace('#', '.')}`;
    // Identifiers only: `await new_task(coro, daemon=False)` -> `await new_task coro daemon False`.
    const words = m[3].match(/[A-Za-z_][\w.]*/g) ?? [];
    names.set(key, [...(names.get(key) ?? []), ...words]);
  }
  return names;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.renderer.on('prepareIndex', (event) => {
    const names = pythonNames();
    event.searchFieldWeights.python = 10;
    event.searchResults.forEach((reflection, i) => {
      const words = names.get(reflection.getFullName());
      if (words) event.searchFields[i].python = [...new Set(words)].join(' ');
    });
  });
}
