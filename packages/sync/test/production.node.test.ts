// The production build (the `production` export condition, dist/prod/): the same primitives with
// short coded messages. Built by `pnpm build`.
import * as kernel from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import * as prod from '../dist/prod/index.js';
import { Semaphore } from '../src/index.js';
import * as messages from '../src/messages.js';

describe('the production build', () => {
  it('raises a bad argument as its code, the call and the value', () => {
    expect(() => new prod.Semaphore(-1)).toThrow(
      new RangeError('curio S3: Semaphore, value, -1 (docs/errors.md#s3)'),
    );
    expect(() => new Semaphore(-1)).toThrow(
      new RangeError('Semaphore(value): value must be an integer >= 0, got -1'),
    );
  });

  it('raises a message without arguments as its code alone, and the primitives work', async () => {
    const lock = new prod.Lock();
    function* main() {
      yield* lock.acquire();
      yield* lock.release();
      yield* lock.release();
    }
    await expect(kernel.run(main())).rejects.toThrow(
      new kernel.CurioError('curio S7 (docs/errors.md#s7)'),
    );
  });

  it('every code of the table is a message of the sync package', () => {
    const codes = Object.keys({ ...messages });
    expect(codes.filter((code) => !/^S\d+$/.test(code))).toEqual([]);
    expect(kernel.explain(codes[0]!)).toContain('a code of @curio/sync');
  });
});
