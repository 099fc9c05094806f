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

// A marker comment (optional), then a fenced block.
const BLOCK = /(?:<!-- (file|excerpt): (\S+) -->\n)?```(\w+)([^\n]*)\n([\s\S]*?)\n```/g;

describe.each(pages)('%s', (page) => {
  test('its code blocks are the example files', () => {
    const path = join(root, page);
    const text = readFileSync(path, 'utf8');
    let updated = text;
    for (const [block, kind, file, lang, , code] of text.matchAll(BLOCK)) {
      if (lang !== 'ts') continue;
      expect(kind, `a ts block of ${page} has no file/excerpt marker:\n${code}`).toBeDefined();
      const source = readFileSync(join(root, file), 'utf8').trimEnd();
      if (kind === 'excerpt') {
        expect(source, `an excerpt in ${page} is not in ${file}`).toContain(code);
      } else if (process.env.CURIO_UPDATE_DOCS) {
        const fresh = block.replace(`\n${code}\n`, () => `\n${source}\n`);
        updated = updated.replace(block, () => fresh);
      } else {
        expect(code, `${page} shows ${file}`).toBe(source);
      }
    }
    if (updated !== text) writeFileSync(path, updated);
  });
});
