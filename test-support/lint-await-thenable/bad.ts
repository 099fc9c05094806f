// The mistake: a coroutine awaited in an async function. `sleep(100)` only makes a generator;
// `await` of a non-thenable returns it at once, so nothing sleeps and nothing says so.
import { sleep } from '@curio/kernel';

export async function pause(): Promise<void> {
  await sleep(100);
}
