import { defineConfig } from 'tsup';

export default defineConfig({
  // worker.ts is the script the pool's threads load (dist/worker.js).
  entry: ['src/index.ts', 'src/worker.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'es2022',
  treeshake: true,
});
