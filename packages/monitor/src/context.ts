// What the monitor's tasks share.
import type { Kernel, Task } from '@curio/kernel';
import type { Commands } from './commands.js';
import type { MonitorAddress } from './endpoint.js';

/** State shared by the monitor task and its helper tasks. */
export interface MonitorContext {
  readonly kernel: Kernel;
  readonly commands: Commands;
  /** The monitor's own tasks (the monitor, its helpers, its console sessions). */
  readonly own: Set<Task>;
  /** Tell the person running the program about a problem of the monitor (stderr). */
  report(message: string): void;
  readonly onListening: ((address: MonitorAddress) => void) | undefined;
}
