// A coroutine passed where a generator function is wanted, and the reverse: the error shows
// the right form.
import { expect, it } from 'vitest';
import {
  asyncFor,
  asyncWith,
  type Coro,
  Kernel,
  newTask,
  sleep,
  TaskGroup,
  VirtualTimeSelector,
} from '../src/index.js';
import { catching, vrun } from './helpers.js';

function* worker(): Coro<void> {
  yield* sleep(1);
}

it('a function where a coroutine is wanted: call it', async () => {
  const seen: string[] = [];
  await vrun(
    (function* () {
      seen.push(String(yield* catching(newTask(worker as never))));
      const g = new TaskGroup();
      seen.push(String(yield* catching(g.spawn(worker as never))));
      yield* g.join();
    })(),
  );
  const kernel = new Kernel({ selector: new VirtualTimeSelector() });
  await expect(kernel.run(worker as never)).rejects.toThrow(
    'Kernel.run(coro): coro must be a coroutine (the generator object returned by calling a function*), got function worker (a function: pass worker(), the coroutine its call returns, not worker)',
  );
  expect(() => kernel.addTask(worker as never)).toThrow(
    'Kernel.addTask(coro): coro must be a coroutine (the generator object returned by calling a function*), got function worker (a function: pass worker(), the coroutine its call returns, not worker)',
  );
  await kernel.shutdown();
  expect(seen).toEqual([
    'TypeError: newTask(coro): coro must be a coroutine (the generator object returned by calling a function*), got function worker (a function: pass worker(), the coroutine its call returns, not worker)',
    'TypeError: TaskGroup.spawn(coro): coro must be a coroutine (the generator object returned by calling a function*), got function worker (a function: pass worker(), the coroutine its call returns, not worker)',
  ]);
});

it('a coroutine where a generator function is wanted: pass the function', async () => {
  const seen: string[] = [];
  await vrun(
    (function* () {
      const g = new TaskGroup();
      seen.push(String(yield* catching(asyncWith(g, worker() as never))));
      seen.push(String(yield* catching(asyncFor(new TaskGroup(), worker() as never))));
      seen.push(String(yield* catching(new TaskGroup().start(worker() as never))));
    })(),
  );
  expect(seen).toEqual([
    'TypeError: asyncWith(cm, body): body must be a generator function, got a coroutine (pass the function itself, not its call: body, not body(...))',
    'TypeError: asyncFor(iterable, body): body must be a generator function, got a coroutine (pass the function itself, not its call: body, not body(...))',
    'TypeError: TaskGroup.start(fn): fn must be a function taking started, got a coroutine (pass the function itself, not its call: fn, not fn(...))',
  ]);
});
