import { newTask, run, sleep, type TaskError, VirtualTimeSelector } from '@curio/kernel';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { Room, session } from '../src/tutorial/04-commands.js';
import { FakeClient } from './tutorial-fakes.js';
import { join, start } from './tutorial-support.js';

test('chapter 4: /who, a command it does not know, /kick and /quit', async () => {
  const server = await start('04-commands.js');
  const alice = await join(server.port, 'alice');
  const bob = await join(server.port, 'bob');
  expect(await alice.lines.next()).toBe('* bob joined');
  bob.send('/who');
  expect(await bob.lines.next()).toBe('In the room: alice, bob');
  bob.send('/dance');
  expect(await bob.lines.next()).toBe('Commands: /who, /kick NAME (not yourself), /quit');
  bob.send('/kick bob');
  expect(await bob.lines.next()).toBe('Commands: /who, /kick NAME (not yourself), /quit');
  alice.send('/kick bob');
  expect(await bob.lines.rest()).toEqual(['Bye (kicked by alice).']);
  expect(await alice.lines.next()).toBe('* bob left (kicked by alice)');
  alice.send('/quit');
  expect(await alice.lines.rest()).toEqual(['Bye.']);
  expect(await server.log.take(4)).toEqual([
    '* alice joined',
    '* bob joined',
    '* bob left (kicked by alice)',
    '* alice left',
  ]);
});

let log: string[];
beforeEach(() => {
  log = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => log.push(`server: ${line}`));
});
afterEach(() => {
  vi.restoreAllMocks();
});

test('chapter 4: a kick cancels the session where it waits; its finally still talks', async () => {
  await run(
    (function* () {
      const room = new Room();
      const alice = new FakeClient('alice', log);
      const bob = new FakeClient('bob', log);
      const aliceTask = yield* newTask(session(room, alice.reader, alice.writer));
      const bobTask = yield* newTask(session(room, bob.reader, bob.writer), { name: 'bob' });
      yield* alice.type('alice');
      yield* bob.type('bob');
      yield* sleep(1000); // bob now waits in readline, under its 5-minute idle limit
      yield* alice.type('/kick bob');
      try {
        yield* bobTask.join();
      } catch (err) {
        log.push(`bob's session ended: ${(err as TaskError).cause}`);
      }
      yield* alice.hangUp();
      yield* aliceTask.join();
    })(),
    { selector: new VirtualTimeSelector() },
  );
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
    '1020 alice> /kick bob',
    'server: * bob left (kicked by alice)',
    '1020 alice< * bob left (kicked by alice)',
    '1020 bob< Bye (kicked by alice).',
    "bob's session ended: CancelledError: bob cancelled",
    '1030 alice hangs up',
    'server: * alice left',
    '1030 alice< Bye.',
  ]);
});
