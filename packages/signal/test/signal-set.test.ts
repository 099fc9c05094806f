import { execFileSync } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  asyncWith,
  CancelledError,
  type Coro,
  newTask,
  run,
  sleep,
  TaskError,
  TaskTimeout,
} from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { SignalSet } from '../src/index.js';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

function kill(name: NodeJS.Signals): void {
  process.kill(process.pid, name);
}

/**
 * Counts the signals Node hands to JavaScript, with a plain process listener. Node does that
 * on its event loop, after `kill` returns: `until(n)` sleeps until `n` have arrived, so that
 * a test can end an `ignore()` knowing what arrived inside it.
 */
class Arrivals implements Disposable {
  count = 0;
  private readonly listener = (): void => {
    this.count++;
  };
  constructor(private readonly names: NodeJS.Signals[]) {
    for (const name of names) process.on(name, this.listener);
  }
  *until(n: number): Coro<void> {
    while (this.count < n) yield* sleep(1);
  }
  [Symbol.dispose](): void {
    for (const name of this.names) process.removeListener(name, this.listener);
  }
}

describe('SignalSet(...signals)', () => {
  it('takes names and numbers, without duplicates', () => {
    const set = new SignalSet('SIGUSR2', constants.signals.SIGHUP, 'SIGUSR2');
    expect(set.signals).toEqual(['SIGUSR2', 'SIGHUP']);
  });

  it('refuses unknown names and numbers, other types and an empty set', () => {
    expect(() => new SignalSet('SIGNOPE')).toThrow(
      /SignalSet\(signals\): unknown signal "SIGNOPE"/,
    );
    expect(() => new SignalSet(999)).toThrow(/SignalSet\(signals\): unknown signal number 999/);
    expect(() => new SignalSet({} as never)).toThrow(TypeError);
    expect(() => new SignalSet()).toThrow(/at least one signal/);
  });

  it('refuses SIGKILL and SIGSTOP: they cannot be caught', () => {
    expect(() => new SignalSet('SIGKILL')).toThrow(
      'SignalSet(signals): SIGKILL cannot be caught, queued or ignored (the OS always delivers it)',
    );
    expect(() => new SignalSet(constants.signals.SIGSTOP)).toThrow(/SIGSTOP cannot be caught/);
  });
});

describe('SignalSet as a context manager', () => {
  it('queues signals that arrive inside the context and hands them out in order', async () => {
    const events: string[] = [];
    function* main() {
      yield* asyncWith(new SignalSet('SIGUSR2', 'SIGHUP'), function* (sigset) {
        kill('SIGUSR2');
        yield* sleep(20);
        kill('SIGHUP');
        yield* sleep(20);
        kill('SIGUSR2');
        yield* sleep(20);
        events.push('sent 3');
        for (let i = 0; i < 3; i++) events.push(yield* sigset.wait({ timeout: 1000 }));
      });
    }
    await run(main(), { logErrors: false });
    expect(events).toEqual(['sent 3', 'SIGUSR2', 'SIGHUP', 'SIGUSR2']);
  });

  it('loses none of a burst of signals a process sends itself', async () => {
    const received: string[] = [];
    function* main() {
      yield* asyncWith(new SignalSet('SIGUSR2'), function* (sigset) {
        for (let i = 0; i < 20; i++) kill('SIGUSR2');
        for (let i = 0; i < 20; i++) received.push(yield* sigset.wait({ timeout: 1000 }));
      });
    }
    await run(main(), { logErrors: false });
    expect(received).toEqual(Array(20).fill('SIGUSR2'));
  });

  it('adds one listener inside, removes it on exit and leaves other listeners alone', async () => {
    const seen: string[] = [];
    const other = () => seen.push('other');
    process.on('SIGUSR2', other);
    const counts: number[] = [process.listenerCount('SIGUSR2')];
    try {
      function* main() {
        yield* asyncWith(new SignalSet('SIGUSR2'), function* (sigset) {
          counts.push(process.listenerCount('SIGUSR2'));
          kill('SIGUSR2');
          seen.push(yield* sigset.wait({ timeout: 1000 }));
        });
        counts.push(process.listenerCount('SIGUSR2'));
        kill('SIGUSR2');
        while (seen.length < 3) yield* sleep(1); // until Node has handed it to JavaScript
      }
      await run(main(), { logErrors: false });
    } finally {
      process.removeListener('SIGUSR2', other);
    }
    expect(counts).toEqual([1, 2, 1]);
    expect(seen).toEqual(['other', 'SIGUSR2', 'other']);
  });

  it('exits and removes its listener when the body fails', async () => {
    const before = process.listenerCount('SIGHUP');
    function* main() {
      yield* asyncWith(new SignalSet('SIGHUP'), function* () {
        throw new Error('body failed');
      });
    }
    await expect(run(main(), { logErrors: false })).rejects.toThrow('body failed');
    expect(process.listenerCount('SIGHUP')).toBe(before);
  });
});

