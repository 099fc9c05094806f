export {
  type ConnectionOptions,
  openConnection,
  openUnixConnection,
  type UnixConnectionOptions,
} from './connection.js';
export {
  type ClientConnectedTask,
  createServer,
  createUnixServer,
  runServer,
  runUnixServer,
  Server,
  type ServerOptions,
  type UnixServerOptions,
} from './server.js';
