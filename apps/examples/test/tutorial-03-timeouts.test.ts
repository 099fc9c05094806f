import { type Coro, newTask, run, sleep, VirtualTimeSelector } from '@curio/kernel';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { limits, Room, session } from '../src/tutorial/03-timeouts.js';
import { FakeClient } from './tutorial-fakes.js';
import { join, start } from './tutorial-support.js';

// The time limits are minutes long: these run in virtual time, where they pass at once.
let log: string[];
beforeEach(() => {
  log = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => log.push(`server: ${line}`));
});
afterEach(() => {
  vi.restoreAllMocks();
});

function inVirtualTime(scenario: (room: Room) => Coro<void>): Promise<void> {
  return run(scenario(new Room()), { selector: new VirtualTimeSelector() });
}

test('chapter 3: a client that gives no name in 30 s is sent away', async () => {
  await inVirtualTime(function* (room) {
    const quiet = new FakeClient('quiet', log);
    const task = yield* newTask(session(room, quiet.reader, quiet.writer));
    yield* task.join();
  });
  expect(limits.nameMs).toBe(30_000);
  expect(log).toEqual(['0 quiet< What is your name?', '30000 quiet< Too slow, bye.']);
});

test('chapter 3: the 30 s cover every name tried; a name in time joins', async () => {
  await inVirtualTime(function* (room) {
    const alice = new FakeClient('alice', log);
    const bob = new FakeClient('bob', log);
    const aliceTask = yield* newTask(session(room, alice.reader, alice.writer));
    yield* alice.type('alice');
    const bobTask = yield* newTask(session(room, bob.reader, bob.writer));
    yield* sleep(20_000);
    yield* bob.type('alice');
    yield* sleep(9_980); // bob's 30 s end at 30010
    yield* bob.type('bob');
    yield* alice.hangUp();
    yield* bob.hangUp();
    yield* aliceTask.join();
    yield* bobTask.join();
  });
  expect(log).toEqual([
    '0 alice< What is your name?',
    '0 alice> alice',
    'server: * alice joined',
    '0 alice< * alice joined',
    '10 bob< What is your name?',
    '20010 bob> alice',
    '20010 bob< Sorry, "alice" is taken.',
    '20010 bob< What is your name?',
    '30000 bob> bob',
    'server: * bob joined',
    '30000 alice< * bob joined',
    '30000 bob< * bob joined',
    '30010 alice hangs up',
    'server: * alice left',
    '30010 bob< * alice left',
    '30010 bob hangs up',
    'server: * bob left',
  ]);
});

test('chapter 3: a member silent for 5 minutes is sent away; each line restarts the clock', async () => {
  await inVirtualTime(function* (room) {
    const alice = new FakeClient('alice', log);
    const bob = new FakeClient('bob', log);
    const tasks = [
      yield* newTask(session(room, alice.reader, alice.writer)),
      yield* newTask(session(room, bob.reader, bob.writer)),
    ];
    yield* alice.type('alice');
    yield* bob.type('bob');
    yield* sleep(200_000);
    yield* bob.type('still here');
    for (const task of tasks) yield* task.join();
  });
  expect(limits.idleMs).toBe(300_000);
  expect(log).toEqual([
    '0 alice< What is your name?',
    '0 bob< What is your name?',
    '0 alice> alice',
    'server: * alice joined',
    '0 alice< * alice joined',
    '10 bob> bob',
    'server: * bob joined',
    '10 alice< * bob joined',
    '10 bob< * bob joined',
    '200020 bob> still here',
    '200020 alice< bob: still here',
    '300000 alice< You have been quiet for too long, bye.',
    'server: * alice left (idle)',
    '300000 bob< * alice left (idle)',
    '500020 bob< You have been quiet for too long, bye.',
    'server: * bob left (idle)',
  ]);
});

test('chapter 3: the program serves real clients as chapter 2 did', async () => {
  const server = await start('03-timeouts.js');
  const alice = await join(server.port, 'alice');
  const bob = await join(server.port, 'bob');
  expect(await alice.lines.next()).toBe('* bob joined');
  bob.send('hello');
  expect(await alice.lines.next()).toBe('bob: hello');
  bob.hangUp();
  expect(await alice.lines.next()).toBe('* bob left');
});
