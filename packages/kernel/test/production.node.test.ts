// The production build (the `production` export condition, dist/prod/): the same kernel with
// short coded messages, and `explain` to give their full text. Built by `pnpm build`.
import { describe, expect, it } from 'vitest';
import * as built from '../dist/index.js';
import * as prod from '../dist/prod/index.js';
import { explain, Kernel, run, sleep } from '../src/index.js';
import * as messages from '../src/messages.js';

// The table as data (a test may read it whole; the kernel's code never does).
const table: Record<string, string> = { ...messages };
const codes = Object.keys(table);

describe('explain', () => {
  it('gives the full text of every code of the table, with its holes left open', () => {
    expect(codes.length).toBeGreaterThan(50);
    expect(codes.filter((code) => explain(code) !== table[code])).toEqual([]);
  });

  it('fills the holes with what the message showed, in order of first appearance', () => {
    expect(explain('K2', 'sleep', 'ms', '"abc"')).toBe(
      'sleep(ms): ms must be a finite number >= 0, got "abc"',
    );
    expect(explain('K26', 'joinTask', 'task-3')).toBe('joinTask: task-3 cannot {verb} itself');
  });

  it('says where to look for a code it does not have', () => {
    expect([explain('S1'), explain('Q2'), explain('K0'), explain('toString')]).toEqual([
      'explain: no message of @curio/kernel has the code "S1" (a code of @curio/sync: docs/errors.md#s1)',
      'explain: no message of @curio/kernel has the code "Q2" (a code of @curio/queue: docs/errors.md#q2)',
      'explain: no message of @curio/kernel has the code "K0" (the codes are listed in docs/errors.md)',
      'explain: no message of @curio/kernel has the code "toString" (the codes are listed in docs/errors.md)',
    ]);
  });

  it('the default build raises the full text', async () => {
    await expect(run(sleep('abc' as unknown as number))).rejects.toThrow(
      new TypeError('sleep(ms): ms must be a finite number >= 0, got "abc"'),
    );
  });
});

describe('the default build', () => {
  // Built, each message is a function writing its text (no holes filled at run time): it must
  // write what the source does.
  it('writes the messages the source writes', async () => {
    const bad = { debug: 1, selector: {} } as never;
    const texts = (k: typeof built) => [
      k.explain('K2'),
      (() => {
        try {
          new k.Kernel(bad);
        } catch (e) {
          return (e as Error).message;
        }
      })(),
    ];
    const fromBuild = texts(built);
    const fromSource = texts({ explain, Kernel } as unknown as typeof built);
    expect(fromBuild).toEqual(fromSource);
    expect(fromBuild[1]).toBe('new Kernel(options): options.debug must be a boolean, got 1');
    const error = await built.run(built.sleep(-1)).catch((e: unknown) => e);
    expect((error as Error).message).toBe('sleep(ms): ms must be a finite number >= 0, got -1');
  });
});

describe('the production build', () => {
  it('runs run + sleep', async () => {
    function* main() {
      yield* prod.sleep(1);
      return 'done';
    }
    expect(await prod.run(main())).toBe('done');
  });

  it('raises a bad argument as its code, the call and the value, and explain gives the text', async () => {
    const error = await prod.run(prod.sleep('abc' as unknown as number)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(
      `curio K2: sleep, ms, "abc" (explain('K2'), docs/errors.md#k2)`,
    );
    expect(prod.explain('K2', 'sleep', 'ms', '"abc"')).toBe(
      'sleep(ms): ms must be a finite number >= 0, got "abc"',
    );
  });

  it('gives a message without arguments as its code alone', () => {
    const kernel = new prod.Kernel();
    expect(() => kernel.submit(prod.sleep(0))).toThrow(
      new prod.CurioError(`curio K17 (explain('K17'), docs/errors.md#k17)`),
    );
  });

  it('explains every code as the default build does', () => {
    expect(
      codes.filter((code) => prod.explain(code, 'a', 'b') !== explain(code, 'a', 'b')),
    ).toEqual([]);
  });
});
