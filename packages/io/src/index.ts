export type { Address, InetAddress6 } from './address.js';
export { Blocking } from './blocking.js';
export type { NodeStream } from './channel.js';
export {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SO_KEEPALIVE,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_SNDBUF,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  TCP_NODELAY,
} from './constants.js';
export { UnsupportedOperation } from './errors.js';
export { type RawSocket, Socket, type SocketInit, type WrapOptions } from './socket.js';
export { type FileMode, Stream, type StreamOptions } from './stream.js';
