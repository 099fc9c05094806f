// The last kernel made is kept, with a task and a trap that never run, so that V8 keeps the
// kernel's object layouts between kernels (see `kept` in task.ts): the ids of the tasks that run
// are not touched, and only the last kernel is kept, not every one.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { currentTask, Kernel, run, VirtualTimeSelector } from '../src/index.js';

function* myId() {
  return (yield* currentTask()).id;
}

it('the task kept between kernels takes no id: ids go on from one kernel to the next', async () => {
  const selector = new VirtualTimeSelector();
  const first = await run(myId(), { selector });
  const second = await run(myId(), { selector });
  const kernel = new Kernel({ selector });
  const third = await kernel.run(myId());
  await kernel.shutdown();
  const fourth = await run(myId(), { selector });
  expect([second - first, third - second, fourth - third]).toEqual([1, 1, 1]);
});

// V8's collector (Node, Deno): Bun's JavaScriptCore scans the stack conservatively, so no
// collection there can be counted on to free a given object (and layouts are V8's matter).
const onV8 = (globalThis as { Bun?: unknown }).Bun === undefined;

it.skipIf(!onV8)(
  'only the last kernel made is kept: the one before it can be collected once shut down',
  async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let older: Kernel | undefined = new Kernel({ selector: new VirtualTimeSelector() });
    await older.run(myId());
    await older.shutdown();
    const olderRef = new WeakRef(older);
    older = undefined;
    const last = new Kernel({ selector: new VirtualTimeSelector() });
    await last.run(myId());
    await last.shutdown();
    const lastRef = new WeakRef(last);
    // A WeakRef's target stays alive until the end of the turn that read it: collect in later turns.
    for (let round = 0; round < 20 && olderRef.deref() !== undefined; round++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      gc();
    }
    expect([olderRef.deref() === undefined, lastRef.deref() === last]).toEqual([true, true]);
  },
);
