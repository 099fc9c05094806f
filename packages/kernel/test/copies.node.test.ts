// Two copies of the kernel in one program: the built ESM and CJS files loaded side by side, as
// an application gets them when one dependency imports curio and another requires it (or when
// two versions are installed). Traps are matched by a shared marker and errors by their brand,
// so each copy's coroutines and errors work under the other's kernel.
import { describe, expect, it } from 'vitest';
import { instanceofAcrossCopies } from '../../../test-support/copies.js';
import * as cjsBuild from '../dist/index.cjs';
import * as esm from '../dist/index.js';

// One type for both: each .d.ts declares its own `unique symbol` trap marker, so TypeScript
// tells the two copies' coroutine types apart although the runtime accepts them.
const cjs = cjsBuild as unknown as typeof esm;

const virtual = () => ({ selector: new esm.VirtualTimeSelector(), logErrors: false });

describe('the ESM and CJS builds side by side', () => {
  it('are two copies', () => {
    expect([cjs.run === esm.run, cjs.TaskTimeout === esm.TaskTimeout]).toEqual([false, false]);
  });

  it("instanceof sees the other copy's errors and keeps the class hierarchy", () => {
    expect(
      instanceofAcrossCopies({
        CurioError: [esm.CurioError, cjs.CurioError],
        CancelledError: [esm.CancelledError, cjs.CancelledError],
        TaskError: [esm.TaskError, cjs.TaskError],
        TaskTimeout: [esm.TaskTimeout, cjs.TaskTimeout],
      }),
    ).toEqual([
      'CurioError instanceof CurioError',
      'CancelledError instanceof CurioError',
      'CancelledError instanceof CancelledError',
      'TaskError instanceof CurioError',
      'TaskError instanceof TaskError',
      'TaskTimeout instanceof CurioError',
      'TaskTimeout instanceof TaskTimeout',
    ]);
    expect(new cjs.TaskTimeout('t') instanceof Error).toBe(true);
  });

  it('a subclass without a brand of its own is matched within its own copy only', () => {
    class Mine extends esm.CancelledError {}
    expect([
      new Mine() instanceof Mine,
      new Mine() instanceof esm.CancelledError,
      new Mine() instanceof cjs.CancelledError,
      new Mine() instanceof cjs.CurioError,
      new Mine() instanceof cjs.TaskTimeout,
      new cjs.CancelledError() instanceof Mine,
      new esm.CancelledError() instanceof Mine,
    ]).toEqual([true, true, true, true, false, false, false]);
  });

  it('values that are no curio error are instances of none', () => {
    const values = [undefined, null, 0, 'TaskTimeout', {}, Object.create(null), new Error('x')];
    const lookalike = { constructor: { brand: 'curio.error.TaskTimeout' } };
    expect(
      [...values, lookalike].map((v) => [
        v instanceof esm.CurioError,
        v instanceof cjs.TaskTimeout,
      ]),
    ).toEqual(Array.from({ length: values.length + 1 }, () => [false, false]));
  });

  it("an ESM kernel runs the CJS build's ignoreAfter: it returns the default", async () => {
    expect(await esm.run(cjs.ignoreAfter(10, esm.sleep(1000)), virtual())).toBeUndefined();
    expect(await esm.run(cjs.ignoreAfter(10, cjs.sleep(1000), 'late'), virtual())).toBe('late');
    expect(await cjs.run(esm.ignoreAfter(10, cjs.sleep(1000), 'late'), virtual())).toBe('late');
  });

  it('a CJS timeoutAfter under an ESM kernel raises a TaskTimeout both copies recognise', async () => {
    function* main() {
      try {
        yield* cjs.timeoutAfter(10, esm.sleep(1000));
      } catch (err) {
        return [
          err instanceof esm.TaskTimeout,
          err instanceof cjs.TaskTimeout,
          (err as Error).name,
        ];
      }
    }
    expect(await esm.run(main(), virtual())).toEqual([true, true, 'TaskTimeout']);
  });

  it('nested timeouts of the two copies each catch only their own', async () => {
    const outerFirst = esm.ignoreAfter(20, cjs.ignoreAfter(50, esm.sleep(1000), 'inner'), 'outer');
    const innerFirst = esm.ignoreAfter(50, cjs.ignoreAfter(20, esm.sleep(1000), 'inner'), 'outer');
    expect([await cjs.run(outerFirst, virtual()), await esm.run(innerFirst, virtual())]).toEqual([
      'outer',
      'inner',
    ]);
  });

  it("cancelling a task of one copy raises a CancelledError the other's checks catch", async () => {
    const events: string[] = [];
    function* child() {
      try {
        yield* cjs.sleep(1000);
      } catch (err) {
        events.push(`child: ${err instanceof cjs.CancelledError}`);
        throw err;
      }
    }
    function* main() {
      const task = yield* cjs.newTask(child());
      yield* esm.sleep(10);
      yield* task.cancel();
      try {
        yield* task.join();
      } catch (err) {
        const cause = (err as Error).cause;
        events.push(`join: ${err instanceof cjs.TaskError} ${cause instanceof cjs.CancelledError}`);
      }
    }
    await esm.run(main(), virtual());
    expect(events).toEqual(['child: true', 'join: true true']);
  });
});
