// The production build (the `production` export condition, dist/prod/): the same queues with
// short coded messages. Built by `pnpm build`.
import * as kernel from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import * as prod from '../dist/prod/index.js';
import { Queue } from '../src/index.js';
import * as messages from '../src/messages.js';

describe('the production build', () => {
  it('raises a bad argument as its code, the call and the value', () => {
    expect(() => new prod.Queue(-1)).toThrow(
      new RangeError('curio Q3: Queue, -1 (docs/errors.md#q3)'),
    );
    expect(() => new Queue(-1)).toThrow(
      new RangeError('Queue(maxsize): maxsize must be an integer >= 0 (0: unbounded), got -1'),
    );
  });

  it('the queues work', async () => {
    const queue = new prod.Queue<number>();
    function* main() {
      yield* queue.put(1);
      return yield* queue.get();
    }
    expect(await kernel.run(main())).toBe(1);
  });

  it('every code of the table is a message of the queue package', () => {
    const codes = Object.keys({ ...messages });
    expect(codes.filter((code) => !/^Q\d+$/.test(code))).toEqual([]);
    expect(kernel.explain(codes[0]!)).toContain('a code of @curio/queue');
  });
});
