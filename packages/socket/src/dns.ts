import { promises as dns, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { hostname as osHostname } from 'node:os';
import {
  type Address,
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SOCK_DGRAM,
  SOCK_STREAM,
  UnsupportedOperation,
} from '@curio/io';
import { type Coro, futureWait } from '@curio/kernel';
import {
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_PASSIVE,
  NI_NAMEREQD,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
} from './constants.js';
import { describeValue } from './validate.js';

/** One `getaddrinfo` result: `[family, type, proto, canonname, sockaddr]`, as in Python. */
export type AddrInfo = [
  family: number,
  type: number,
  proto: number,
  canonname: string,
  sockaddr: Address,
];

// Node's resolver calls cannot be aborted once started (getaddrinfo runs on the thread
// pool): a cancelled or timed-out lookup is abandoned and its result dropped.
function lookup(host: string, family: number): Coro<LookupAddress[]> {
  const nodeFamily = family === AF_INET ? 4 : family === AF_INET6 ? 6 : 0;
  return futureWait(() => dns.lookup(host, { all: true, family: nodeFamily, verbatim: true }));
}

function checkHost(fn: string, arg: string, host: unknown): asserts host is string {
  if (typeof host !== 'string') {
    throw new TypeError(`${fn}(${arg}): ${arg} must be a string, got ${describeValue(host)}`);
  }
}

function portNumber(fn: string, port: unknown): number {
  if (port === null || port === undefined) return 0;
  const n = typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535) return n;
  if (typeof port === 'string') {
    throw new UnsupportedOperation(
      `${fn}(port): service names are not supported by Node.js (use a port number), got ${describeValue(port)}`,
    );
  }
  throw new TypeError(
    `${fn}(port): port must be an integer from 0 to 65535 or null, got ${describeValue(port)}`,
  );
}

/**
 * Resolve `host` and `port` to the addresses to connect or bind to:
 * `[family, type, proto, canonname, sockaddr][]`. `family` 0 means any, `type` 0 gives both
 * `SOCK_STREAM` and `SOCK_DGRAM` entries. A null `host` means the loopback address (the
 * wildcard with `AI_PASSIVE`). Flags: `AI_PASSIVE`, `AI_NUMERICHOST`; `AI_CANONNAME` and
 * service names raise `UnsupportedOperation`. Uses `dns.lookup` (the system resolver, so
 * `/etc/hosts` applies); a cancelled lookup is abandoned.
 * @example
 * ```ts run
 * import { run } from '@curio/kernel';
 * import { AF_INET, getaddrinfo, SOCK_STREAM } from '@curio/socket';
 *
 * const infos = await run(getaddrinfo('localhost', 80, AF_INET, SOCK_STREAM));
 * const [family, type, , , address] = infos[0];
 * console.log(family === AF_INET, type === SOCK_STREAM, address); // true true [ '127.0.0.1', 80 ]
 * ```
 */
