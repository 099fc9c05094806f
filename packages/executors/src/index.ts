export type { Callable, ModuleFunction, SourceFunction } from './callable.js';
export { WorkerFailed } from './errors.js';
export type { Executor } from './executor.js';
export {
  runBlocking,
  runCpuBound,
  runInExecutor,
  setBlockingExecutor,
  setCpuExecutor,
  shutdownExecutors,
} from './run.js';
export { WorkerExecutor, type WorkerExecutorOptions } from './worker-executor.js';
