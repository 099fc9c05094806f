// getaddrinfo / getnameinfo flags, with Linux's values as in Python.

/** `getaddrinfo` flag: with a null host, return the wildcard address (for binding). */
export const AI_PASSIVE = 1;
/** `getaddrinfo` flag: ask for the canonical name (not supported by Node: raises). */
export const AI_CANONNAME = 2;
/** `getaddrinfo` flag: the host must be an IP literal; no DNS lookup. */
export const AI_NUMERICHOST = 4;
/** `getnameinfo` flag: return the host as an IP literal. */
export const NI_NUMERICHOST = 1;
/** `getnameinfo` flag: return the port as a number string. */
export const NI_NUMERICSERV = 2;
/** `getnameinfo` flag: fail if the host has no name. */
export const NI_NAMEREQD = 8;
