// The right forms: yield* a coroutine inside a task; await the promise that run() returns.
import { run, sleep } from '@curio/kernel';

function* pause() {
  yield* sleep(100);
}

export async function main(): Promise<void> {
  await run(pause());
}