describe('SignalSet context cancellation', () => {
  it('a task cancelled inside the context leaves it, and its listener is removed', async () => {
    const events: string[] = [];
    function* watcher() {
      yield* asyncWith(new SignalSet('SIGUSR2'), function* (sigset) {
        events.push(`inside: ${process.listenerCount('SIGUSR2')}`);
        try {
          yield* sigset.wait();
        } catch (err) {
          events.push(err instanceof CancelledError ? 'cancelled' : 'other');
          throw err;
        }
      });
    }
    function* main() {
      const task = yield* newTask(watcher());
      yield* task.cancel();
      events.push(`after: ${process.listenerCount('SIGUSR2')}`);
    }
    await run(main(), { logErrors: false });
    expect(events).toEqual(['inside: 1', 'cancelled', 'after: 0']);
  });

  it('refuses to enter a set twice', async () => {
    const sigset = new SignalSet('SIGUSR2');
    function* main() {
      yield* asyncWith(sigset, function* () {
        yield* sigset.enter();
      });
    }
    await expect(run(main(), { logErrors: false })).rejects.toThrow(
      'SignalSet.enter(): this set is already entered',
    );
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });
});

describe('SignalSet.wait', () => {
  it('outside a context catches a signal that arrives during the wait', async () => {
    const events: string[] = [];
    function* sender() {
      yield* sleep(20);
      events.push('send');
      kill('SIGUSR2');
    }
    function* main() {
      const sigset = new SignalSet('SIGUSR2');
      yield* newTask(sender());
      events.push('waiting');
      events.push(yield* sigset.wait({ timeout: 2000 }));
    }
    await run(main(), { logErrors: false });
    expect(events).toEqual(['waiting', 'send', 'SIGUSR2']);
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });

  it('raises TaskTimeout when no signal comes in time', async () => {
    function* main() {
      yield* asyncWith(new SignalSet('SIGUSR2'), function* (sigset) {
        yield* sigset.wait({ timeout: 10 });
      });
    }
    await expect(run(main(), { logErrors: false })).rejects.toBeInstanceOf(TaskTimeout);
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });

  it('is cancellable, and the cancelled wait leaves no listener behind', async () => {
    const events: string[] = [];
    function* waiter() {
      try {
        yield* new SignalSet('SIGUSR2').wait();
      } catch (err) {
        events.push(err instanceof CancelledError ? 'cancelled' : 'other error');
        throw err;
      }
    }
    function* main() {
      const task = yield* newTask(waiter());
      events.push(`listeners ${process.listenerCount('SIGUSR2')}`);
      yield* task.cancel();
      events.push(`listeners ${process.listenerCount('SIGUSR2')}`);
      try {
        yield* task.join();
      } catch (err) {
        events.push(err instanceof TaskError ? 'join: TaskError' : 'join: other');
      }
    }
    await run(main(), { logErrors: false });
    // During the wait: the set's own listener (it queues) and the kernel's (it wakes the task).
    expect(events).toEqual(['listeners 2', 'cancelled', 'listeners 0', 'join: TaskError']);
  });

  it('refuses a bad timeout', async () => {
    function* main() {
      yield* new SignalSet('SIGUSR2').wait({ timeout: 'soon' as never });
    }
    await expect(run(main(), { logErrors: false })).rejects.toThrow(
      'SignalSet.wait(options): options.timeout must be a number of milliseconds >= 0 or null, got "soon"',
    );
  });
});

