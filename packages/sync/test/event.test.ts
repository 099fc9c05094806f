import { CancelledError, newTask, sleep, TaskTimeout } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/index.js';
import { runVirtual } from './helpers.js';

describe('Event', () => {
  it('set wakes every waiter in the order they waited, then the setter', async () => {
    const events: string[] = [];
    const evt = new Event();
    function* waiter(name: string) {
      events.push(`${name} waits`);
      yield* evt.wait();
      events.push(`${name} runs`);
    }
    await runVirtual(function* () {
      const tasks = [];
      for (const name of ['a', 'b', 'c']) tasks.push(yield* newTask(waiter(name)));
      expect(evt.isSet()).toBe(false);
      events.push('set');
      yield* evt.set();
      events.push('after set');
      for (const t of tasks) yield* t.join();
    });
    expect(evt.isSet()).toBe(true);
    expect(events).toEqual([
      'a waits',
      'b waits',
      'c waits',
      'set',
      'a runs',
      'b runs',
      'c runs',
      'after set',
    ]);
  });

  it('set is a switch point even with no waiter', async () => {
    const events: string[] = [];
    const evt = new Event();
    await runVirtual(function* () {
      const other = yield* newTask(
        (function* () {
          events.push('other 1');
          yield* sleep(0);
          events.push('other 2');
        })(),
      );
      events.push('set');
      yield* evt.set();
      events.push('after set');
      yield* other.join();
    });
    expect(events).toEqual(['other 1', 'set', 'other 2', 'after set']);
  });

  it('wait on a set event returns at once without a switch; clear makes it block again', async () => {
    const events: string[] = [];
    const evt = new Event();
    await runVirtual(function* () {
      yield* evt.set();
      const other = yield* newTask(
        (function* () {
          events.push('other 1');
          yield* sleep(0);
          events.push('other 2');
        })(),
      );
      yield* evt.wait();
      events.push('waited');
      evt.clear();
      expect(evt.isSet()).toBe(false);
      yield* other.join();
      const late = yield* newTask(evt.wait());
      yield* sleep(5);
      events.push(`late ${late.state}`);
      yield* evt.set();
      yield* late.join();
      events.push('late done');
    });
    expect(events).toEqual(['other 1', 'waited', 'other 2', 'late EVENT_WAIT', 'late done']);
  });

  it('wait raises TaskTimeout after timeout ms and leaves no waiter behind', async () => {
    const events: string[] = [];
    const evt = new Event();
    await runVirtual(function* () {
      const t = yield* newTask(
        (function* () {
          try {
            yield* evt.wait({ timeout: 10 });
          } catch (err) {
            events.push(`timeout ${err instanceof TaskTimeout}`);
          }
        })(),
      );
      yield* t.join();
      const kept = yield* newTask(evt.wait({ timeout: 100 }));
      yield* evt.set();
      yield* kept.join();
      events.push('second waiter woken');
    });
    expect(events).toEqual(['timeout true', 'second waiter woken']);
  });

  it('a cancelled waiter raises CancelledError; the others still wake', async () => {
    const events: string[] = [];
    const evt = new Event();
    function* waiter(name: string) {
      try {
        yield* evt.wait();
        events.push(`${name} woke`);
      } catch (err) {
        events.push(`${name} ${(err as Error).name}`);
        throw err;
      }
    }
    await runVirtual(function* () {
      const a = yield* newTask(waiter('a'));
      const b = yield* newTask(waiter('b'));
      yield* a.cancel();
      yield* evt.set();
      yield* b.join();
      expect(a.excInfo).toBeInstanceOf(CancelledError);
    });
    expect(events).toEqual(['a CancelledError', 'b woke']);
  });

  it('rejects bad options with a clear error', async () => {
    const evt = new Event();
    await runVirtual(function* () {
      expect(() => evt.wait({ timeout: -1 }).next()).toThrow(
        'Event.wait(options): options.timeout must be a number of milliseconds >= 0 or null, got -1',
      );
      expect(() => evt.wait({ timeout: 'x' as never }).next()).toThrow(TypeError);
      expect(() => evt.wait(5 as never).next()).toThrow(
        'Event.wait(options): options must be an object like { timeout }, got 5',
      );
      yield* sleep(0);
    });
  });
});
