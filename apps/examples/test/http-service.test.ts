import { afterEach, describe, expect, it } from 'vitest';
import { type Service, startService } from '../src/http-service.js';

// The HTTP service example with real fetch requests over loopback.

let service: Service | undefined;
let lines: string[] = [];
afterEach(async () => {
  await service?.close();
  service = undefined;
});

async function start(deadlineMs: number, backendLimit = 4): Promise<Service> {
  lines = [];
  service = await startService({ deadlineMs, backendLimit, log: (line) => lines.push(line) });
  return service;
}

async function get(s: Service, path: string, signal?: AbortSignal): Promise<[number, string]> {
  const res = await fetch(`${s.url}${path}`, { signal });
  return [res.status, (await res.text()).trim()];
}

// Waits until `check` holds (the server's side of an aborted request finishes on its own time).
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

describe('HTTP service example', () => {
  it('serves a request; the child task logs with the request id it inherited', async () => {
    const s = await start(5000);
    expect(await get(s, '/work?ms=5')).toEqual([200, 'worked 5 ms']);
    expect(await s.stats()).toEqual({ handled: 1, byStatus: { 200: 1 } });
    expect(lines).toEqual(['[req-1] backend call (5 ms)', '[req-1] done: 200']);
  });

  it('answers 504 when the deadline passes (the backend call is cancelled), 404 elsewhere', async () => {
    const s = await start(1000, 1);
    expect(await get(s, '/work?ms=60000')).toEqual([504, 'deadline of 1000 ms passed']);
    // The only backend permit is free again: the timed-out call was cancelled, not left running.
    expect(await get(s, '/work?ms=1')).toEqual([200, 'worked 1 ms']);
    expect(await get(s, '/other')).toEqual([404, 'not found']);
    expect(await s.stats()).toEqual({ handled: 3, byStatus: { 200: 1, 404: 1, 504: 1 } });
    expect(lines).toEqual([
      '[req-1] backend call (60000 ms)',
      '[req-1] done: 504',
      '[req-2] backend call (1 ms)',
      '[req-2] done: 200',
      '[req-3] done: 404',
    ]);
  });

  it('a client that goes away cancels its task; the handler’s finally runs', async () => {
    const s = await start(60_000);
    const controller = new AbortController();
    const pending = get(s, '/work?ms=60000', controller.signal).catch((e: Error) => e.name);
    await until(() => lines.length === 1); // the backend call has started
    controller.abort();
    expect(await pending).toBe('AbortError');
    await until(() => lines.length === 2);
    expect(lines).toEqual(['[req-1] backend call (60000 ms)', '[req-1] done: client went away']);
    expect(await s.stats()).toEqual({ handled: 1, byStatus: { 499: 1 } });
  });

  it('200 concurrent requests: all served, the Semaphore holds the backend to its limit', async () => {
    const s = await start(60_000, 4);
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => get(s, `/work?ms=${5 + (i % 5)}`)),
    );
    expect(replies.every(([status]) => status === 200)).toBe(true);
    expect(new Set(replies.map(([, body]) => body))).toEqual(
      new Set([5, 6, 7, 8, 9].map((ms) => `worked ${ms} ms`)),
    );
    expect(s.peakBackendCalls).toBeLessThanOrEqual(4);
    expect(s.peakBackendCalls).toBeGreaterThan(1);
    expect(await s.stats()).toEqual({ handled: 200, byStatus: { 200: 200 } });
    const ids = new Set(lines.map((line) => line.slice(0, line.indexOf(']') + 1)));
    expect(ids.size).toBe(200);
  });
});
