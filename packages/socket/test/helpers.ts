import { afterEach, expect } from 'vitest';

function handles(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => r !== 'Timeout' && r !== 'Immediate')
    .sort();
}

/** Fails a test that leaves sockets, servers or other handles open. */
export function checkNoLeaks(): void {
  let before: string[] = [];
  afterEach(async () => {
    for (let i = 0; i < 20 && handles().length > before.length; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(handles()).toEqual(before);
  });
  before = handles();
}

/** Run `coro` and return the error it raised (or 'no error'). */
export function* caught(
  coro: import('@curio/kernel').Coro<unknown>,
): import('@curio/kernel').Coro<unknown> {
  try {
    yield* coro;
    return 'no error';
  } catch (e) {
    return e;
  }
}
