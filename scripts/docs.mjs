#!/usr/bin/env node
// Builds the TypeDoc site (typedoc.json) into docs/api. In packages mode TypeDoc checks for
// missing doc comments only in the packages named by `packagesRequiringDocumentation`, so this
// names every package under packages/* (found at run time). Extra arguments go to typedoc.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { listPackages, root } from './lib/workspace.mjs';

const args = [];
for (const pkg of listPackages()) {
  if (!pkg.private) args.push('--packagesRequiringDocumentation', pkg.name);
}
const typedoc = join(root, 'node_modules', '.bin', 'typedoc');
const result = spawnSync(typedoc, [...args, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
