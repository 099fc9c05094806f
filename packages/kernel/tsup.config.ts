import { defineConfig } from 'tsup';
import { withProductionBuild } from '../../scripts/lib/production-build.mjs';

// Two builds from one source: dist/ and, for the `production` export condition, dist/prod/ (short
// coded messages; see scripts/lib/production-build.mjs).
export default defineConfig(
  withProductionBuild(
    {
      entry: ['src/index.ts'],
      format: ['esm', 'cjs'],
      dts: { compilerOptions: { stripInternal: true } },
      sourcemap: true,
      target: 'es2022',
      treeshake: true,
      // Internal members (`_name`, stripped from the types) get short names in the build: they
      // are most of what a bundle spends on property names. The names are the same in every
      // build of the same source, so the ESM and CJS builds (and their traps) work together.
      esbuildOptions(options) {
        options.mangleProps = /^_[a-z]/;
        options.mangleQuoted = true;
      },
    },
    __dirname,
  ),
);
