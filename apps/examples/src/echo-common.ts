// Shared by the echo demos (echo.ts, echo-unix.ts, echo-tls.ts): the manual's echo handler,
// a few clients, and Ctrl-C handling.
import type { Address, Socket } from '@curio/io';
import { asyncWith, type Coro, newTask, sleep, type Task, TaskGroup } from '@curio/kernel';
import type { Server } from '@curio/net';
import { SignalSet } from '@curio/signal';

/** The manual's echo client handler: send back every byte until the client closes. */
export function* echoClient(client: Socket, address: Address): Coro<void> {
  console.log('server: connection from', describeAddress(address));
  yield* asyncWith(client, function* () {
    for (;;) {
      const data = yield* client.recv(100000);
      if (data.length === 0) break;
      yield* client.sendall(data);
    }
  });
  console.log('server: connection closed');
}

function describeAddress(address: Address): string {
  if (typeof address === 'string') return address === '' ? 'a Unix socket peer' : address;
  return `${address[0]}:${address[1]}`;
}

/** One client: send each message, read its echo; returns the exchange as text lines. */
function* chat(
  id: number,
  connect: () => Coro<Socket>,
  messages: readonly string[],
): Coro<string[]> {
  const sock = yield* connect();
  return yield* asyncWith(sock, function* () {
    const lines: string[] = [];
    for (const text of messages) {
      yield* sock.sendall(Buffer.from(text));
      let echoed = '';
      while (echoed.length < text.length) {
        const data = yield* sock.recv(100000);
        if (data.length === 0) break;
        echoed += data.toString();
      }
      lines.push(`client ${id}: sent ${JSON.stringify(text)}, got back ${JSON.stringify(echoed)}`);
    }
    return lines;
  });
}

/**
 * Run `clients` clients at once against the server (each connecting with `connect`), then
 * print every exchange in client order.
 */
export function* runClients(clients: number, connect: () => Coro<Socket>): Coro<void> {
  const tasks: Task<string[]>[] = [];
  yield* asyncWith(new TaskGroup(), function* (group) {
    for (let id = 1; id <= clients; id++) {
      tasks.push(yield* group.spawn(chat(id, connect, [`hello from client ${id}`, 'bye'])));
    }
  });
  for (const task of tasks) for (const line of yield* task.join()) console.log(line);
}

/**
 * Serve with `server` while `body` runs (or, with `--serve` on the command line, until
 * Ctrl-C); Ctrl-C cancels everything cleanly. The server is closed either way.
 */
export function* serveWhile(name: string, server: Server, body: Coro<void>): Coro<void> {
  const where = Array.isArray(server.address)
    ? `${server.address[0]}:${server.address[1]}`
    : server.address;
  console.log(`${name}: listening on ${where}`);
  const serving = yield* newTask(server.serveForever());
  const work = yield* newTask(serveOnly() ? serving.join() : body);
  const interrupted = { value: false };
  const watcher = yield* newTask(cancelOnSigint(name, work, interrupted));
  try {
    yield* work.join();
    // Let the handlers see their clients hang up before the server stops.
    for (let i = 0; i < 200 && server.clients > 0; i++) yield* sleep(5);
  } catch (err) {
    if (!interrupted.value) throw err; // else: cancelled by Ctrl-C, already reported
  } finally {
    yield* watcher.cancel();
    yield* serving.cancel();
  }
  console.log(`${name}: server stopped`);
}

function serveOnly(): boolean {
  return process.argv.slice(2).includes('--serve');
}

function* cancelOnSigint(name: string, work: Task, interrupted: { value: boolean }): Coro<void> {
  yield* asyncWith(new SignalSet('SIGINT'), function* (signals) {
    yield* signals.wait();
    interrupted.value = true;
    console.log(`${name}: interrupted (Ctrl-C), shutting down`);
    yield* work.cancel();
  });
}
