import type { ReadinessSource } from '@curio/kernel';

/** The canceller of a wait that never parked. @internal */
export function noop(): void {}

/**
 * A readiness source that one task at a time may wait to read (curio's rule for a socket):
 * the base of `Inbox` and `Channel`. A subclass says when a read would make progress
 * (`readyNow`) and calls `notify()` whenever that may have become true.
 * Invariant: `wake` is set only while a task is parked here, and at most one is.
 * @internal
 */
export abstract class SingleWaiter implements ReadinessSource {
  private wake: ((now?: boolean) => void) | null = null;
  // One canceller for every wait: the kernel withdraws only a wait still parked, and only
  // one is parked at a time.
  private readonly withdraw = (): void => {
    this.wake = null;
  };

  /** True when a read would make progress now (something queued, end of file, an error). */
  protected abstract readyNow(): boolean;

  /** True while a task waits here (a second one may not). */
  get busy(): boolean {
    return this.wake !== null;
  }

  /** Readiness source protocol (`readWait(this)`). */
  onReadable(wake: (now?: boolean) => void): () => void {
    if (this.readyNow()) {
      wake();
      return noop;
    }
    this.wake = wake;
    return this.withdraw;
  }

  /**
   * Wake the waiting task, if any: its one wake (`now`: at once, see the kernel's
   * ReadinessSource). True if a task was waiting.
   */
  protected notify(now = false): boolean {
    const wake = this.wake;
    if (wake === null) return false;
    this.wake = null;
    wake(now);
    return true;
  }
}
