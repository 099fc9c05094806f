import { describe, expect, it } from 'vitest';
import {
  newTask,
  run,
  type SignalSetLike,
  sigunwatch,
  sigwait,
  sigwatch,
  sleep,
} from '../src/index.js';
import { catching } from './helpers.js';

const listeners = (sig: string) => process.listenerCount(sig);

describe('signal traps', () => {
  it('queues watched signals and hands them out one at a time', async () => {
    const set: SignalSetLike = { signals: ['SIGUSR1', 'SIGUSR2'] };
    const before = listeners('SIGUSR1');
    function* main() {
      yield* sigwatch(set);
      process.kill(process.pid, 'SIGUSR1');
      yield* sleep(20);
      process.kill(process.pid, 'SIGUSR2');
      yield* sleep(20);
      const got = [yield* sigwait(set), yield* sigwait(set)];
      const during = listeners('SIGUSR1');
      yield* sigunwatch(set);
      return { got, during };
    }
    const { got, during } = await run(main());
    expect(got).toEqual(['SIGUSR1', 'SIGUSR2']);
    expect(during).toBe(before + 1);
    expect(listeners('SIGUSR1')).toBe(before);
  });

  it('sigwait blocks until a signal arrives; without sigwatch it watches only meanwhile', async () => {
    const set: SignalSetLike = { signals: ['SIGUSR2'] };
    const events: string[] = [];
    function* main() {
      const t = yield* newTask(sigwait(set));
      events.push(`${t.state} listening ${listeners('SIGUSR2') > 0}`);
      process.kill(process.pid, 'SIGUSR2');
      events.push(`got ${yield* t.join()}`);
      events.push(`listening after ${listeners('SIGUSR2')}`);
    }
    await run(main());
    expect(events).toEqual(['SIGNAL_WAIT listening true', 'got SIGUSR2', 'listening after 0']);
  });

  it('times out and is cancellable, removing its listener', async () => {
    const set: SignalSetLike = { signals: ['SIGUSR2'] };
    function* main() {
      const err = yield* catching(sigwait(set, { timeout: 5 }));
      expect((err as Error).message).toBe('SIGNAL_WAIT timed out');
      const t = yield* newTask(sigwait(set));
      yield* t.cancel();
      return [(err as Error).name, (t.excInfo as Error).name, listeners('SIGUSR2')];
    }
    expect(await run(main(), { logErrors: false })).toEqual(['TaskTimeout', 'CancelledError', 0]);
  });

  it('bad signal sets are refused', async () => {
    function* main() {
      return [
        yield* catching(sigwatch({ signals: ['USR1'] })),
        yield* catching(sigwait({} as never)),
      ].map((e) => (e as Error).message);
    }
    expect(await run(main())).toEqual([
      'sigwatch(sigset): sigset.signals must be an array of signal names like \'SIGUSR1\', got ["USR1"]',
      "sigwait(sigset): sigset.signals must be an array of signal names like 'SIGUSR1', got undefined",
    ]);
  });
});
