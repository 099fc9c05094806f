import { expect, it } from 'vitest';
import { instanceofAcrossCopies } from '../../../test-support/copies.js';
import * as cjs from '../dist/index.cjs';
import * as esm from '../dist/index.js';

const base = (cls: object) => Object.getPrototypeOf(cls);

it("the ESM and CJS builds' errors are instances of each other's classes", () => {
  expect(
    instanceofAcrossCopies({
      SSLError: [esm.SSLError, cjs.SSLError],
      SSLCertVerificationError: [esm.SSLCertVerificationError, cjs.SSLCertVerificationError],
      CurioError: [base(esm.SSLError), base(cjs.SSLError)],
    }),
  ).toEqual([
    'SSLError instanceof SSLError',
    'SSLError instanceof CurioError',
    'SSLCertVerificationError instanceof SSLError',
    'SSLCertVerificationError instanceof SSLCertVerificationError',
    'SSLCertVerificationError instanceof CurioError',
    'CurioError instanceof CurioError',
  ]);
});
