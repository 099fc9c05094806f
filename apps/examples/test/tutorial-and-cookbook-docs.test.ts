// The tutorial and cookbook pages show the example files' code. A block right after
// `<!-- file: PATH -->` must be the whole file at PATH; one after `<!-- excerpt: PATH -->` must
// appear in it word for word. Every ts block of those pages is one or the other.
// `CURIO_UPDATE_DOCS=1 npx vitest run test/tutorial-and-cookbook-docs.test.ts` rewrites the
// `file:` blocks from the files.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const pages = ['docs/tutorial', 'docs/cookbook']
  .filter((dir) => existsSync(join(root, dir)))
  .flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `${dir}/${name}`),
  );

interface Block {
  lang: string;
  kind: string | undefined;
  file: string | undefined;
  /** The block's code lines are lines[start..end). */
  start: number;
  end: number;
}

/** The fenced blocks of `lines`, with the marker comment on the line before each, if any. */
function fencedBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)/.exec(lines[i]);
    if (!open) continue;
    const marker = /^<!-- (file|excerpt): (\S+) -->$/.exec(lines[i - 1] ?? '');
    let end = i + 1;
    while (end < lines.length && !lines[end].startsWith('```')) end++;
    blocks.push({ lang: open[1], kind: marker?.[1], file: marker?.[2], start: i + 1, end });
    i = end;
  }
  return blocks;
}

describe.each(pages)('%s', (page) => {
  test('its code blocks are the example files', () => {
    const path = join(root, page);
    const lines = readFileSync(path, 'utf8').split('\n');
    let changed = false;
    // From the last block up, so that rewriting one leaves the others' line numbers alone.
    for (const block of fencedBlocks(lines).reverse()) {
      if (block.lang !== 'ts') continue;
      const code = lines.slice(block.start, block.end).join('\n');
      expect(
        block.file,
        `a ts block of ${page} has no file/excerpt marker:\n${code}`,
      ).toBeDefined();
      const source = readFileSync(join(root, block.file ?? ''), 'utf8').trimEnd();
      if (block.kind === 'excerpt') {
        expect(code, `an excerpt in ${page} is empty`).not.toBe('');
        expect(source, `an excerpt in ${page} is not in ${block.file}`).toContain(code);
      } else if (process.env.CURIO_UPDATE_DOCS && code !== source) {
        lines.splice(block.start, block.end - block.start, ...source.split('\n'));
        changed = true;
      } else {
        expect(code, `${page} shows ${block.file}`).toBe(source);
      }
    }
    if (changed) writeFileSync(path, lines.join('\n'));
  });
});
