// runServer's `workers`: serving from several processes with node:cluster. The primary forks
// the workers and supervises them; each worker runs the program again, and its runServer
// listens through the primary's shared socket and serves until the primary asks it to stop.
import cluster, { type Address as ClusterAddress, type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { Address } from '@curio/io';
import { type Coro, CurioError, disableCancellation, futureWait } from '@curio/kernel';
import { describe } from './validate.js';

// The message a primary sends a worker to stop: its runServer closes the server and returns.
const STOP = 'curio:net:stop';
// How long a worker asked to stop may take to exit before it is killed (SIGKILL).
const STOP_GRACE_MS = 10_000;

/** `options.workers`: undefined, or an integer >= 1. @internal */
export function checkWorkers(fn: string, workers: unknown): number | undefined {
  if (workers === undefined) return undefined;
  if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1) {
    throw new TypeError(
      `${fn}: options.workers must be an integer >= 1 (os.availableParallelism() for one per core), got ${describe(workers)}`,
    );
  }
  return workers;
}

/** In a worker: the primary's request to stop, watched from before the server listens. @internal */
export interface StopRequest {
  requested: boolean;
  readonly promise: Promise<void>;
  /**
   * Stop watching; if the primary asked to stop, disconnect from it (a connected worker
   * never exits), so the process ends when the program does.
   */
  dispose(): void;
}

/** Start watching for the primary's stop message. @internal */
export function stopRequest(): StopRequest {
  let resolve!: () => void;
  const onMessage = (message: unknown): void => {
    if (message !== STOP) return;
    request.requested = true;
    resolve();
  };
  const request: StopRequest = {
    requested: false,
    promise: new Promise<void>((r) => {
      resolve = r;
    }),
    dispose: () => {
      process.off('message', onMessage);
      if (request.requested) cluster.worker?.disconnect();
    },
  };
  process.on('message', onMessage);
  return request;
}

interface Exit {
  worker: Worker;
  code: number | null;
  signal: string | null;
}

/**
 * In the primary: fork `count` workers, call `started` with the address once every one
 * listens, and supervise them until cancelled. A worker that exits on its own (before
 * listening or while serving) is an error. On every way out the workers are stopped: asked
 * to (those listening) or sent SIGTERM (the others), and killed if still running after
 * STOP_GRACE_MS. @internal
 */
export function* runWorkers(
  fn: string,
  count: number,
  started: ((address: Address) => void) | undefined,
): Coro<void> {
  const workers: Worker[] = [];
  const listening = new Set<Worker>();
  let exited!: (exit: Exit) => void;
  const firstExit = new Promise<Exit>((resolve) => {
    exited = resolve;
  });
  let allListening!: (ready: { address: Address }) => void;
  const ready = new Promise<{ address: Address }>((resolve) => {
    allListening = resolve;
  });
  try {
    for (let i = 0; i < count; i++) {
      const worker = cluster.fork();
      workers.push(worker);
      worker.once('listening', (address: ClusterAddress) => {
        listening.add(worker);
        if (listening.size === count) allListening({ address: toAddress(address) });
      });
      worker.once('exit', (code: number | null, signal: string | null) => {
        exited({ worker, code, signal });
      });
    }
    const first = yield* futureWait(Promise.race([ready, firstExit]));
    if ('worker' in first) throw exitError(fn, first, 'before listening');
    started?.(first.address);
    throw exitError(fn, yield* futureWait(firstExit), 'while serving');
  } finally {
    yield* disableCancellation(futureWait(stopWorkers(workers, listening)));
  }
}

function toAddress({ address, port, addressType }: ClusterAddress): Address {
  if (addressType === -1) return address;
  return addressType === 6 ? [address, port, 0, 0] : [address, port];
}

function exitError(fn: string, { worker, code, signal }: Exit, when: string): CurioError {
  const how = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
  return new CurioError(
    `${fn}: worker ${worker.id} (pid ${worker.process.pid}) ${how} ${when}; the other workers were stopped`,
  );
}

// Settles once `worker` is gone for good: its process exited and its IPC channel closed. Node
// removes a worker from `cluster.workers` (and releases the channel) at the later of the two,
// and under load 'exit' may come first.
function goneForGood(worker: Worker): Promise<unknown> {
  const waits: Promise<unknown>[] = [];
  if (!worker.isDead()) waits.push(once(worker, 'exit'));
  if (worker.isConnected()) waits.push(once(worker, 'disconnect'));
  return Promise.all(waits);
}

async function stopWorkers(workers: Worker[], listening: Set<Worker>): Promise<void> {
  const running = workers.filter((worker) => !worker.isDead());
  const exits = workers.map(goneForGood);
  for (const worker of running) {
    const terminate = () => worker.process.kill('SIGTERM'); // not serving: nothing to finish
    if (listening.has(worker) && worker.isConnected())
      worker.send(STOP, (err) => err && terminate());
    else terminate();
  }
  const timer = setTimeout(() => {
    for (const worker of running) if (!worker.isDead()) worker.process.kill('SIGKILL');
  }, STOP_GRACE_MS);
  try {
    await Promise.all(exits);
  } finally {
    clearTimeout(timer);
  }
}