export function* getaddrinfo(
  host: string | null,
  port: number | string | null,
  family = 0,
  type = 0,
  proto = 0,
  flags = 0,
): Coro<AddrInfo[]> {
  const fn = 'getaddrinfo';
  if (host !== null) checkHost(fn, 'host', host);
  const portNum = portNumber(fn, port);
  if (family !== 0 && family !== AF_INET && family !== AF_INET6) {
    if (family === AF_UNIX) {
      throw new UnsupportedOperation('getaddrinfo(family): AF_UNIX has no addresses to resolve');
    }
    throw new TypeError(
      `${fn}(family): family must be 0, AF_INET or AF_INET6, got ${describeValue(family)}`,
    );
  }
  if (type !== 0 && type !== SOCK_STREAM && type !== SOCK_DGRAM) {
    throw new TypeError(
      `${fn}(type): type must be 0, SOCK_STREAM or SOCK_DGRAM, got ${describeValue(type)}`,
    );
  }
  if (typeof proto !== 'number' || !Number.isInteger(proto) || proto < 0) {
    throw new TypeError(`${fn}(proto): proto must be an integer >= 0, got ${describeValue(proto)}`);
  }
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0) {
    throw new TypeError(`${fn}(flags): flags must be an integer >= 0, got ${describeValue(flags)}`);
  }
  if ((flags & AI_CANONNAME) !== 0) {
    throw new UnsupportedOperation('getaddrinfo(flags): AI_CANONNAME is not supported by Node.js');
  }
  if ((flags & ~(AI_PASSIVE | AI_NUMERICHOST)) !== 0) {
    throw new UnsupportedOperation(
      `getaddrinfo(flags): flags ${flags} are not supported by Node.js`,
    );
  }
  let addresses: LookupAddress[];
  if (host === null || host === '') {
    const passive = (flags & AI_PASSIVE) !== 0;
    addresses = [];
    if (family !== AF_INET) addresses.push({ address: passive ? '::' : '::1', family: 6 });
    if (family !== AF_INET6)
      addresses.push({ address: passive ? '0.0.0.0' : '127.0.0.1', family: 4 });
  } else if (isIP(host) !== 0) {
    const v = isIP(host);
    if ((family === AF_INET && v !== 4) || (family === AF_INET6 && v !== 6)) {
      throw Object.assign(
        new Error(`getaddrinfo: ${host} is not an address of the requested family`),
        {
          code: 'EAI_ADDRFAMILY',
        },
      );
    }
    addresses = [{ address: host, family: v }];
  } else if ((flags & AI_NUMERICHOST) !== 0) {
    throw Object.assign(new Error(`getaddrinfo: ${host} is not a numeric host (AI_NUMERICHOST)`), {
      code: 'EAI_NONAME',
    });
  } else {
    addresses = yield* lookup(host, family);
  }
  const types = type === 0 ? [SOCK_STREAM, SOCK_DGRAM] : [type];
  const result: AddrInfo[] = [];
  for (const { address, family: v } of addresses) {
    const fam = v === 6 ? AF_INET6 : AF_INET;
    const sockaddr: Address = fam === AF_INET6 ? [address, portNum, 0, 0] : [address, portNum];
    for (const t of types) {
      const p = proto !== 0 ? proto : t === SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
      result.push([fam, t, p, '', sockaddr]);
    }
  }
  return result;
}

/**
 * This machine's host name (`os.hostname()`).
 * @example
 * ```ts run
 * import { run } from '@curio/kernel';
 * import { gethostname } from '@curio/socket';
 *
 * console.log(await run(gethostname())); // this machine's name
 * ```
 */
export function* gethostname(): Coro<string> {
  return osHostname();
}

/**
 * The IPv4 address of `hostname` (an IPv4 literal is returned as is).
 * @example
 * ```ts run
 * import { run } from '@curio/kernel';
 * import { gethostbyname } from '@curio/socket';
 *
 * console.log(await run(gethostbyname('localhost'))); // 127.0.0.1
 * ```
 */
export function* gethostbyname(hostname: string): Coro<string> {
  checkHost('gethostbyname', 'hostname', hostname);
  if (isIP(hostname) === 4) return hostname;
  const [first] = yield* lookup(hostname, AF_INET);
  return first.address;
}

/**
 * `[hostname, aliases, ipv4Addresses]` of `hostname`. Node does not report the canonical
 * name or aliases: `hostname` is returned as given and `aliases` is empty.
 * @example
 * import { gethostbynameEx } from '@curio/socket';
 *
 * function* addressesOf(host: string) {
 *   const [name, aliases, addresses] = yield* gethostbynameEx(host); // Python: gethostbyname_ex
 *   return { name, aliases, addresses };
 * }
 */
export function* gethostbynameEx(hostname: string): Coro<[string, string[], string[]]> {
  checkHost('gethostbynameEx', 'hostname', hostname);
  if (isIP(hostname) === 4) return [hostname, [], [hostname]];
  const found = yield* lookup(hostname, AF_INET);
  return [hostname, [], found.map((a) => a.address)];
}

