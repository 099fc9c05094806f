// The kernel's timer heap against a plain model: random inserts, withdrawals and pops must
// come out in (deadline, insert order), through the deadline array's growth and shrinking.
import { describe, expect, it } from 'vitest';
import { TimerHeap } from '../src/structures.js';
import { type Task, TimerSlot } from '../src/task.js';

// Deterministic pseudo-random numbers in [0, 1) (mulberry32).
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Entry {
  slot: TimerSlot;
  deadline: number;
  order: number;
}

function slot(name: number): TimerSlot {
  return new TimerSlot({ id: name } as unknown as Task);
}

// The model: the entries in the heap, the earliest (then the first inserted) first.
function earliest(model: Entry[]): Entry {
  return model.reduce((a, b) =>
    b.deadline < a.deadline || (b.deadline === a.deadline && b.order < a.order) ? b : a,
  );
}

describe('TimerHeap', () => {
  it('pops by deadline, equal deadlines in insert order', () => {
    const heap = new TimerHeap();
    const deadlines = [5, 1, 3, 1, 5, 0];
    const slots = deadlines.map((_, i) => slot(i));
    for (const [i, s] of slots.entries()) heap._insert(s, deadlines[i]!);
    expect(heap._size).toBe(6);
    expect(heap._peekDeadline()).toBe(0);
    const popped: number[] = [];
    for (let s = heap._pop(); s !== undefined; s = heap._pop()) {
      expect(s._index).toBe(-1);
      popped.push(slots.indexOf(s));
    }
    expect(popped).toEqual([5, 1, 3, 2, 0, 4]);
    expect(heap._peekDeadline()).toBe(Infinity);
    expect(heap._size).toBe(0);
  });

  it('withdraws a slot from anywhere; withdrawing one not in the heap does nothing', () => {
    const heap = new TimerHeap();
    const slots = Array.from({ length: 10 }, (_, i) => slot(i));
    for (const [i, s] of slots.entries()) heap._insert(s, 10 - i); // slot 9 is the earliest
    heap._remove(slots[9]!); // the top
    heap._remove(slots[4]!); // the middle
    heap._remove(slots[0]!); // the latest
    heap._remove(slots[4]!); // no longer in the heap
    expect(slots[4]!._index).toBe(-1);
    const popped: number[] = [];
    for (let s = heap._pop(); s !== undefined; s = heap._pop()) popped.push(slots.indexOf(s));
    expect(popped).toEqual([8, 7, 6, 5, 3, 2, 1]);
  });

  it('a withdrawn slot can be inserted again, behind the equal deadlines already there', () => {
    const heap = new TimerHeap();
    const [a, b, c] = [slot(0), slot(1), slot(2)];
    heap._insert(a, 7);
    heap._insert(b, 7);
    heap._remove(a);
    heap._insert(c, 7);
    heap._insert(a, 7);
    expect([heap._pop(), heap._pop(), heap._pop(), heap._pop()]).toEqual([b, c, a, undefined]);
  });

  it('matches a plain model over random operations, through growth and shrinking', () => {
    // 40 runs of 2000 operations: the heap grows past several capacities (to ~600 entries),
    // then drains, shrinking its deadline array on the way down. Checked with plain
    // comparisons (the first mismatch of each run is kept), asserted once at the end.
    const mismatches: string[] = [];
    for (let run = 0; run < 40; run++) {
      const next = random(run + 1);
      const heap = new TimerHeap();
      let model: Entry[] = [];
      let order = 0;
      let mismatch: string | undefined;
      for (let op = 0; op < 2000 && mismatch === undefined; op++) {
        const draining = op >= 1200;
        const r = next();
        if (!draining && r < 0.75) {
          // Few distinct deadlines: ties are common, as with a virtual clock.
          const entry = { slot: slot(order), deadline: Math.floor(next() * 50), order: order++ };
          heap._insert(entry.slot, entry.deadline);
          model.push(entry);
        } else if (r < (draining ? 0.5 : 0.875) && model.length > 0) {
          const entry = model[Math.floor(next() * model.length)]!;
          heap._remove(entry.slot);
          model = model.filter((e) => e !== entry);
        } else if (model.length > 0) {
          const want = earliest(model);
          const deadline = heap._peekDeadline();
          if (deadline !== want.deadline || heap._pop() !== want.slot) {
            mismatch = `run ${run}, op ${op}: popped deadline ${deadline}, want ${want.deadline} (insert ${want.order})`;
          }
          model = model.filter((e) => e !== want);
        }
        if (heap._size !== model.length) mismatch ??= `run ${run}, op ${op}: size ${heap._size}`;
      }
      const rest: TimerSlot[] = [];
      for (let s = heap._pop(); s !== undefined; s = heap._pop()) rest.push(s);
      const sorted = [...model].sort((a, b) => a.deadline - b.deadline || a.order - b.order);
      if (mismatch === undefined && rest.some((s, i) => s !== sorted[i]?.slot)) {
        mismatch = `run ${run}: drained out of order`;
      }
      if (mismatch !== undefined) mismatches.push(mismatch);
    }
    expect(mismatches).toEqual([]);
  });
});
