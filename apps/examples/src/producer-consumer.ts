// Producers and consumers over a bounded Queue: producers wait for room (put) and then for
// their items to be processed (join); consumers mark each item done (taskDone) and are
// cancelled at the end. Virtual time keeps the output the same on every run.
import {
  CancelledError,
  type Coro,
  getKernel,
  newTask,
  run,
  type Selector,
  sleep,
  VirtualTimeSelector,
} from '@curio/kernel';
import { Queue } from '@curio/queue';

let clock: Selector;

function log(message: string): void {
  console.log(`[${String(clock.now()).padStart(3)} ms] ${message}`);
}

function* producer(name: string, queue: Queue<string>, count: number, pace: number): Coro<void> {
  for (let n = 1; n <= count; n++) {
    const item = `${name}${n}`;
    if (queue.full()) log(`${name} waits for room for ${item}`);
    yield* queue.put(item);
    log(`${name} put ${item}`);
    yield* sleep(pace);
  }
  log(`${name} waits until every item is processed`);
  yield* queue.join();
  log(`${name} done`);
}

function* consumer(name: string, queue: Queue<string>, pace: number): Coro<void> {
  try {
    for (;;) {
      const item = yield* queue.get();
      log(`${name} got ${item}`);
      yield* sleep(pace);
      yield* queue.taskDone();
    }
  } catch (err) {
    if (err instanceof CancelledError) log(`${name} cancelled`);
    throw err;
  }
}

function* main(): Coro<void> {
  clock = (yield* getKernel()).selector;
  const queue = new Queue<string>(2);
  const consumers = [
    yield* newTask(consumer('worker-1', queue, 30)),
    yield* newTask(consumer('worker-2', queue, 50)),
  ];
  const producers = [
    yield* newTask(producer('A', queue, 4, 10)),
    yield* newTask(producer('B', queue, 3, 5)),
  ];
  for (const task of producers) yield* task.join();
  log('all items processed: cancelling the consumers');
  for (const task of consumers) yield* task.cancel();
  log('bye');
}

await run(main(), { selector: new VirtualTimeSelector() });
