// The echo server over TLS: the server loads a self-signed certificate for localhost, the
// clients trust exactly that certificate and check the server's name against it.
// `--serve` serves until Ctrl-C (try `openssl s_client -connect 127.0.0.1:PORT`).
import { run } from '@curio/kernel';
import { createServer, openConnection } from '@curio/net';
import { createDefaultContext, Purpose } from '@curio/ssl';
import { echoClient, runClients, serveWhile } from './echo-common.js';
import { CERT, KEY } from './echo-tls-cert.js';

function* main() {
  const serverContext = createDefaultContext(Purpose.CLIENT_AUTH);
  serverContext.loadCertChain(CERT, KEY);
  const clientContext = createDefaultContext(Purpose.SERVER_AUTH, { cadata: CERT });
  const server = createServer('127.0.0.1', 0, echoClient, { ssl: serverContext });
  const port = (server.address as [string, number])[1];
  const connect = () => openConnection('localhost', port, { ssl: clientContext });
  yield* serveWhile('echo (tls)', server, runClients(3, connect));
}

await run(main());
