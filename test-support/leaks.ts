// Leak checks and small coroutine helpers shared by the Node-side test suites.
import { afterEach, expect } from 'vitest';

/** The kinds of handles Node reports, sorted (timers excluded: the test runner uses them). */
function handles(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => r !== 'Timeout' && r !== 'Immediate')
    .sort();
}

/**
 * Fails a test that leaves sockets, servers or other handles open. Handles closing in the
 * background get `rounds` polls of 5 ms to go away first.
 */
export function checkNoLeaks(rounds = 20): void {
  let before: string[] = [];
  afterEach(async () => {
    for (let i = 0; i < rounds && handles().length > before.length; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(handles()).toEqual(before);
  });
  before = handles();
}

/** Run `coro` and return the error it raised (or 'no error'). */
export function* caught<Y, N>(coro: Generator<Y, unknown, N>): Generator<Y, unknown, N> {
  try {
    yield* coro;
    return 'no error';
  } catch (e) {
    return e;
  }
}
