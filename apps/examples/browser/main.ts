// curio in a browser. The umbrella package `curio` bundles for browsers (and any runtime
// without Node.js) with only what you use: this page's bundle holds the kernel and Queue.
// A producer and a consumer share a bounded Queue; the page lists what the consumer got.
//
//   npx esbuild apps/examples/browser/main.ts --bundle --format=esm --outfile=apps/examples/browser/dist/main.js
//   then open apps/examples/browser/index.html
//
// CI bundles it and runs it in headless Chromium (scripts/test-browser.mjs), and bundles it
// again from the packed packages (scripts/check-install.mjs).
import { type Coro, newTask, Queue, run, sleep } from 'curio';

function* producer(queue: Queue<number>, count: number): Coro<void> {
  for (let n = 1; n <= count; n++) {
    yield* queue.put(n); // waits while the queue is full
    yield* sleep(5);
  }
  yield* queue.put(0); // the end
}

function* consumer(queue: Queue<number>, show: (line: string) => void): Coro<number> {
  let total = 0;
  for (let n = yield* queue.get(); n !== 0; n = yield* queue.get()) {
    show(`got ${n}`);
    total += n;
  }
  return total;
}

function* main(show: (line: string) => void): Coro<number> {
  const queue = new Queue<number>(2);
  const task = yield* newTask(producer(queue, 5));
  const total = yield* consumer(queue, show);
  yield* task.join();
  show(`total ${total}`);
  return total;
}

const out = document.getElementById('out') ?? document.body;
const show = (line: string) => {
  out.textContent += `${line}\n`;
};
run(main(show)).then(
  (total) => {
    document.body.dataset.result = String(total);
  },
  (err: unknown) => {
    document.body.dataset.result = `error: ${String(err)}`;
  },
);
