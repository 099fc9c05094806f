import { expect, it } from 'vitest';
import { instanceofAcrossCopies } from '../../../test-support/copies.js';
import * as cjs from '../dist/index.cjs';
import * as esm from '../dist/index.js';

const base = (cls: object) => Object.getPrototypeOf(cls);

it("the ESM and CJS builds' errors are instances of each other's classes", () => {
  expect(
    instanceofAcrossCopies({
      WorkerFailed: [esm.WorkerFailed, cjs.WorkerFailed],
      CurioError: [base(esm.WorkerFailed), base(cjs.WorkerFailed)],
    }),
  ).toEqual([
    'WorkerFailed instanceof WorkerFailed',
    'WorkerFailed instanceof CurioError',
    'CurioError instanceof CurioError',
  ]);
});
