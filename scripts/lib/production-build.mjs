// The two builds of a package with a message table (kernel, sync, queue), from one source: the
// default build in dist/ and the production build in dist/prod/ (the `production` export
// condition). They differ in one compile-time constant, __CURIO_PRODUCTION__ (tsup's `define`),
// and in the message table: in the production build every module but the one that explains
// codes imports src/messages.ts with each constant's value replaced by its own code, so the full
// texts reach a bundle only through `explain`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * tsup configs for both builds: `base` is the package's own tsup options (entry, format, dts,
 * esbuildOptions...); `dir` its folder. The production build leaves dist/ alone when it cleans.
 * @param {import('tsup').Options} base
 * @param {string} dir
 * @returns {import('tsup').Options[]}
 */
export function withProductionBuild(base, dir) {
  const table = join(dir, 'src', 'messages.ts');
  const explainer = join(dir, 'src', 'explain.ts');
  return [
    { ...base, outDir: 'dist', clean: ['!prod/**'], define: { __CURIO_PRODUCTION__: 'false' } },
    {
      ...base,
      outDir: 'dist/prod',
      clean: true,
      define: { __CURIO_PRODUCTION__: 'true' },
      // Fold `if (PRODUCTION)` and drop the other branch in the built file itself.
      minifySyntax: true,
      esbuildPlugins: [codesOnly(table, explainer)],
    },
  ];
}

/** The codes of a message table: the names of its `export const` declarations. */
export function messageCodes(table) {
  return [...readFileSync(table, 'utf8').matchAll(/^export const (\w+)\b/gm)].map((m) => m[1]);
}

// esbuild plugin: the message table, for every importer but `explainer`, as constants whose
// values are their own codes.
function codesOnly(table, explainer) {
  return {
    name: 'curio-message-codes',
    setup(build) {
      build.onResolve({ filter: /\/messages\.js$/ }, (args) => {
        if (args.importer === explainer || !args.importer.startsWith(join(table, '..'))) return;
        return { path: table, namespace: 'curio-message-codes' };
      });
      build.onLoad({ filter: /.*/, namespace: 'curio-message-codes' }, (args) => ({
        contents: messageCodes(args.path)
          .map((code) => `export const ${code} = ${JSON.stringify(code)};`)
          .join('\n'),
        loader: 'js',
      }));
    },
  };
}
