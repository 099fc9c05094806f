import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const worker = fileURLToPath(new URL('./fixtures/cluster-listen.mjs', import.meta.url));

describe('Socket.listen in node:cluster workers', () => {
  it('goes through the primary: every worker listening on 127.0.0.1:0 shares one port', async () => {
    cluster.setupPrimary({ exec: worker, silent: false });
    const workers: Worker[] = [cluster.fork(), cluster.fork()];
    try {
      const ports = await Promise.all(
        workers.map(async (w) => ((await once(w, 'message')) as [{ port: number }])[0].port),
      );
      expect(ports[0]).toBeGreaterThan(0);
      expect(ports[1]).toBe(ports[0]);
    } finally {
      for (const w of workers) w.send('stop');
      await Promise.all(workers.map((w) => once(w, 'exit')));
    }
  });
});
