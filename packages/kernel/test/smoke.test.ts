import { expect, it } from 'vitest';
import {
  Kernel,
  newTask,
  run,
  sleep,
  TaskTimeout,
  timeoutAfter,
  VirtualTimeSelector,
} from '../src/index.js';

it('smoke', async () => {
  const events: string[] = [];
  function* child() {
    events.push('child start');
    yield* sleep(10);
    events.push('child end');
    return 7;
  }
  function* parent() {
    const t = yield* newTask(child());
    events.push('parent after spawn');
    return yield* t.join();
  }
  expect(await run(parent())).toBe(7);
  expect(events).toEqual(['child start', 'parent after spawn', 'child end']);
});
it('virtual', async () => {
  const k = new Kernel({ selector: new VirtualTimeSelector() });
  function* main() {
    yield* sleep(60000);
    return k.selector.now();
  }
  expect(await k.run(main())).toBe(60000);
});
it('timeout', async () => {
  function* main() {
    try {
      yield* timeoutAfter(10, sleep(1000));
    } catch (e) {
      return e instanceof TaskTimeout;
    }
  }
  expect(await run(main())).toBe(true);
});
