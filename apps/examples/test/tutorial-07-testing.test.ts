// Tutorial, chapter 7: the chat server of chapter 6 under test, in virtual time. The limits are
// seconds and minutes long; here they pass at once, and every run gives the same timeline.
//   cd apps/examples && npx vitest run test/tutorial-07-testing.test.ts
import { type Coro, newTask, run, sleep, type Task, VirtualTimeSelector } from '@curio/kernel';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { Room, session } from '../src/tutorial/06-shutdown.js';
import { FakeClient } from './tutorial-fakes.js';

let log: string[]; // what the clients type and receive, and what the server prints
beforeEach(() => {
  log = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => log.push(`server: ${line}`));
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Run `scenario` in virtual time; `connect` starts a client's session in a fresh room. */
function inVirtualTime(
  scenario: (connect: (client: FakeClient) => Coro<Task>, room: Room) => Coro<void>,
): Promise<void> {
  const room = new Room();
  function* connect(client: FakeClient): Coro<Task> {
    return yield* newTask(session(room, client.reader, client.writer), { name: client.name });
  }
  return run(scenario(connect, room), { selector: new VirtualTimeSelector() });
}

test('a conversation: joins, lines to the others, /who, /quit, and 5 silent minutes', async () => {
  await inVirtualTime(function* (connect) {
    const alice = new FakeClient('alice', log);
    const bob = new FakeClient('bob', log);
    yield* connect(alice);
    yield* alice.type('alice');
    yield* sleep(1000);
    yield* connect(bob);
    yield* bob.type('bob');
    yield* alice.type('hi bob');
    yield* bob.type('/who');
    yield* bob.type('/quit');
  });
  expect(log).toEqual([
    '0 alice< What is your name?',
    '0 alice> alice',
    'server: * alice joined',
    '0 alice< * alice joined',
    '1010 bob< What is your name?',
    '1010 bob> bob',
    'server: * bob joined',
    '1010 alice< * bob joined',
    '1010 bob< * bob joined',
    '1020 alice> hi bob',
    '1020 bob< alice: hi bob',
    '1030 bob> /who',
    '1030 bob< In the room: alice, bob',
    '1040 bob> /quit',
    'server: * bob left',
    '1040 alice< * bob left',
    '1040 bob< Bye.',
    // alice said nothing more: 5 minutes after her last line, her session ends.
    'server: * alice left (idle)',
    '301020 alice< Bye (idle).',
  ]);
});

test('a client that gives no name in 30 s is sent away', async () => {
  await inVirtualTime(function* (connect) {
    yield* connect(new FakeClient('quiet', log));
  });
  expect(log).toEqual(['0 quiet< What is your name?', '30000 quiet< Too slow, bye.']);
});

test('shutting down: everyone is told, and a client that stops reading delays it 1 s at most', async () => {
  await inVirtualTime(function* (connect, room) {
    const alice = new FakeClient('alice', log);
    const slow = new FakeClient('slow', log);
    const sessions = [yield* connect(alice), yield* connect(slow)];
    yield* alice.type('alice');
    yield* slow.type('slow');
    slow.writeMs = 60_000; // slow stops reading
    yield* alice.type('anyone there?');
    yield* room.close('* The server is shutting down.');
    log.push('the room is closed');
    for (const task of sessions) yield* task.cancel(); // as server.close() does
  });
  expect(log).toEqual([
    '0 alice< What is your name?',
    '0 slow< What is your name?',
    '0 alice> alice',
    'server: * alice joined',
    '0 alice< * alice joined',
    '10 slow> slow',
    'server: * slow joined',
    '10 alice< * slow joined',
    '10 slow< * slow joined',
    '20 alice> anyone there?',
    // slow takes in nothing more: "alice: anyone there?" stays on its way.
    'server: * The server is shutting down.',
    '30 alice< * The server is shutting down.',
    // room.close waited 1 s for slow's outbox, in vain; then the sessions are cancelled.
    'the room is closed',
    'server: * alice left',
    '1030 alice< Bye.',
    'server: * slow left',
  ]);
});
