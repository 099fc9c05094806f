// Reading a task's stack (crash reports, debug mode's names): the task's frames end at the
// scheduler's step, whether or not V8 shows the resume frame of the task's outermost generator
// (it leaves it out once the step is optimized).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { taskNameOf, userStack } from '../src/stacks.js';

const kernel = fileURLToPath(new URL('../src/', import.meta.url));
const user = '/app/src/service.js';

// A task `fetchUser` that called `lookup`, which threw; as V8 prints it before and after the
// scheduler's step is optimized.
const top = [
  'Error: no such user',
  `    at lookup (${user}:3:9)`,
  `    at fetchUser (${user}:8:20)`,
];
const below = [
  `    at Kernel.#step (${kernel}scheduler.ts:237:20)`,
  `    at Kernel.#loop (${kernel}scheduler.ts:209:19)`,
  `    at Kernel.#runSlice (${kernel}scheduler.ts:174:12)`,
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
  `    at main (${user}:20:3)`, // plain code below the scheduler (it submitted the task)
];
const interpreted = [...top, '    at fetchUser.next (<anonymous>)', ...below].join('\n');
const optimized = [...top, ...below].join('\n');

function errorWith(stack: string): Error {
  const err = new Error('no such user');
  err.stack = stack;
  return err;
}

describe('a task stack', () => {
  it('keeps the frames above the scheduler, with or without the resume frame', () => {
    const expected = top.join('\n');
    expect([userStack(errorWith(interpreted)), userStack(errorWith(optimized))]).toEqual([
      expected,
      expected,
    ]);
  });

  it('names the task after its outermost generator, with or without the resume frame', () => {
    expect([taskNameOf(interpreted), taskNameOf(optimized)]).toEqual(['fetchUser', 'fetchUser']);
  });

  it('shows a stack that never reached the scheduler whole, and names no task', () => {
    const plain = [...top, `    at main (${user}:20:3)`].join('\n');
    expect([userStack(errorWith(plain)), taskNameOf(plain)]).toEqual([plain, undefined]);
  });
});
