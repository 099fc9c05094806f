#!/usr/bin/env node
// Every code block runs. Extracts each ts/js block from the READMEs (the root's, packages/*,
// apps/*), docs/**/*.md (not docs/api) and the @example blocks of the doc comments in
// packages/*/src, typechecks them all in ONE TypeScript program under `strict` (each block is
// its own module; `@curio/*` and `curio` resolve to the built packages of this workspace), then
// runs with Node the blocks marked `run`. The convention (CONTRIBUTING.md, "Code blocks"):
//   ```ts            typechecked: the block must stand alone (import what it uses)
//   ```ts run        typechecked, then run; it must exit with status 0 within 30 s
//   ```ts fragment   neither (a snippet that leans on the text around it); keep these rare
// An @example without a fence is one `ts` block. `js` blocks are checked as JavaScript
// (checkJs, without the implicit-any errors). Run after `turbo run build`.
// Arguments narrow a local run to files whose path contains one of them:
//   node scripts/check-code-blocks.mjs docs/guides packages/kernel/src
// --show-output prints what each block that runs printed (to compare with its comments).
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { listPackages, rel, root, walk } from './lib/workspace.mjs';

const ts = createRequire(import.meta.url)('typescript');
const LANGS = new Map([
  ['ts', 'ts'],
  ['typescript', 'ts'],
  ['js', 'js'],
  ['javascript', 'js'],
  ['mjs', 'js'],
]);
const RUN_TIMEOUT_MS = 30_000;

/** Markdown files to scan: the READMEs and docs/**, not the generated API site. */
function markdownFiles() {
  const files = [join(root, 'README.md')];
  for (const base of ['packages', 'apps']) {
    files.push(...walk(join(root, base), (f) => f === 'README.md'));
  }
  files.push(
    ...walk(join(root, 'docs'), (f) => f.endsWith('.md')).filter(
      (f) => !rel(f).startsWith('docs/api/'),
    ),
  );
  return files.filter((f) => existsSync(f));
}

/** Fenced blocks of markdown `text`; `line` is the 1-based line of the block's first code line. */
function fencedBlocks(text, firstLine = 1) {
  const blocks = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info, rest] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].trim().startsWith(fence); j++) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    }
    const lang = LANGS.get(info.toLowerCase());
    if (lang) {
      const flags = new Set(rest.trim().split(/\s+/).filter(Boolean));
      blocks.push({ lang, flags, code: body.join('\n'), line: firstLine + i + 1 });
    }
    i = j;
  }
  return blocks;
}

