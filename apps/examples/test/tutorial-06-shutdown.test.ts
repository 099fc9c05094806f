import { expect, test } from 'vitest';
import { connectTo, join, start } from './tutorial-support.js';

test('chapter 6: Ctrl-C tells everyone, lets the outboxes empty, ends every session, exits 0', async () => {
  const server = await start('06-shutdown.js');
  const alice = await join(server.port, 'alice');
  const bob = await join(server.port, 'bob');
  expect(await alice.lines.next()).toBe('* bob joined');
  const naming = await connectTo(server.port); // still at the name prompt
  expect(await naming.lines.next()).toBe('What is your name?');
  server.kill('SIGINT');
  expect(await alice.lines.rest()).toEqual(['* The server is shutting down.', 'Bye.']);
  expect(await bob.lines.rest()).toEqual(['* The server is shutting down.', 'Bye.']);
  expect(await naming.lines.rest()).toEqual([]);
  expect(await server.exited).toBe(0);
  expect(await server.log.rest()).toEqual([
    '* alice joined',
    '* bob joined',
    'Ctrl-C: shutting down',
    '* The server is shutting down.',
    '* alice left',
    '* bob left',
    'server stopped',
  ]);
});

test('chapter 6: Ctrl-C with nobody connected', async () => {
  const server = await start('06-shutdown.js');
  server.kill('SIGINT');
  expect(await server.exited).toBe(0);
  expect(await server.log.rest()).toEqual([
    'Ctrl-C: shutting down',
    '* The server is shutting down.',
    'server stopped',
  ]);
});
