import { expect, it } from 'vitest';
import { instanceofAcrossCopies } from '../../../test-support/copies.js';
import * as cjs from '../dist/index.cjs';
import * as esm from '../dist/index.js';

it("the ESM and CJS builds' errors are instances of each other's classes", () => {
  const base = (cls: object) => Object.getPrototypeOf(cls);
  expect(
    instanceofAcrossCopies({
      QueueEmpty: [esm.QueueEmpty, cjs.QueueEmpty],
      QueueFull: [esm.QueueFull, cjs.QueueFull],
      CurioError: [base(esm.QueueEmpty), base(cjs.QueueEmpty)],
    }),
  ).toEqual([
    'QueueEmpty instanceof QueueEmpty',
    'QueueEmpty instanceof CurioError',
    'QueueFull instanceof QueueFull',
    'QueueFull instanceof CurioError',
    'CurioError instanceof CurioError',
  ]);
});

it("a CJS queue's QueueEmpty is caught by an ESM check", () => {
  const queue = new cjs.UniversalQueue<number>();
  let caught: unknown;
  try {
    queue.getNowait();
  } catch (err) {
    caught = err;
  }
  expect([caught instanceof esm.QueueEmpty, caught instanceof esm.QueueFull]).toEqual([
    true,
    false,
  ]);
});