describe('SignalSet.ignore', () => {
  it('installs a no-op listener per signal and removes it on dispose', () => {
    const sigset = new SignalSet('SIGUSR2', 'SIGHUP');
    const counts: number[] = [];
    {
      using ignored = sigset.ignore();
      counts.push(process.listenerCount('SIGUSR2'), process.listenerCount('SIGHUP'));
      expect(ignored.signals).toEqual(['SIGUSR2', 'SIGHUP']);
      kill('SIGUSR2'); // would end this process without the listener
    }
    counts.push(process.listenerCount('SIGUSR2'), process.listenerCount('SIGHUP'));
    expect(counts).toEqual([1, 1, 0, 0]);
  });

  it('dispose is idempotent and removes only its own listener', () => {
    const sigset = new SignalSet('SIGUSR2');
    const outer = sigset.ignore();
    const inner = sigset.ignore();
    inner[Symbol.dispose]();
    inner[Symbol.dispose]();
    expect(process.listenerCount('SIGUSR2')).toBe(1);
    outer[Symbol.dispose]();
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });

  it('drops the signals that arrive while ignored: only the later ones are delivered', async () => {
    const events: string[] = [];
    using arrivals = new Arrivals(['SIGUSR2', 'SIGHUP']);
    function* main() {
      yield* asyncWith(new SignalSet('SIGUSR2', 'SIGHUP'), function* (sigset) {
        kill('SIGHUP');
        yield* arrivals.until(1);
        {
          using _ignored = sigset.ignore();
          kill('SIGUSR2');
          kill('SIGHUP');
          kill('SIGUSR2');
          yield* arrivals.until(4);
          events.push('3 arrived while ignored');
        }
        kill('SIGUSR2');
        yield* arrivals.until(5);
        kill('SIGHUP');
        yield* arrivals.until(6);
        events.push('2 arrived after');
        for (let i = 0; i < 3; i++) events.push(yield* sigset.wait({ timeout: 1000 }));
        try {
          yield* sigset.wait({ timeout: 50 });
        } catch (err) {
          events.push(err instanceof TaskTimeout ? 'nothing more' : 'other error');
        }
      });
    }
    await run(main(), { logErrors: false });
    expect(events).toEqual([
      '3 arrived while ignored',
      '2 arrived after',
      'SIGHUP',
      'SIGUSR2',
      'SIGHUP',
      'nothing more',
    ]);
  });

  it('a wait sleeps through ignored signals and returns the next one', async () => {
    const events: string[] = [];
    const sigset = new SignalSet('SIGUSR2', 'SIGHUP');
    // Also keeps a SIGHUP that a broken wait would miss from ending the test process.
    using arrivals = new Arrivals(['SIGUSR2', 'SIGHUP']);
    function* sender() {
      yield* sleep(20);
      const ignored = sigset.ignore();
      kill('SIGUSR2');
      yield* arrivals.until(1);
      events.push('SIGUSR2 arrived while ignored');
      ignored[Symbol.dispose]();
      kill('SIGHUP');
      events.push('sent SIGHUP');
    }
    function* main() {
      yield* newTask(sender());
      events.push('waiting');
      events.push(yield* sigset.wait({ timeout: 2000 }));
    }
    await run(main(), { logErrors: false });
    expect(events).toEqual(['waiting', 'SIGUSR2 arrived while ignored', 'sent SIGHUP', 'SIGHUP']);
    // Only the counter's listeners are left.
    expect([process.listenerCount('SIGUSR2'), process.listenerCount('SIGHUP')]).toEqual([1, 1]);
  });

  it('ignored signals that wake a wait do not restart its timeout', async () => {
    let sent = 0;
    let sentBeforeTimeout = -1;
    const sigset = new SignalSet('SIGUSR2');
    function* sender() {
      using _ignored = sigset.ignore();
      for (; sent < 10; sent++) {
        yield* sleep(30);
        kill('SIGUSR2');
      }
      yield* sleep(20);
    }
    function* main() {
      const task = yield* newTask(sender());
      try {
        yield* sigset.wait({ timeout: 100 });
      } catch (err) {
        if (err instanceof TaskTimeout) sentBeforeTimeout = sent;
      }
      yield* task.join();
    }
    await run(main(), { logErrors: false });
    // About 3 at 30 ms apart; a timeout restarted at every wake-up would outlast all 10.
    expect(sentBeforeTimeout).toBeGreaterThanOrEqual(0);
    expect(sentBeforeTimeout).toBeLessThan(10);
  });

  it('an ignored signal is dropped for every SignalSet, but plain process listeners see it', async () => {
    const seen: string[] = [];
    using arrivals = new Arrivals(['SIGUSR2']);
    function* main() {
      yield* asyncWith(new SignalSet('SIGUSR2'), function* (watching) {
        {
          using _ignored = new SignalSet('SIGUSR2').ignore();
          kill('SIGUSR2');
          yield* arrivals.until(1);
        }
        kill('SIGUSR2');
        seen.push(`set: ${yield* watching.wait({ timeout: 1000 })}`);
        try {
          yield* watching.wait({ timeout: 50 });
        } catch (err) {
          seen.push(err instanceof TaskTimeout ? 'set: nothing more' : 'other error');
        }
        seen.push(`process listener: ${arrivals.count}`);
      });
    }
    await run(main(), { logErrors: false });
    expect(seen).toEqual(['set: SIGUSR2', 'set: nothing more', 'process listener: 2']);
  });

  it('nested ignores: a signal stays ignored until the last one is disposed', async () => {
    const received: string[] = [];
    using arrivals = new Arrivals(['SIGUSR2']);
    function* main() {
      yield* asyncWith(new SignalSet('SIGUSR2'), function* (sigset) {
        const outer = sigset.ignore();
        const inner = sigset.ignore();
        inner[Symbol.dispose]();
        inner[Symbol.dispose]();
        kill('SIGUSR2'); // dropped: outer still ignores it
        yield* arrivals.until(1);
        outer[Symbol.dispose]();
        kill('SIGUSR2');
        received.push(yield* sigset.wait({ timeout: 1000 }));
        try {
          yield* sigset.wait({ timeout: 50 });
        } catch (err) {
          received.push(err instanceof TaskTimeout ? 'nothing more' : 'other error');
        }
      });
    }
    await run(main(), { logErrors: false });
    expect(received).toEqual(['SIGUSR2', 'nothing more']);
  });

  it('keeps a child process alive through a SIGTERM, and the default returns after', () => {
    const script = `
      import { SignalSet } from ${JSON.stringify(dist)};
      const ignored = new SignalSet('SIGTERM').ignore();
      process.kill(process.pid, 'SIGTERM');
      setTimeout(() => {
        console.log('alive');
        ignored[Symbol.dispose]();
        process.kill(process.pid, 'SIGTERM');
        setTimeout(() => console.log('still alive'), 200);
      }, 50);
    `;
    let status: number | null = null;
    let signal: string | null = null;
    let stdout = '';
    try {
      stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
      });
    } catch (err) {
      const e = err as { status: number | null; signal: string | null; stdout: string };
      ({ status, signal, stdout } = e);
    }
    expect({ status, signal, stdout }).toEqual({
      status: null,
      signal: 'SIGTERM',
      stdout: 'alive\n',
    });
  });
});