// Block tags end an @example; `@curio/...` and inline `{@link}` do not.
const BLOCK_TAG =
  /(?<![{\w/])@(?:param|returns?|throws|remarks|see|example|deprecated|internal|typeParam|template|defaultValue|default|category|group|packageDocumentation|module|privateRemarks|since|alpha|beta|experimental|sealed|virtual|override|hidden|ignore|event|label|alias)\b/g;

/** The @example blocks of the doc comments of a source file. */
function exampleBlocks(source) {
  const blocks = [];
  for (const m of source.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const startLine = source.slice(0, m.index).split('\n').length;
    // Strip the comment's leading ` * `, keeping the lines where they are.
    const text = m[1]
      .split('\n')
      .map((l, i) => (i === 0 ? l : l.replace(/^\s*\* ?/, '')))
      .join('\n');
    const tags = [...text.matchAll(BLOCK_TAG)];
    tags.forEach((tag, k) => {
      if (tag[0] !== '@example') return;
      const from = tag.index + tag[0].length;
      const to = k + 1 < tags.length ? tags[k + 1].index : text.length;
      const content = text.slice(from, to);
      const line = startLine + text.slice(0, from).split('\n').length - 1;
      if (/^\s*(`{3,}|~{3,})/m.test(content)) {
        blocks.push(...fencedBlocks(content, line));
      } else {
        // No fence: TypeDoc shows the whole content as TypeScript.
        const lead = /^[ \t]*\n?/.exec(content)[0];
        blocks.push({
          lang: 'ts',
          flags: new Set(),
          code: content.slice(lead.length).replace(/\s+$/, ''),
          line: line + (lead.includes('\n') ? 1 : 0),
        });
      }
    });
  }
  return blocks;
}

function collect(only) {
  const blocks = [];
  const add = (file, found) => {
    for (const b of found) blocks.push({ ...b, file: rel(file) });
  };
  for (const file of markdownFiles()) add(file, fencedBlocks(readFileSync(file, 'utf8')));
  for (const pkg of listPackages()) {
    for (const file of walk(join(pkg.dir, 'src'), (f) => /\.[cm]?tsx?$/.test(f))) {
      add(file, exampleBlocks(readFileSync(file, 'utf8')));
    }
  }
  return only.length ? blocks.filter((b) => only.some((o) => b.file.includes(o))) : blocks;
}

/** A scratch folder whose node_modules resolves `@curio/*` and `curio` to the workspace. */
function scratchDir() {
  // Under the repository, so that vitest and @types/node resolve; one folder per run.
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'check-code-blocks-'));
  mkdirSync(join(dir, 'node_modules', '@curio'), { recursive: true });
  for (const pkg of listPackages()) {
    const link = join(dir, 'node_modules', ...pkg.name.split('/'));
    symlinkSync(pkg.dir, link, 'dir');
  }
  mkdirSync(join(dir, 'blocks'));
  return dir;
}

const compilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
  types: ['node'],
  typeRoots: [join(root, 'node_modules', '@types')],
  allowJs: true,
  checkJs: true,
  skipLibCheck: true,
  noEmit: true,
  esModuleInterop: true,
  moduleDetection: ts.ModuleDetectionKind.Force,
};

function typecheck(blocks, dir) {
  const byPath = new Map();
  blocks.forEach((b, i) => {
    b.path = join(dir, 'blocks', `b${i}.${b.lang === 'ts' ? 'mts' : 'mjs'}`);
    b.errors = [];
    writeFileSync(b.path, `${b.code}\n`);
    byPath.set(b.path, b);
  });
  const program = ts.createProgram([...byPath.keys()], compilerOptions);
  const problems = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const block = d.file && byPath.get(d.file.fileName);
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n      ');
    if (!d.file) problems.push(`tsc: TS${d.code} ${message}`);
    // Problems inside the packages are their own checks' business (and, with checkJs, the
    // built .js of a package whose .d.ts is being rebuilt would be checked too).
    if (!block) continue;
    // JavaScript blocks are checked as JavaScript: no implicit-any errors (TS7xxx).
    if (block.lang === 'js' && d.code >= 7000 && d.code < 8000) continue;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    block.errors.push(`line ${block.line + line}: TS${d.code} ${message}`);
  }
  // One entry per broken block, with its first few errors.
  for (const b of blocks) {
    if (b.errors.length === 0) continue;
    const more = b.errors.length > 3 ? `\n    ... and ${b.errors.length - 3} more` : '';
    problems.push(
      `${b.file}:${b.line}: does not typecheck\n    ${b.errors.slice(0, 3).join('\n    ')}${more}`,
    );
  }
  return problems;
}

function runBlock(block) {
  const js =
    block.lang === 'ts'
      ? ts.transpileModule(block.code, { compilerOptions: { ...compilerOptions, noEmit: false } })
          .outputText
      : block.code;
  const file = block.path.replace(/\.m[tj]s$/, '.run.mjs');
  writeFileSync(file, js);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n(killed after ${RUN_TIMEOUT_MS / 1000} s)`;
      child.kill('SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (showOutput) console.log(`--- ${block.file}:${block.line}\n${output}`);
      resolve(
        code === 0
          ? null
          : `${block.file}:${block.line}: the block ran and exited with ${signal ?? `status ${code}`}\n    ${output.trim().split('\n').slice(-12).join('\n    ')}`,
      );
    });
  });
}

const started = performance.now();
const args = process.argv.slice(2);
const showOutput = args.includes('--show-output');
const blocks = collect(args.filter((a) => !a.startsWith('--')));
const checked = blocks.filter((b) => !b.flags.has('fragment'));
const dir = scratchDir();
const problems = typecheck(checked, dir);
// A misspelt marker would quietly check less than its author meant.
for (const b of blocks) {
  const unknown = [...b.flags].filter((f) => f !== 'run' && f !== 'fragment');
  if (unknown.length || (b.flags.has('run') && b.flags.has('fragment'))) {
    problems.push(
      `${b.file}:${b.line}: the fence says "${[...b.flags].join(' ')}"; use run or fragment`,
    );
  }
}
const runnable = checked.filter((b) => b.flags.has('run') && b.errors.length === 0);
const queue = [...runnable];
await Promise.all(
  [0, 1].map(async () => {
    for (let b = queue.shift(); b; b = queue.shift()) {
      const problem = await runBlock(b);
      if (problem) problems.push(problem);
    }
  }),
);
rmSync(dir, { recursive: true, force: true });

const seconds = ((performance.now() - started) / 1000).toFixed(1);
const summary =
  `${blocks.length} blocks: ${checked.length} typechecked, ${runnable.length} run, ` +
  `${blocks.length - checked.length} fragments skipped (${seconds} s)`;
if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(`check-code-blocks: ${problems.length} problem(s) in ${summary}`);
  process.exit(1);
}
console.log(`check-code-blocks: ${summary}`);
