import { newTask, run, sleep, VirtualTimeSelector } from '@curio/kernel';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { limits, Room, session } from '../src/tutorial/05-backpressure.js';
import { FakeClient } from './tutorial-fakes.js';
import { join, start } from './tutorial-support.js';

let log: string[];
const outboxSize = limits.outbox;
beforeEach(() => {
  log = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => log.push(`server: ${line}`));
});
afterEach(() => {
  vi.restoreAllMocks();
  limits.outbox = outboxSize;
});

test('chapter 5: a client that stops reading fills its outbox; the sender waits 1 s, then it is dropped', async () => {
  limits.outbox = 2; // a short story: two lines fill it
  await run(
    (function* () {
      const room = new Room();
      const alice = new FakeClient('alice', log);
      const bob = new FakeClient('bob', log);
      const slow = new FakeClient('slow', log);
      const tasks = [];
      for (const client of [alice, bob, slow]) {
        const name = client.name;
        tasks.push(yield* newTask(session(room, client.reader, client.writer), { name }));
        yield* client.type(client.name);
      }
      yield* sleep(100);
      slow.writeMs = 60_000; // from now on each line takes slow a minute to take in
      for (const text of ['one', 'two', 'three', 'four', 'five']) yield* alice.type(text);
      yield* sleep(5000);
      yield* alice.hangUp();
      yield* bob.hangUp();
      yield* tasks[0].join();
      yield* tasks[1].join();
      log.push(`slow's session: ${tasks[2].excInfo}`);
    })(),
    { selector: new VirtualTimeSelector() },
  );
  expect(log).toEqual([
    '0 alice< What is your name?',
    '0 alice> alice',
    'server: * alice joined',
    '0 alice< * alice joined',
    '10 bob< What is your name?',
    '10 bob> bob',
    'server: * bob joined',
    '10 alice< * bob joined',
    '10 bob< * bob joined',
    '20 slow< What is your name?',
    '20 slow> slow',
    'server: * slow joined',
    '20 alice< * slow joined',
    '20 bob< * slow joined',
    '20 slow< * slow joined',
    // From 130 ms on, slow takes a minute per line. Its writer task takes "one" and is stuck
    // sending it; "two" and "three" fill its outbox.
    '130 alice> one',
    '130 bob< alice: one',
    '140 alice> two',
    '140 bob< alice: two',
    '150 alice> three',
    '150 bob< alice: three',
    // "four" finds slow's outbox full: alice's session waits for room, 1 s at most...
    '160 alice> four',
    '160 bob< alice: four',
    '170 alice> five',
    // ...then slow is dropped; its session's goodbye gets 1 s too (slow takes nothing in).
    'server: * slow left (too slow)',
    '1160 alice< * slow left (too slow)',
    '1160 bob< * slow left (too slow)',
    // Only then does alice's session read "five": the back-pressure reached the sender.
    '2160 bob< alice: five',
    '5180 alice hangs up',
    '5180 bob hangs up',
    'server: * alice left',
    '5180 alice< Bye.',
    'server: * bob left',
    '5180 bob< Bye.',
    "slow's session: CancelledError: slow cancelled",
  ]);
});

test('chapter 5: over real sockets, a client that stops reading is dropped; the others chat on', async () => {
  const server = await start('05-backpressure.js');
  const alice = await join(server.port, 'alice');
  const bob = await join(server.port, 'bob');
  const slow = await join(server.port, 'slow');
  for (const client of [alice, alice, bob]) await client.lines.next(); // the joins after theirs
  slow.pause(); // slow stops reading: the socket buffers fill, then its outbox
  let dropped = false;
  const serverSaysDropped = (async () => {
    for (let line = await server.log.next(); line !== null; line = await server.log.next()) {
      if (line === '* slow left (too slow)') return (dropped = true);
    }
  })();
  // alice sends 64 KiB lines until slow is gone (some MB fill the buffers on the way).
  const big = 'x'.repeat(64 * 1024);
  for (let n = 0; n < 2000 && !dropped; n++) {
    if (!alice.write(`${big}\n`)) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await serverSaysDropped;
  expect(dropped).toBe(true);
  // bob, who kept reading, gets alice's lines, the news, and the room without slow.
  const next = async () => {
    let line = await bob.lines.next();
    while (line === `alice: ${big}`) line = await bob.lines.next();
    return line;
  };
  expect(await next()).toBe('* slow left (too slow)');
  bob.send('/who');
  expect(await next()).toBe('In the room: alice, bob');
});
