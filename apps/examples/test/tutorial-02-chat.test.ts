import { expect, test } from 'vitest';
import { connectTo, join, start } from './tutorial-support.js';

test('chapter 2: names, lines to everyone else, joins and departures announced', async () => {
  const server = await start('02-chat.js');
  const alice = await join(server.port, 'alice');
  const bob = await connectTo(server.port);
  expect(await bob.lines.next()).toBe('What is your name?');
  bob.send('alice');
  expect(await bob.lines.take(2)).toEqual(['Sorry, "alice" is taken.', 'What is your name?']);
  bob.send('bob');
  expect(await bob.lines.next()).toBe('* bob joined');
  expect(await alice.lines.next()).toBe('* bob joined');
  alice.send('hi bob');
  expect(await bob.lines.next()).toBe('alice: hi bob');
  bob.send('hi alice');
  expect(await alice.lines.next()).toBe('bob: hi alice');
  bob.hangUp();
  expect(await alice.lines.next()).toBe('* bob left');
  expect(await bob.lines.rest()).toEqual([]);
  expect(await server.log.take(3)).toEqual(['* alice joined', '* bob joined', '* bob left']);
  server.kill('SIGINT');
  expect(await server.exited).toBe('SIGINT');
});
