import { defineConfig } from 'tsup';
import { withProductionBuild } from '../../scripts/lib/production-build.mjs';

// Two builds from one source: dist/ and, for the `production` export condition, dist/prod/ (short
// coded messages; see scripts/lib/production-build.mjs).
export default defineConfig(
  withProductionBuild(
    {
      entry: ['src/index.ts'],
      format: ['esm', 'cjs'],
      dts: true,
      sourcemap: true,
      target: 'es2022',
      treeshake: true,
    },
    __dirname,
  ),
);
