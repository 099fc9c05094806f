import { isIP } from 'node:net';
import { AF_INET, AF_INET6, AF_UNIX } from './constants.js';
import { describe } from './errors.js';

/**
 * A socket address, as in Python: `[host, port]` for `AF_INET`, `[host, port]` or
 * `[host, port, flowinfo, scopeid]` for `AF_INET6`, a filesystem path for `AF_UNIX`.
 */
export type Address = string | [host: string, port: number] | InetAddress6;

/** An `AF_INET6` address as Python reports it: `[host, port, flowinfo, scopeid]`. */
export type InetAddress6 = [host: string, port: number, flowinfo: number, scopeid: number];

/** A parsed address: `path` for AF_UNIX, else `host` and `port`. @internal */
export interface ParsedAddress {
  host: string;
  port: number;
  path: string | undefined;
}

/** Checks `address` against `family`'s shape; names `fn` in the error. @internal */
export function parseAddress(fn: string, family: number, address: unknown): ParsedAddress {
  if (family === AF_UNIX) {
    if (typeof address !== 'string' || address.length === 0) {
      throw new TypeError(
        `${fn}(address): address must be a non-empty path string for AF_UNIX, got ${describe(address)}`,
      );
    }
    return { host: '', port: 0, path: address };
  }
  const shape =
    family === AF_INET6 ? '[host, port] or [host, port, flowinfo, scopeid]' : '[host, port]';
  const maxLength = family === AF_INET6 ? 4 : 2;
  if (
    !Array.isArray(address) ||
    address.length < 2 ||
    address.length > maxLength ||
    typeof address[0] !== 'string'
  ) {
    throw new TypeError(
      `${fn}(address): address must be ${shape} for ${familyName(family)}, got ${describe(address)}`,
    );
  }
  const port = address[1];
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `${fn}(address): port must be an integer from 0 to 65535, got ${describe(port)}`,
    );
  }
  return { host: address[0], port, path: undefined };
}

/** The address a family reports for `host`/`port` (4 items for AF_INET6, as Python). @internal */
export function formatAddress(
  family: number,
  host: string | undefined,
  port: number | undefined,
): Address {
  if (family === AF_UNIX) return host ?? '';
  if (family === AF_INET6) return [host ?? '::', port ?? 0, 0, 0];
  return [host ?? '0.0.0.0', port ?? 0];
}

/** The family a Node address family string (`'IPv4'`, `'IPv6'`, 4, 6) means. @internal */
export function familyOf(nodeFamily: unknown, fallback: number): number {
  if (nodeFamily === 'IPv6' || nodeFamily === 6) return AF_INET6;
  if (nodeFamily === 'IPv4' || nodeFamily === 4) return AF_INET;
  return fallback;
}

/** A readable family name for messages. @internal */
export function familyName(family: number): string {
  if (family === AF_INET) return 'AF_INET';
  if (family === AF_INET6) return 'AF_INET6';
  if (family === AF_UNIX) return 'AF_UNIX';
  return `family ${family}`;
}

/**
 * The IP literal to bind for `host`: `''` is every interface, `'localhost'` the loopback of
 * the family; other names are returned as is (resolved by Node).
 * @internal
 */
export function bindHost(family: number, host: string): string {
  if (host === '') return family === AF_INET6 ? '::' : '0.0.0.0';
  if (host === 'localhost') return family === AF_INET6 ? '::1' : '127.0.0.1';
  return host;
}

/** True if `host` is an IP literal. @internal */
export function isIpLiteral(host: string): boolean {
  return isIP(host) !== 0;
}
