// Monitor benchmarks: what the monitor costs per task switch, off and on.
import { type Coro, Kernel, newTask, sleep } from '@curio/kernel';
import { createMonitor } from '@curio/monitor';
import { now, perSecond, type Workload } from '../harness.js';

// Iterations per task: ~0.3-1 s per run each. With the monitor on every trap call captures a
// stack (tens of microseconds), so that system runs fewer.
const SWITCH_N = { off: 1_000_000, on: 50_000 };

function* switcher(n: number): Coro<void> {
  for (let i = 0; i < n; i++) yield* sleep(0);
}

function* switchMain(n: number): Coro<void> {
  const a = yield* newTask(switcher(n));
  const b = yield* newTask(switcher(n));
  yield* a.join();
  yield* b.join();
}

/** Two tasks looping sleep(0) `n` times on `kernel`; switches per second. */
async function switches(kernel: Kernel, n: number): Promise<number> {
  const t0 = now();
  await kernel.run(switchMain(n));
  const rate = perSecond(2 * n, now() - t0);
  await kernel.shutdown();
  return rate;
}

const monitorSwitch: Workload = {
  name: 'monitor-switch',
  title: '2 tasks looping sleep(0): monitor off vs on (TCP console idle)',
  unit: 'switches/s',
  target: 'off: no cost (same as kernel-switch); on: reported per switch',
  systems: {
    // The monitor off: the kernel's only cost is one flag test per step.
    curio: () => switches(new Kernel(), SWITCH_N.off),
    // The monitor on: a stack capture per trap call (Task.where) and two clock reads per step
    // (Task.runTime), with the console listening on a free loopback port.
    'curio-monitor-on': () =>
      switches(
        new Kernel({ withMonitor: createMonitor({ port: 0, interactive: false }) }),
        SWITCH_N.on,
      ),
  },
};

export const workloads: Workload[] = [monitorSwitch];
