// Cookbook: graceful shutdown. Workers run until Ctrl-C (SIGINT) or SIGTERM; then each one is
// cancelled where it waits, its `finally` cleans up (and may wait while doing so), and the
// program exits with status 0.
//   node apps/examples/dist/cookbook/graceful-shutdown.js
import { asyncWith, type Coro, run, sleep, TaskGroup } from '@curio/kernel';
import { SignalSet } from '@curio/signal';

function* worker(id: number): Coro<void> {
  console.log(`worker ${id}: started`);
  try {
    for (;;) yield* sleep(1000); // the work; here it only waits
  } finally {
    yield* sleep(10); // say, flush a buffer or tell a peer goodbye
    console.log(`worker ${id}: cleaned up`);
  }
}

function* main(): Coro<void> {
  // Inside this block the signals are queued for us instead of ending the process.
  yield* asyncWith(new SignalSet('SIGINT', 'SIGTERM'), function* (signals) {
    yield* asyncWith(new TaskGroup(), function* (workers) {
      for (const id of [1, 2, 3]) yield* workers.spawn(worker(id));
      console.log('running; press Ctrl-C to stop');
      const name = yield* signals.wait();
      console.log(`${name}: shutting down`);
      yield* workers.cancelRemaining(); // each worker's finally runs; waits for all of them
    });
  });
  console.log('stopped cleanly');
}

await run(main());
