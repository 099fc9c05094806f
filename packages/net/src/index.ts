export {
  type ConnectionOptions,
  openConnection,
  openUnixConnection,
  type UnixConnectionOptions,
} from './connection.js';
export {
  type RunServerOptions,
  type RunUnixServerOptions,
  runServer,
  runUnixServer,
} from './run.js';
export {
  type ClientConnectedTask,
  createServer,
  createUnixServer,
  Server,
  type ServerOptions,
  type UnixServerOptions,
} from './server.js';
