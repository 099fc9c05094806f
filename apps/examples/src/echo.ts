// The manual's echo server over TCP: serve on a free loopback port, run three clients
// against it, print the exchange, and shut down. `node dist/echo.js --serve` serves until
// Ctrl-C (try `nc 127.0.0.1 PORT`).
import { run } from '@curio/kernel';
import { createServer, openConnection } from '@curio/net';
import { echoClient, runClients, serveWhile } from './echo-common.js';

function* main() {
  const server = createServer('127.0.0.1', 0, echoClient);
  const port = (server.address as [string, number])[1];
  yield* serveWhile(
    'echo (tcp)',
    server,
    runClients(3, () => openConnection('127.0.0.1', port)),
  );
}

await run(main());
