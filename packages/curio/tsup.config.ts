import { defineConfig } from 'tsup';

export default defineConfig({
  // index: everything (the `node` export condition); pure: for runtimes without Node.js.
  entry: ['src/index.ts', 'src/pure.ts'],
  format: ['esm', 'cjs'],
  // One set of types for both entries: pure.ts has the same names.
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  treeshake: true,
});
