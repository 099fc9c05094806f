export {
  type Address,
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
  Socket,
  TCP_NODELAY,
  UnsupportedOperation,
} from '@curio/io';
export { createConnection } from './connection.js';
export {
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_PASSIVE,
  NI_NAMEREQD,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
} from './constants.js';
export {
  type AddrInfo,
  getaddrinfo,
  getfqdn,
  gethostbyaddr,
  gethostbyname,
  gethostbynameEx,
  gethostname,
  getnameinfo,
} from './dns.js';
export { fromfd, socket } from './socket.js';
export { socketpair } from './socketpair.js';
