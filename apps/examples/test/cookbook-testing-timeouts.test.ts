// Cookbook: testing a timeout with the virtual clock. The code under test waits up to 5 s for a
// reply, then gives up. In virtual time the tests check every way it can end, to the
// millisecond, and take no time at all.
//   cd apps/examples && npx vitest run test/cookbook-testing-timeouts.test.ts
import {
  type Coro,
  getKernel,
  ignoreAfter,
  newTask,
  run,
  sleep,
  VirtualTimeSelector,
} from '@curio/kernel';
import { Queue } from '@curio/queue';
import { expect, test } from 'vitest';

/** The code under test: the next reply, or 'no reply' after 5 s. */
function* nextReply(replies: Queue<string>): Coro<string> {
  return yield* ignoreAfter(5000, replies.get(), 'no reply');
}

/** Run `scenario` in virtual time; it logs with `note`, each entry stamped with the clock. */
async function timeline(scenario: (note: (text: string) => Coro<void>) => Coro<void>) {
  const events: string[] = [];
  function* note(text: string): Coro<void> {
    events.push(`${(yield* getKernel()).selector.now()} ${text}`);
  }
  await run(scenario(note), { selector: new VirtualTimeSelector() });
  return events;
}

test('a reply that comes in time is returned when it comes', async () => {
  const replies = new Queue<string>();
  const events = await timeline(function* (note) {
    const waiter = yield* newTask(nextReply(replies));
    yield* sleep(4999);
    yield* replies.put('pong');
    yield* note(`got ${yield* waiter.join()}`);
  });
  expect(events).toEqual(['4999 got pong']);
});

test('with no reply it gives up after exactly 5 s (an hour of silence, no real wait)', async () => {
  const replies = new Queue<string>();
  const events = await timeline(function* (note) {
    yield* note(`got ${yield* nextReply(replies)}`);
    yield* sleep(3_600_000);
    yield* note('an hour later');
  });
  expect(events).toEqual(['5000 got no reply', '3605000 an hour later']);
});

test('a late reply is not lost: it waits in the queue for the next call', async () => {
  const replies = new Queue<string>();
  const events = await timeline(function* (note) {
    yield* note(`got ${yield* nextReply(replies)}`);
    yield* replies.put('late pong');
    yield* note(`got ${yield* nextReply(replies)}`);
  });
  expect(events).toEqual(['5000 got no reply', '5000 got late pong']);
});

test('cancelled while it waits, it ends at once and takes no reply', async () => {
  const replies = new Queue<string>();
  const events = await timeline(function* (note) {
    const waiter = yield* newTask(nextReply(replies));
    yield* sleep(1000);
    yield* waiter.cancel();
    yield* note(`cancelled; replies waiting: ${replies.qsize()}`);
    yield* replies.put('pong');
    yield* note(`replies waiting: ${replies.qsize()}`);
  });
  expect(events).toEqual(['1000 cancelled; replies waiting: 0', '1000 replies waiting: 1']);
});
