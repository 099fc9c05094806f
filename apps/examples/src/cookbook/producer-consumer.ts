// Cookbook: producer and consumers with back-pressure. A bounded Queue sits between a fast
// producer and slow consumers: while it is full, `put` waits, so the producer goes at the
// consumers' pace and the queue never holds more than its size. At the end the producer waits
// until every item is processed (`join`), then the consumers are cancelled.
//   node apps/examples/dist/cookbook/producer-consumer.js
import { type Coro, getKernel, newTask, run, sleep, VirtualTimeSelector } from '@curio/kernel';
import { Queue } from '@curio/queue';

function* main(): Coro<void> {
  const clock = (yield* getKernel()).selector;
  const log = (text: string) => console.log(`[${String(clock.now()).padStart(3)} ms] ${text}`);
  const queue = new Queue<number>(2); // at most 2 items wait

  function* consumer(name: string): Coro<void> {
    for (;;) {
      const item = yield* queue.get();
      yield* sleep(100); // the work: slower than the producer
      log(`${name} processed item ${item}`);
      yield* queue.taskDone();
    }
  }

  const consumers = [yield* newTask(consumer('c1')), yield* newTask(consumer('c2'))];
  for (let item = 1; item <= 6; item++) {
    const asked = clock.now();
    yield* queue.put(item); // waits while the queue is full
    log(
      `put item ${item}${clock.now() > asked ? ` (waited ${clock.now() - asked} ms for room)` : ''}`,
    );
  }
  yield* queue.join(); // every item processed
  for (const task of consumers) yield* task.cancel();
  log('all done');
}

await run(main(), { selector: new VirtualTimeSelector() });
