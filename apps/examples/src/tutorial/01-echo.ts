// Tutorial, chapter 1: a TCP server that runs one task per client and sends every line back.
//   node apps/examples/dist/tutorial/01-echo.js [port]   (then: nc 127.0.0.1 25000)
import type { Address, Socket } from '@curio/io';
import { type Coro, run } from '@curio/kernel';
import { createServer } from '@curio/net';

// Each connection runs this in a task of its own; the server closes the socket when it returns.
function* echoClient(client: Socket, address: Address): Coro<void> {
  const peer = (address as [string, number]).join(':'); // a TCP address is [host, port]
  console.log(`connection from ${peer}`);
  const [reader, writer] = client.makeStreams();
  for (;;) {
    const line = yield* reader.readline(); // waits for this client; the others go on meanwhile
    if (line.length === 0) break; // end of file: the client hung up
    yield* writer.write(line);
  }
  console.log(`connection from ${peer} closed`);
}

function* main(port: number): Coro<void> {
  const server = createServer('127.0.0.1', port, echoClient);
  console.log(`echo server listening on ${(server.address as [string, number]).join(':')}`);
  yield* server.serveForever();
}

await run(main(Number(process.argv[2] ?? 25000)));
