#!/usr/bin/env node
// The curio-monitor command. Committed (unlike dist/) so that `pnpm install` can link it
// before the package is built; it runs the built command, dist/cli.js.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('curio-monitor: @curio/monitor is not built: run pnpm build\n');
  process.exit(1);
}
await import(cli.href);
