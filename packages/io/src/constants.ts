// Socket constants, with the values Python's `socket` module has on Linux, so numbers read
// from Python programs mean the same thing here.

/** Address family: IPv4, addresses are `[host, port]`. */
export const AF_INET = 2;
/** Address family: IPv6, addresses are `[host, port]` or `[host, port, flowinfo, scopeid]`. */
export const AF_INET6 = 10;
/** Address family: Unix domain sockets, addresses are filesystem paths. */
export const AF_UNIX = 1;
/** Socket type: a byte stream (TCP, or a Unix stream socket). */
export const SOCK_STREAM = 1;
/** Socket type: datagrams (UDP). */
export const SOCK_DGRAM = 2;
/** `setsockopt` level for socket-wide options. */
export const SOL_SOCKET = 1;
/** `SOL_SOCKET` option: allow binding an address in TIME_WAIT or shared by another socket. */
export const SO_REUSEADDR = 2;
/** `SOL_SOCKET` option: send TCP keep-alive probes. */
export const SO_KEEPALIVE = 9;
/** `SOL_SOCKET` option: the send buffer size (UDP sockets only in Node). */
export const SO_SNDBUF = 7;
/** `SOL_SOCKET` option: the receive buffer size (UDP sockets only in Node). */
export const SO_RCVBUF = 8;
/** `setsockopt` level for TCP options. */
export const IPPROTO_TCP = 6;
/** `setsockopt` level for UDP (accepted as a protocol number). */
export const IPPROTO_UDP = 17;
/** `IPPROTO_TCP` option: disable Nagle's algorithm. */
export const TCP_NODELAY = 1;
/** `shutdown(how)`: no more receiving. */
export const SHUT_RD = 0;
/** `shutdown(how)`: no more sending (the peer reads end of file). */
export const SHUT_WR = 1;
/** `shutdown(how)`: both directions. */
export const SHUT_RDWR = 2;
