// Echo load generator, run as its own process by workloads/echo.ts:
//   node dist/echo-load.js <port> <pingpong|stream> <connections> <chunkBytes> <durationMs>
//     [warmupMs] [warmupBytes] [maxWarmupMs]
// Prints `ready` once connected, `start` when the measured interval begins, then one JSON line:
// { messages, bytes, ms } counted over that interval. The warm-up traffic lasts warmupMs
// (default 200) and until warmupBytes (default 0) have come back, but at most maxWarmupMs
// (default warmupMs): the server's code tiers up after so many chunks, not so many
// milliseconds, and a loaded machine echoes fewer of them per second.
// pingpong: each connection sends one chunk and waits for all of it to come back, again and
// again. stream: each connection keeps up to WINDOW chunks in flight and counts bytes echoed.
import { connect, type Socket } from 'node:net';

const WINDOW = 16;
const [portArg, mode, connArg, sizeArg, durationArg, warmupArg = '200', ...more] =
  process.argv.slice(2);
const port = Number(portArg);
const connections = Number(connArg);
const size = Number(sizeArg);
const duration = Number(durationArg);
const warmup = Number(warmupArg);
const warmupBytes = Number(more[0] ?? 0);
const maxWarmup = Number(more[1] ?? warmup);
if (!(port > 0) || (mode !== 'pingpong' && mode !== 'stream') || !(connections > 0)) {
  console.error(
    'usage: echo-load.js <port> <pingpong|stream> <connections> <chunkBytes> <ms> [warmupMs] [warmupBytes] [maxWarmupMs]',
  );
  process.exit(2);
}

const payload = Buffer.alloc(size, 0x61);
let measuring = false;
let messages = 0;
let bytes = 0;
let warmupEchoed = 0; // bytes back during the warm-up
const sockets: Socket[] = [];

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
}

function drive(s: Socket): void {
  let pending = 0; // bytes sent and not yet echoed
  const send = () => {
    pending += size;
    s.write(payload);
  };
  s.on('data', (chunk: Buffer) => {
    pending -= chunk.length;
    if (measuring) bytes += chunk.length;
    else warmupEchoed += chunk.length;
    if (mode === 'pingpong') {
      if (pending === 0) {
        if (measuring) messages++;
        send();
      }
    } else {
      while (pending <= (WINDOW - 1) * size) {
        if (measuring) messages++;
        send();
      }
    }
  });
  s.on('error', () => {});
  if (mode === 'pingpong') send();
  else for (let i = 0; i < WINDOW; i++) send();
}

const all = await Promise.all(Array.from({ length: connections }, open));
sockets.push(...all);
// Told before the warm-up: the parent's first read of this pipe (code it tiers up too) comes
// before it measures anything.
process.stdout.write('ready\n');
for (const s of sockets) drive(s);
// Warm up, then measure.
const warm0 = performance.now();
await new Promise((r) => setTimeout(r, warmup));
while (warmupEchoed < warmupBytes && performance.now() - warm0 < maxWarmup) {
  await new Promise((r) => setTimeout(r, 50));
}
measuring = true;
process.stdout.write('start\n');
const t0 = performance.now();
await new Promise((r) => setTimeout(r, duration));
measuring = false;
const ms = performance.now() - t0;
for (const s of sockets) s.destroy();
process.stdout.write(`${JSON.stringify({ messages, bytes, ms })}\n`);
