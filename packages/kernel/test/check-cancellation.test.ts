import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  type Coro,
  checkCancellation,
  disableCancellation,
  newTask,
  sleep,
  TaskTimeout,
  timeoutAfter,
} from '../src/index.js';
import { now, vrun } from './helpers.js';

/**
 * A consumer whose only blocking happens while it handles an item, inside
 * disableCancellation (like a consumer of a queue that never runs dry: `get()` does not
 * block). `check`: let a held-back cancel in after each item.
 */
function* consumer(events: string[], items: string[], check: boolean): Coro<void> {
  try {
    for (const item of items) {
      yield* disableCancellation(sleep(10)); // finish the item, even when cancelled
      events.push(`${item} done at ${yield* now()}`);
      if (check) yield* checkCancellation();
    }
    events.push('consumer ran out of items');
    yield* sleep(0); // the first blocking call: a held-back cancel lands here at the latest
  } catch (err) {
    events.push(`consumer ${(err as Error).name} at ${yield* now()}`);
    throw err;
  }
}

function* cancelAt(events: string[], ms: number, coro: Coro<void>): Coro<void> {
  const t = yield* newTask(coro);
  yield* sleep(ms);
  events.push(`cancel at ${yield* now()}`);
  yield* t.cancel();
  events.push(`cancel returned at ${yield* now()}`);
}

describe('checkCancellation', () => {
  it('finish the item, then let the cancel in: raised after the item in hand', async () => {
    const events: string[] = [];
    await vrun(cancelAt(events, 15, consumer(events, ['a', 'b', 'c', 'd'], true)));
    expect(events).toEqual([
      'a done at 10',
      'cancel at 15',
      'b done at 20',
      'consumer CancelledError at 20',
      'cancel returned at 20',
    ]);
  });

  it('without it, the held-back cancel waits for the loop’s next blocking call', async () => {
    const events: string[] = [];
    await vrun(cancelAt(events, 15, consumer(events, ['a', 'b', 'c', 'd'], false)));
    expect(events).toEqual([
      'a done at 10',
      'cancel at 15',
      'b done at 20',
      'c done at 30',
      'd done at 40',
      'consumer ran out of items',
      'consumer CancelledError at 40',
      'cancel returned at 40',
    ]);
  });

  it('with nothing pending it returns undefined without a task switch', async () => {
    const events: string[] = [];
    function* other() {
      yield* sleep(0);
      events.push('other ran');
    }
    function* main() {
      yield* newTask(other()); // other is now behind main in the ready queue
      events.push(`check gave ${yield* checkCancellation()}`);
      events.push('main goes on');
      yield* sleep(0);
    }
    await vrun(main());
    expect(events).toEqual(['check gave undefined', 'main goes on', 'other ran']);
  });

  it('inside disableCancellation it returns the held-back cancel without raising or clearing it', async () => {
    const events: string[] = [];
    function* shielded() {
      yield* disableCancellation(
        (function* () {
          events.push(`before the cancel: ${yield* checkCancellation()}`);
          yield* sleep(10);
          const held = yield* checkCancellation();
          events.push(`held back: ${(held as Error).name}: ${(held as Error).message}`);
          events.push(`still held: ${(yield* checkCancellation()) === held}`);
        })(),
      );
      try {
        yield* checkCancellation();
        events.push('not raised');
      } catch (err) {
        events.push(`after the block: ${err instanceof CancelledError}`);
        throw err;
      }
    }
    await vrun(cancelAt(events, 5, shielded()));
    expect(events.map((e) => e.replace(/task-\d+/, 'task-N'))).toEqual([
      'before the cancel: undefined',
      'cancel at 5',
      'held back: CancelledError: task-N cancelled',
      'still held: true',
      'after the block: true',
      'cancel returned at 10',
    ]);
  });

  it('an expired timeoutAfter deadline: held back (returned) inside the shield, raised after it', async () => {
    const events: string[] = [];
    function* main() {
      try {
        yield* timeoutAfter(
          10,
          (function* () {
            yield* disableCancellation(
              (function* () {
                yield* sleep(20); // the deadline passes here, held back
                const held = yield* checkCancellation();
                events.push(`inside at ${yield* now()}: ${(held as Error).name}`);
              })(),
            );
            events.push('after the block');
            yield* checkCancellation();
            events.push('not raised');
          })(),
        );
      } catch (err) {
        events.push(`${(err as Error).name}: ${(err as Error).message} at ${yield* now()}`);
      }
      events.push(`no deadline now: ${yield* checkCancellation()}`);
    }
    await vrun(main());
    expect(events).toEqual([
      'inside at 20: TaskTimeout',
      'after the block',
      'TaskTimeout: timeoutAfter: timed out after 10 ms at 20',
      'no deadline now: undefined',
    ]);
  });

  it('a deadline not yet passed is nothing to report', async () => {
    function* main() {
      return yield* timeoutAfter(
        100,
        (function* () {
          yield* sleep(10);
          const outside = yield* checkCancellation();
          const inside = yield* disableCancellation(checkCancellation());
          return [outside, inside, TaskTimeout.name];
        })(),
      );
    }
    expect(await vrun(main())).toEqual([undefined, undefined, 'TaskTimeout']);
  });
});
