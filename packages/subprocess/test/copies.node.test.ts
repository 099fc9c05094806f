import { expect, it } from 'vitest';
import { instanceofAcrossCopies } from '../../../test-support/copies.js';
import * as cjs from '../dist/index.cjs';
import * as esm from '../dist/index.js';

const base = (cls: object) => Object.getPrototypeOf(cls);

it("the ESM and CJS builds' errors are instances of each other's classes", () => {
  expect(
    instanceofAcrossCopies({
      CalledProcessError: [esm.CalledProcessError, cjs.CalledProcessError],
      TimeoutExpired: [esm.TimeoutExpired, cjs.TimeoutExpired],
      TaskTimeout: [base(esm.TimeoutExpired), base(cjs.TimeoutExpired)],
      CurioError: [base(esm.CalledProcessError), base(cjs.CalledProcessError)],
    }),
  ).toEqual([
    'CalledProcessError instanceof CalledProcessError',
    'CalledProcessError instanceof CurioError',
    'TimeoutExpired instanceof TimeoutExpired',
    'TimeoutExpired instanceof TaskTimeout',
    'TimeoutExpired instanceof CurioError',
    'TaskTimeout instanceof TaskTimeout',
    'TaskTimeout instanceof CurioError',
    'CurioError instanceof CurioError',
  ]);
});
