import { newTask, run, sleep } from '@curio/kernel';

function* countdown(n: number) {
  while (n > 0) {
    console.log('T-minus', n);
    yield* sleep(10);
    n--;
  }
}

function* main() {
  const task = yield* newTask(countdown(3));
  yield* task.join();
  console.log('liftoff');
}

await run(main());
