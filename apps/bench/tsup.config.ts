import { defineConfig } from 'tsup';

// Every source file becomes its own ESM module in dist/ (dist/workloads/*.js are discovered
// at run time), so nothing is bundled: imports stay imports.
export default defineConfig({
  entry: ['src/**/*.ts'],
  format: ['esm'],
  bundle: false,
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