/**
 * `[hostname, aliases, [ipAddress]]` for an IP address, by the system resolver
 * (`dns.lookupService`, so `/etc/hosts` applies); `aliases` is empty. A host name is first
 * resolved to its address.
 * @example
 * import { gethostbyaddr } from '@curio/socket';
 *
 * function* nameOf(ip: string) {
 *   const [name] = yield* gethostbyaddr(ip); // gethostbyaddr('127.0.0.1'): 'localhost'
 *   return name;
 * }
 */
export function* gethostbyaddr(ipAddress: string): Coro<[string, string[], string[]]> {
  checkHost('gethostbyaddr', 'ipAddress', ipAddress);
  const ip = isIP(ipAddress) !== 0 ? ipAddress : (yield* lookup(ipAddress, 0))[0].address;
  const { hostname } = yield* futureWait(() => dns.lookupService(ip, 0));
  return [hostname, [], [ip]];
}

/**
 * The fully qualified name of `name` (default: this host): the first name with a dot among
 * its resolved names, else `name` itself, as Python's `getfqdn`.
 * @example
 * import { getfqdn } from '@curio/socket';
 *
 * function* whoAmI() {
 *   return yield* getfqdn(); // the fully qualified name of this machine
 * }
 */
export function* getfqdn(name = ''): Coro<string> {
  if (typeof name !== 'string') {
    throw new TypeError(`getfqdn(name): name must be a string, got ${describeValue(name)}`);
  }
  name = name.trim();
  if (name === '' || name === '0.0.0.0' || name === '::') name = osHostname();
  try {
    const [hostname] = yield* gethostbyaddr(name);
    if (hostname.includes('.')) return hostname;
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code !== 'string') throw err;
  }
  return name;
}

/**
 * `[host, port]` names of a socket address: `NI_NUMERICHOST` keeps the host numeric,
 * `NI_NUMERICSERV` the port (else the service name, if the system knows one), `NI_NAMEREQD`
 * fails when the host has no name. Other flags raise `UnsupportedOperation`.
 * @example
 * import { getnameinfo } from '@curio/socket';
 *
 * function* describe() {
 *   const [host, service] = yield* getnameinfo(['127.0.0.1', 80], 0); // ['localhost', 'http']
 *   return `${host}:${service}`;
 * }
 */
export function* getnameinfo(sockaddr: Address, flags: number): Coro<[string, string]> {
  if (
    !Array.isArray(sockaddr) ||
    sockaddr.length < 2 ||
    sockaddr.length > 4 ||
    typeof sockaddr[0] !== 'string' ||
    typeof sockaddr[1] !== 'number'
  ) {
    throw new TypeError(
      `getnameinfo(sockaddr): sockaddr must be [host, port], got ${describeValue(sockaddr)}`,
    );
  }
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0) {
    throw new TypeError(
      `getnameinfo(flags): flags must be an integer >= 0, got ${describeValue(flags)}`,
    );
  }
  if ((flags & ~(NI_NUMERICHOST | NI_NUMERICSERV | NI_NAMEREQD)) !== 0) {
    throw new UnsupportedOperation(
      `getnameinfo(flags): flags ${flags} are not supported by Node.js`,
    );
  }
  const [host, port] = sockaddr;
  const ip = isIP(host) !== 0 ? host : (yield* lookup(host, 0))[0].address;
  const numericHost = (flags & NI_NUMERICHOST) !== 0;
  const numericServ = (flags & NI_NUMERICSERV) !== 0;
  if (numericHost && numericServ) return [ip, String(port)];
  let found: { hostname: string; service: string };
  try {
    found = yield* futureWait(() => dns.lookupService(ip, port));
  } catch (err) {
    if ((flags & NI_NAMEREQD) !== 0 || numericHost === false) {
      const code = (err as { code?: unknown } | null)?.code;
      if ((flags & NI_NAMEREQD) !== 0 || typeof code !== 'string') throw err;
    }
    found = { hostname: ip, service: String(port) };
  }
  return [numericHost ? ip : found.hostname, numericServ ? String(port) : found.service];
}
