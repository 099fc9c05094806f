import { spawn } from 'node:child_process';
import { expect, test } from 'vitest';
import { cookbookDist } from './cookbook-support.js';

test.each(['SIGINT', 'SIGTERM'] as const)(
  'graceful shutdown: %s cancels the workers, each cleans up, exit 0',
  async (signal) => {
    const child = spawn(process.execPath, [`${cookbookDist}graceful-shutdown.js`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let sent = false;
    const ended = new Promise<[number | null, string | null]>((resolve) =>
      child.on('close', (code, killedBy) => resolve([code, killedBy])),
    );
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!sent && out.includes('press Ctrl-C to stop')) sent = child.kill(signal);
    });
    expect(await ended).toEqual([0, null]);
    expect(out.trim().split('\n')).toEqual([
      'worker 1: started',
      'worker 2: started',
      'worker 3: started',
      'running; press Ctrl-C to stop',
      `${signal}: shutting down`,
      'worker 1: cleaned up',
      'worker 2: cleaned up',
      'worker 3: cleaned up',
      'stopped cleanly',
    ]);
  },
);
