// The echo server on a Unix socket (under the system's temporary directory): three clients,
// then a clean shutdown that removes the socket file. `--serve` serves until Ctrl-C.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@curio/kernel';
import { createUnixServer, openUnixConnection } from '@curio/net';
import { echoClient, runClients, serveWhile } from './echo-common.js';

function* main() {
  const path = join(tmpdir(), `curio-echo-${process.pid}.sock`);
  const server = createUnixServer(path, echoClient);
  yield* serveWhile(
    'echo (unix)',
    server,
    runClients(3, () => openUnixConnection(path)),
  );
}

await run(main());
