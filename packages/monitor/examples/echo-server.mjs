// An echo server with the monitor on: node examples/echo-server.mjs, then curio-monitor.
import { Kernel, newTask } from '@curio/kernel';
import { monitor } from '@curio/monitor';
import { AF_INET, SOCK_STREAM, socket } from '@curio/socket';

function* echoClient(client, address) {
  console.log('connection from', address);
  try {
    for (;;) {
      const data = yield* client.recv(1000);
      if (data.length === 0) break;
      yield* client.sendall(data);
    }
  } finally {
    yield* client.close();
    console.log('connection closed', address);
  }
}

function* echoServer(host, port) {
  const sock = socket(AF_INET, SOCK_STREAM);
  sock.bind([host, port]);
  sock.listen(5);
  console.log('echo server listening on', sock.getsockname());
  for (;;) {
    const [client, address] = yield* sock.accept();
    yield* newTask(echoClient(client, address), { name: 'echoClient' });
  }
}

// withMonitor: true loads @curio/monitor by name; passing its `monitor` export does the same
// and also works where the kernel cannot see your dependencies (pnpm workspaces, Yarn PnP).
const kernel = new Kernel({ withMonitor: monitor });
try {
  await kernel.run(echoServer('127.0.0.1', 25000));
} finally {
  await kernel.shutdown();
}
