import { host, hostNow } from './host.js';

/**
 * The kernel's source of time and of timer wake-ups. The default, {@link HostSelector},
 * uses the host's clock and timers; {@link VirtualTimeSelector} runs sleeps and timeouts
 * in virtual time for tests.
 */
export interface Selector {
  /** The current time in milliseconds. */
  now(): number;
  /**
   * The kernel has nothing ready. Arrange to call `wake` at `deadline` (Infinity: never),
   * unless `cancelWait` comes first. `externalWaits` counts tasks waiting on I/O, promises or
   * signals. Return true if the clock has already moved to `deadline` (the kernel goes on).
   */
  wait(deadline: number, externalWaits: number, wake: () => void): boolean;
  /** The kernel was woken by something else: withdraw the pending `wait`. */
  cancelWait(): void;
}

/** The default selector: the host's monotonic clock and one host timer at a time. */
export class HostSelector implements Selector {
  #timer: unknown = undefined;

  now(): number {
    return hostNow();
  }

  wait(deadline: number, _externalWaits: number, wake: () => void): boolean {
    this.cancelWait();
    if (deadline !== Infinity) {
      const delay = Math.max(0, Math.ceil(deadline - hostNow()));
      this.#timer = host.setTimeout(() => {
        this.#timer = undefined;
        wake();
      }, delay);
    }
    return false;
  }

  cancelWait(): void {
    if (this.#timer !== undefined) {
      host.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}

/**
 * Virtual time for deterministic tests. The clock starts at 0 and stands still while tasks
 * run; when every task is blocked and none waits on I/O, a promise or a signal, it jumps to
 * the next deadline at once. While something external is pending, virtual time follows
 * real time up to the next deadline, so a timeout on real I/O still fires.
 * @example
 * ```ts run
 * import { Kernel, sleep, VirtualTimeSelector } from '@curio/kernel';
 *
 * function* main() {
 *   yield* sleep(60_000); // instant: the clock jumps to the next deadline
 *   return 'a minute later';
 * }
 *
 * const kernel = new Kernel({ selector: new VirtualTimeSelector() });
 * console.log(await kernel.run(main()), kernel.selector.now()); // a minute later 60000
 * await kernel.shutdown();
 * ```
 */
export class VirtualTimeSelector implements Selector {
  private time: number;
  #timer: unknown = undefined;

  constructor(options?: { start?: number }) {
    this.time = options?.start ?? 0;
  }

  now(): number {
    return this.time;
  }

  wait(deadline: number, externalWaits: number, wake: () => void): boolean {
    this.cancelWait();
    if (deadline === Infinity) return false;
    if (externalWaits === 0) {
      if (deadline > this.time) this.time = deadline;
      return true;
    }
    this.#timer = host.setTimeout(
      () => {
        this.#timer = undefined;
        if (deadline > this.time) this.time = deadline;
        wake();
      },
      Math.max(0, Math.ceil(deadline - this.time)),
    );
    return false;
  }

  cancelWait(): void {
    if (this.#timer !== undefined) {
      host.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}
