import { expect, test } from 'vitest';
import { connectTo, start } from './tutorial-support.js';

test('chapter 1: each client gets its own lines back; hanging up ends its task', async () => {
  const server = await start('01-echo.js');
  const a = await connectTo(server.port);
  const b = await connectTo(server.port);
  a.send('hello from a');
  b.send('hello from b');
  a.send('again');
  expect(await a.lines.take(2)).toEqual(['hello from a', 'again']);
  expect(await b.lines.take(1)).toEqual(['hello from b']);
  a.hangUp();
  expect(await a.lines.rest()).toEqual([]); // the server closed a's connection
  b.send('still here');
  expect(await b.lines.take(1)).toEqual(['still here']);
  const log = await server.log.take(3);
  expect(log).toEqual([
    expect.stringMatching(/^connection from 127\.0\.0\.1:\d+$/),
    expect.stringMatching(/^connection from 127\.0\.0\.1:\d+$/),
    expect.stringMatching(/^connection from 127\.0\.0\.1:\d+ closed$/),
  ]);
  expect(log[2]).toBe(`${log[0]} closed`);
  // No signal handling yet: Ctrl-C ends the program the default way.
  server.kill('SIGINT');
  expect(await server.exited).toBe('SIGINT');
});
