// @curio/io and @curio/socket benchmarks: TCP loopback round trips, bulk transfer and
// line reading through curio Sockets/Streams, side by side with node:net used directly
// (async/await over its events), the floor curio's wrappers add overhead to.
import net from 'node:net';
import { createInterface } from 'node:readline';
import { AF_INET, SOCK_STREAM, Socket } from '@curio/io';
import { type Coro, newTask, run } from '@curio/kernel';
import { now, perSecond, type Workload } from '../harness.js';

const ROUND_TRIPS = 20_000;
const MESSAGE = Buffer.alloc(64, 'x');
const BULK_MB = 256;
const BULK_CHUNK = 1 << 20;
const LINES = 200_000;

function atLeastTimes(m: Record<string, number>, peer: string, factor: number): string | undefined {
  const r = m.curio / m[peer];
  return r >= factor ? undefined : `${r.toFixed(2)}x ${peer} < ${factor}x`;
}

// A connected TCP pair over 127.0.0.1, as curio Sockets: [client, server side, listener].
function* curioPair(): Coro<[Socket, Socket, Socket]> {
  const listener = new Socket({ family: AF_INET, type: SOCK_STREAM });
  listener.bind(['127.0.0.1', 0]);
  listener.listen(1);
  const client = new Socket({ family: AF_INET, type: SOCK_STREAM });
  yield* client.connect(listener.getsockname());
  const [conn] = yield* listener.accept();
  return [client, conn, listener];
}

// The same pair with node:net: [client, server side, server].
async function nodePair(): Promise<[net.Socket, net.Socket, net.Server]> {
  const server = net.createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const { port } = server.address() as net.AddressInfo;
  const client = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await new Promise((resolve) => client.once('connect', resolve));
  return [client, await accepted, server];
}

// Read exactly `n` bytes from a node socket in paused mode.
async function nodeReadExactly(sock: net.Socket, n: number): Promise<void> {
  let got = 0;
  while (got < n) {
    const chunk = sock.read() as Buffer | null;
    if (chunk === null) {
      await new Promise((resolve) => sock.once('readable', resolve));
      continue;
    }
    got += chunk.length;
  }
}

// ---- round trips ------------------------------------------------------------------------

function* curioRoundTrips(n: number): Coro<void> {
  const [client, conn, listener] = yield* curioPair();
  const echo = yield* newTask(
    (function* () {
      for (;;) {
        const data = yield* conn.recv(65536);
        if (data.length === 0) return;
        yield* conn.sendall(data);
      }
    })(),
  );
  for (let i = 0; i < n; i++) {
    yield* client.sendall(MESSAGE);
    let got = 0;
    while (got < MESSAGE.length) got += (yield* client.recv(65536)).length;
  }
  client.shutdown(1);
  yield* echo.join();
  for (const s of [client, conn, listener]) yield* s.close();
}

async function nodeRoundTrips(n: number): Promise<void> {
  const [client, conn, server] = await nodePair();
  const echo = (async () => {
    for (;;) {
      const chunk = conn.read() as Buffer | null;
      if (chunk !== null) {
        conn.write(chunk);
        continue;
      }
      if (conn.readableEnded) return;
      await new Promise((resolve) => {
        conn.once('readable', resolve);
        conn.once('end', resolve);
      });
      conn.removeAllListeners('readable').removeAllListeners('end');
    }
  })();
  for (let i = 0; i < n; i++) {
    client.write(MESSAGE);
    await nodeReadExactly(client, MESSAGE.length);
  }
  client.end();
  conn.read();
  await echo;
  client.destroy();
  conn.destroy();
  await new Promise((resolve) => server.close(resolve));
}

const roundTrips: Workload = {
  name: 'socket-echo-roundtrip',
  title: `TCP echo, 64-byte messages, ${ROUND_TRIPS / 1000}k round trips`,
  unit: 'round trips/s',
  target: '>= 0.7x node:net',
  check: (m) => atLeastTimes(m, 'node-net', 0.7),
  systems: {
    curio: async () => {
      const t0 = now();
      await run(curioRoundTrips(ROUND_TRIPS));
      return perSecond(ROUND_TRIPS, now() - t0);
    },
    'node-net': async () => {
      const t0 = now();
      await nodeRoundTrips(ROUND_TRIPS);
      return perSecond(ROUND_TRIPS, now() - t0);
    },
  },
};

