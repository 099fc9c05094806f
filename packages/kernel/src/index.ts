export type { Activation } from './activations.js';
export {
  type AsyncContextManager,
  type AsyncIterableLike,
  asyncFor,
  asyncWith,
} from './context.js';
export {
  type DebugOptions,
  type LongblockOptions,
  logcrash,
  longblock,
  schedtrace,
  traptrace,
} from './debug.js';
export { CancelledError, CurioError, TaskError, TaskTimeout } from './errors.js';
export { explain } from './explain.js';
export { futureWait } from './future.js';
export { TaskGroup, type TaskGroupOptions, type WaitPolicy } from './group.js';
export {
  type ReadinessSource,
  readWait,
  type StreamLike,
  type WaitSource,
  writeWait,
} from './io-wait.js';
export { Kernel } from './kernel.js';
export { KernelQueue } from './kqueue.js';
export { TaskLocal } from './local.js';
export type { MonitorFactory } from './monitor-loader.js';
export type { KernelOptions, RunOptions } from './options.js';
export { type RescheduleOptions, rescheduleTasks, waitOnQueue } from './queue-wait.js';
export { gather, race } from './race.js';
export { run } from './run.js';
export { HostSelector, type Selector, VirtualTimeSelector } from './selector.js';
export { checkCancellation, disableCancellation } from './shield.js';
export { type SignalSetLike, sigunwatch, sigwait, sigwatch } from './signals.js';
export type { SubmitOptions } from './submit.js';
export { type CancelOptions, Task, type TimeoutOptions } from './task.js';
export { ignoreAfter, timeoutAfter } from './timeout.js';
export { type Coro, Trap } from './trap.js';
export {
  cancelTask,
  currentTask,
  getKernel,
  joinTask,
  newTask,
  type SpawnOptions,
  sleep,
} from './traps.js';
