import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { run, TaskTimeout, timeoutAfter } from '@curio/kernel';
import { CalledProcessError } from '@curio/subprocess';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { pipeline } from '../src/cookbook/subprocess-pipeline.js';
import { runRecipe } from './cookbook-support.js';

// Every process a test starts inherits this marker in its environment, so that a process left
// behind can be found afterwards (Linux /proc).
const MARKER = 'CURIO_PIPELINE_TEST';
beforeEach(() => {
  process.env[MARKER] = `${process.pid}-${Math.random().toString(36).slice(2)}`;
});
afterEach(() => {
  delete process.env[MARKER];
});

function leftBehind(): number[] {
  if (!existsSync('/proc/self/environ')) return [];
  const mark = `${MARKER}=${process.env[MARKER]}`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(mark);
      } catch {
        return false; // ended meanwhile, or not ours to read
      }
    })
    .map(Number);
}

test('each stage reads the one before; the output is the last stage’s', async () => {
  const out = await run(pipeline([['cat'], ['tr', 'a-z', 'A-Z'], ['rev']], 'hello\nworld\n'));
  expect(out.toString()).toBe('OLLEH\nDLROW\n');
  expect(leftBehind()).toEqual([]);
});

test('a reader that exits early stops the writer: yes | head -n 1 ends', async () => {
  const out = await run(
    pipeline(
      [
        ['sh', '-c', 'yes 2> /dev/null'],
        ['head', '-n', '1'],
      ],
      '',
    ),
  );
  expect(out.toString()).toBe('y\n');
  expect(leftBehind()).toEqual([]);
});

test('a failing last stage raises CalledProcessError; nothing is left running', async () => {
  const failing = pipeline([['cat'], ['sh', '-c', 'cat > /dev/null; exit 3']], 'data\n');
  const err = await run(failing).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CalledProcessError);
  expect((err as CalledProcessError).returncode).toBe(3);
  expect(leftBehind()).toEqual([]);
});

test('timed out (or cancelled), it kills and reaps every stage', async () => {
  const hangs = pipeline([['cat'], ['sleep', '60'], ['cat']], 'data\n');
  const err = await run(timeoutAfter(200, hangs)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TaskTimeout);
  expect(leftBehind()).toEqual([]);
});

test('the pipeline program: the three most frequent words', () => {
  expect(runRecipe('subprocess-pipeline.js')).toEqual(['the: 6', 'cat: 4', 'sat: 3']);
});
