// The kernel README's lint recipe ("Catching await on a coroutine"), proved on a fixture:
// typescript-eslint's type-aware await-thenable rule flags `await sleep(100)` in an async
// function (which returns at once, silently) and passes the right forms.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(
  new URL('../../../test-support/lint-await-thenable/', import.meta.url),
);

describe('lint recipe: await on a coroutine', () => {
  it('await-thenable flags `await sleep(100)` and nothing in the right forms', async () => {
    const eslint = new ESLint({ cwd: fixture });
    const results = await eslint.lintFiles(['bad.ts', 'good.ts']);

    expect(
      results.map((r) => [
        basename(r.filePath),
        r.messages.map(({ ruleId, messageId, line, column }) => ({
          ruleId,
          messageId,
          line,
          column,
        })),
      ]),
    ).toEqual([
      [
        'bad.ts',
        [{ ruleId: '@typescript-eslint/await-thenable', messageId: 'await', line: 6, column: 3 }],
      ],
      ['good.ts', []],
    ]);
    const badLines = readFileSync(`${fixture}bad.ts`, 'utf8').split('\n');
    expect(badLines[5]).toBe('  await sleep(100);');
  }, 120_000);
});
