// An HTTP service on node:http whose request handlers are curio tasks. Each request is
// submitted to a running kernel with an AbortSignal that fires when the client goes away; the
// handler has a deadline (504 when it passes), a Semaphore limits the concurrent calls to the
// backend, a TaskLocal request id shows in the log lines of the handler's child tasks, and a
// UniversalQueue feeds a background task that keeps the service's statistics.
//
//   node dist/http-service.js      # serves a few requests to itself, prints the log, stops
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import {
  asyncWith,
  type Coro,
  Kernel,
  sleep,
  TaskGroup,
  TaskLocal,
  TaskTimeout,
  timeoutAfter,
} from '@curio/kernel';
import { UniversalQueue } from '@curio/queue';
import { Semaphore } from '@curio/sync';

/** Options of {@link startService}. */
export interface ServiceOptions {
  /** Port on 127.0.0.1 (0: any free port). */
  port?: number;
  /** Deadline of one request, in ms (504 when it passes). */
  deadlineMs?: number;
  /** Most backend calls at once. */
  backendLimit?: number;
  /** Where log lines go (default: console.log). */
  log?: (line: string) => void;
}

/** A running service. */
export interface Service {
  url: string;
  /** Requests handled so far, counted by the background task. */
  stats(): Promise<{ handled: number; byStatus: Record<string, number> }>;
  /** Most backend calls seen running at once. */
  readonly peakBackendCalls: number;
  close(): Promise<void>;
}

/** Start the service; resolves once it listens. */
export async function startService(options: ServiceOptions = {}): Promise<Service> {
  const log = options.log ?? ((line: string) => console.log(line));
  const deadlineMs = options.deadlineMs ?? 1000;
  const backend = new Semaphore(options.backendLimit ?? 4);
  const requestId = new TaskLocal<string>('-');
  const finished = new UniversalQueue<{ id: string; status: number }>(1000);
  const byStatus: Record<string, number> = {};
  let handled = 0;
  let backendCalls = 0;
  let peakBackendCalls = 0;
  let nextId = 1;

  const say = (line: string): void => log(`[${requestId.get()}] ${line}`);

  // The backend: work that takes `ms`, at most `backendLimit` at a time.
  function* callBackend(ms: number): Coro<string> {
    yield* backend.acquire();
    try {
      peakBackendCalls = Math.max(peakBackendCalls, ++backendCalls);
      say(`backend call (${ms} ms)`);
      yield* sleep(ms);
      return `worked ${ms} ms`;
    } finally {
      backendCalls--;
      yield* backend.release();
    }
  }

  function* handle(req: IncomingMessage, res: ServerResponse): Coro<void> {
    requestId.set(`req-${nextId++}`);
    const url = new URL(req.url ?? '/', 'http://localhost');
    let status = 500;
    try {
      if (url.pathname !== '/work') {
        status = 404;
        res.writeHead(404).end('not found\n');
        return;
      }
      const ms = Number(url.searchParams.get('ms') ?? '10');
      // The backend call is a child task in a group: it logs with the request id it inherited,
      // and the group cancels it when the handler stops waiting (deadline, client gone).
      const body = yield* timeoutAfter(
        deadlineMs,
        asyncWith(new TaskGroup(), function* (group) {
          const call = yield* group.spawn(callBackend(ms));
          return yield* call.join();
        }),
      );
      status = 200;
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`${body}\n`);
    } catch (err) {
      if (!(err instanceof TaskTimeout)) throw err;
      status = 504;
      res.writeHead(504).end(`deadline of ${deadlineMs} ms passed\n`);
    } finally {
      say(`done: ${res.writableEnded ? status : 'client went away'}`);
      yield* finished.put({ id: requestId.get(), status: res.writableEnded ? status : 499 });
    }
  }

  // The background task: counts what the handlers report, for as long as the service runs.
  function* statistics(): Coro<void> {
    for (;;) {
      const { status } = yield* finished.get();
      handled++;
      byStatus[status] = (byStatus[status] ?? 0) + 1;
    }
  }

  const kernel = new Kernel();
  const serving = kernel.runForever();
  void kernel.submit(statistics(), { name: 'statistics', daemon: true }).catch(() => {});

  const server: Server = createServer((req, res) => {
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) controller.abort(new Error('client went away'));
    });
    kernel.submit(handle(req, res), { name: 'handle', signal: controller.signal }).catch(() => {
      // Cancelled (the client went away) or failed: the handler's finally has logged it.
      if (!res.headersSent && !res.destroyed) res.writeHead(500).end('internal error\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get peakBackendCalls() {
      return peakBackendCalls;
    },
    async stats() {
      // Let the background task take what is queued first.
      while (!finished.empty()) await new Promise((r) => setTimeout(r, 1));
      return { handled, byStatus: { ...byStatus } };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await kernel.shutdown();
      await serving;
    },
  };
}

/** The demo: a few requests to itself, then stop. */
export async function demo(): Promise<void> {
  console.log('== HTTP service: requests submitted to a running kernel ==');
  const service = await startService({ deadlineMs: 100, backendLimit: 2 });
  const get = async (path: string, signal?: AbortSignal) => {
    try {
      const res = await fetch(`${service.url}${path}`, { signal });
      console.log(`GET ${path} -> ${res.status} ${(await res.text()).trim()}`);
    } catch (err) {
      console.log(`GET ${path} -> ${(err as Error).name} (the client gave up)`);
    }
  };
  await get('/work?ms=20');
  await get('/work?ms=500'); // past the deadline: 504
  await get('/work?ms=5000', AbortSignal.timeout(50)); // the client goes away: task cancelled
  await Promise.all([1, 2, 3, 4].map((i) => get(`/work?ms=${10 * i}`)));
  console.log('stats:', JSON.stringify(await service.stats()));
  await service.close();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await demo();
