// The two builds of a package with a message table (kernel, sync, queue), from one source: the
// default build in dist/ and the production build in dist/prod/ (the `production` export
// condition). They differ in one compile-time constant, __CURIO_PRODUCTION__ (tsup's `define`),
// and in what every module but the one that explains codes gets from src/messages.ts:
// - the default build: each message as a function that writes its full text (a template
//   literal, as a hand-written message would be: no filling of holes at run time);
// - the production build: each constant's value is its own code, so the full texts reach a
//   bundle only through `explain`.
// Both builds also define __CURIO_BUILT__ (true): `msg` then takes what the table gives as is;
// run from source (tests), it fills the holes itself.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';

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
    {
      ...base,
      outDir: 'dist',
      clean: ['!prod/**'],
      define: { __CURIO_PRODUCTION__: 'false', __CURIO_BUILT__: 'true' },
      // Fold the constants and drop the branches they rule out in the built file itself.
      minifySyntax: true,
      esbuildPlugins: [tableAs(table, explainer, compiled)],
    },
    {
      ...base,
      outDir: 'dist/prod',
      clean: true,
      define: { __CURIO_PRODUCTION__: 'true', __CURIO_BUILT__: 'true' },
      minifySyntax: true,
      esbuildPlugins: [tableAs(table, explainer, (code) => JSON.stringify(code))],
    },
  ];
}

/** A message table (src/messages.ts) as { code: text }. */
export async function readTable(table) {
  const { code } = transformSync(readFileSync(table, 'utf8'), { loader: 'ts', format: 'esm' });
  return { ...(await import(`data:text/javascript,${encodeURIComponent(code)}`)) };
}

// A message as a function writing its full text: `{fn}({arg})` becomes
// `(a0, a1) => `${a0}(${a1})``, holes numbered in order of first appearance.
function compiled(_code, text) {
  const holes = [];
  const body = text
    .replace(/[`\\]|\$\{/g, (c) => `\\${c}`)
    .replace(/\{(\w+)\}/g, (_hole, name) => {
      if (!holes.includes(name)) holes.push(name);
      return `\${a${holes.indexOf(name)}}`;
    });
  return `(${holes.map((_, i) => `a${i}`).join(', ')}) => \`${body}\``;
}

// esbuild plugin: the message table, for every importer but `explainer`, as constants whose
// values are `value(code, text)`.
function tableAs(table, explainer, value) {
  return {
    name: 'curio-message-table',
    setup(build) {
      build.onResolve({ filter: /\/messages\.js$/ }, (args) => {
        if (args.importer === explainer || !args.importer.startsWith(join(table, '..'))) return;
        return { path: table, namespace: 'curio-message-table' };
      });
      build.onLoad({ filter: /.*/, namespace: 'curio-message-table' }, async (args) => ({
        contents: Object.entries(await readTable(args.path))
          .map(([code, text]) => `export const ${code} = ${value(code, text)};`)
          .join('\n'),
        loader: 'js',
      }));
    },
  };
}
