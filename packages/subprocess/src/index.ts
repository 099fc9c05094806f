export { CalledProcessError, TimeoutExpired } from './errors.js';
export { Popen, type PopenOptions } from './popen.js';
export {
  type CheckOutputOptions,
  CompletedProcess,
  checkOutput,
  type RunOptions,
  run,
} from './run.js';
export { DEVNULL, PIPE, STDOUT, type StdioOption } from './stdio.js';