// ---- bulk transfer ----------------------------------------------------------------------

function* curioBulk(megabytes: number): Coro<void> {
  const [client, conn, listener] = yield* curioPair();
  const chunk = Buffer.alloc(BULK_CHUNK, 1);
  const sender = yield* newTask(
    (function* () {
      for (let i = 0; i < megabytes; i++) yield* client.sendall(chunk);
      client.shutdown(1);
    })(),
  );
  let got = 0;
  for (;;) {
    const data = yield* conn.recv(1 << 20);
    if (data.length === 0) break;
    got += data.length;
  }
  yield* sender.join();
  if (got !== megabytes * BULK_CHUNK) throw new Error(`received ${got} bytes`);
  for (const s of [client, conn, listener]) yield* s.close();
}

async function nodeBulk(megabytes: number): Promise<void> {
  const [client, conn, server] = await nodePair();
  const chunk = Buffer.alloc(BULK_CHUNK, 1);
  const received = (async () => {
    let got = 0;
    for await (const data of conn) got += (data as Buffer).length;
    return got;
  })();
  for (let i = 0; i < megabytes; i++) {
    if (!client.write(chunk)) await new Promise((resolve) => client.once('drain', resolve));
  }
  client.end();
  const got = await received;
  if (got !== megabytes * BULK_CHUNK) throw new Error(`received ${got} bytes`);
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
}

const bulk: Workload = {
  name: 'socket-bulk-transfer',
  title: `TCP bulk transfer, ${BULK_MB} MB in 1 MB sendall`,
  unit: 'MB/s',
  target: '>= 0.7x node:net',
  check: (m) => atLeastTimes(m, 'node-net', 0.7),
  systems: {
    curio: async () => {
      const t0 = now();
      await run(curioBulk(BULK_MB));
      return perSecond(BULK_MB, now() - t0);
    },
    'node-net': async () => {
      const t0 = now();
      await nodeBulk(BULK_MB);
      return perSecond(BULK_MB, now() - t0);
    },
  },
};

// ---- readline ---------------------------------------------------------------------------

const TEXT = Buffer.from(
  Array.from({ length: LINES }, (_, i) => `line ${i} of the benchmark text\n`).join(''),
);

function* curioLines(): Coro<void> {
  const [client, conn, listener] = yield* curioPair();
  const sender = yield* newTask(
    (function* () {
      yield* client.sendall(TEXT);
      client.shutdown(1);
    })(),
  );
  const reader = conn.makefile('rb');
  let count = 0;
  while ((yield* reader.readline()).length > 0) count++;
  yield* sender.join();
  if (count !== LINES) throw new Error(`read ${count} lines`);
  for (const s of [reader, client, conn, listener]) yield* s.close();
}

async function nodeLines(): Promise<void> {
  const [client, conn, server] = await nodePair();
  client.end(TEXT);
  let count = 0;
  for await (const _line of createInterface({ input: conn, crlfDelay: Infinity })) count++;
  if (count !== LINES) throw new Error(`read ${count} lines`);
  client.destroy();
  conn.destroy();
  await new Promise((resolve) => server.close(resolve));
}

const lines: Workload = {
  name: 'stream-readline',
  title: `Stream.readline over TCP, ${LINES / 1000}k lines`,
  unit: 'lines/s',
  target: '>= 0.7x node:readline',
  check: (m) => atLeastTimes(m, 'node-readline', 0.7),
  systems: {
    curio: async () => {
      const t0 = now();
      await run(curioLines());
      return perSecond(LINES, now() - t0);
    },
    'node-readline': async () => {
      const t0 = now();
      await nodeLines();
      return perSecond(LINES, now() - t0);
    },
  },
};

export const workloads: Workload[] = [roundTrips, bulk, lines];
