export {
  type AsyncContextManager,
  type AsyncIterableLike,
  asyncFor,
  asyncWith,
} from './context.js';
export { CancelledError, CurioError, TaskError, TaskTimeout } from './errors.js';
export { TaskGroup } from './group.js';
export { Kernel, type KernelOptions, type MonitorFactory, type RunOptions } from './kernel.js';
export { KernelQueue } from './kqueue.js';
export { getKernel, run } from './run.js';
export { HostSelector, type Selector, VirtualTimeSelector } from './selector.js';
export { disableCancellation } from './shield.js';
export { type CancelOptions, Task, type TimeoutOptions } from './task.js';
export { ignoreAfter, timeoutAfter } from './timeout.js';
export { type Coro, Trap } from './trap.js';
export {
  cancelTask,
  currentTask,
  futureWait,
  joinTask,
  newTask,
  type ReadinessSource,
  type RescheduleOptions,
  readWait,
  rescheduleTasks,
  type SignalSetLike,
  type SpawnOptions,
  type StreamLike,
  sigunwatch,
  sigwait,
  sigwatch,
  sleep,
  type WaitSource,
  waitOnQueue,
  writeWait,
} from './traps.js';
