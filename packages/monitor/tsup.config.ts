import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // Keep the command's file, which the second build writes.
    clean: ['!cli.js', '!cli.js.map'],
    target: 'es2022',
    treeshake: true,
  },
  {
    // The curio-monitor command: one ESM file that runs with node.
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'es2022',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
