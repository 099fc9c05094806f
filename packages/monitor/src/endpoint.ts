// Where a monitor serves its console, so that only its own user gets in: one private directory
// (0700) per monitor, named by the process id, that holds its Unix socket (0600), or the token
// file (0600) of a TCP console or a Windows named pipe; and the search curio-monitor makes.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  type Stats,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { describe, type Transport } from './options.js';

/** Where a monitor serves its console: what `onListening` gets and `findMonitors` lists. */
export interface MonitorAddress {
  /**
   * `'unix'`: a Unix socket in the private directory (the default); `'pipe'`: a Windows named
   * pipe (the default on Windows), `'tcp'`: a loopback TCP port (when asked for). A pipe and a
   * TCP console take the token from the private directory first.
   */
  transport: Transport;
  /** The process id of the program the monitor runs in. */
  pid: number;
  /** The monitor's private directory (mode 0700), removed when the monitor ends. */
  dir: string;
  /** The socket's or the pipe's path (`'unix'`, `'pipe'`). */
  path?: string;
  /** The TCP console's host (`'tcp'`). */
  host?: string;
  /** The TCP console's port (`'tcp'`). */
  port?: number;
}

const PREFIX = 'curio-monitor-';
/** The Unix socket's name in the private directory. */
export const SOCKET_FILE = 'sock';
/** The token file's name: JSON `{ token, host, port }` (TCP) or `{ token, path }` (pipe). */
export const TOKEN_FILE = 'token';

/** The named pipe of the monitor whose private directory is `dir` (unique, as `dir` is). */
export function pipePath(dir: string): string {
  return `\\\\.\\pipe\\${dir.split(/[\\/]/).pop()}`;
}

// The user's tag in directory names: the uid (POSIX); Windows' temp directory is per user.
function owner(): string {
  return String(process.getuid?.() ?? 'user');
}

function stat(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/**
 * True when only this user can use directory `path`: a real directory (not a link), owned by
 * this user, with no access for group or others. (Windows has no modes: there the per-user
 * temp directory's access list protects it.)
 */
export function isPrivateDir(path: string): boolean {
  const st = stat(path);
  if (st === null || !st.isDirectory()) return false;
  if (process.getuid === undefined) return true;
  return st.uid === process.getuid() && (st.mode & 0o077) === 0;
}

// A directory to make private directories in: this user's or root's, and nobody else can
// rename or remove what is in it (not writable by others, or sticky like /tmp).
function isSafeBase(path: string): boolean {
  const st = stat(path);
  if (st === null || !st.isDirectory()) return false;
  if (process.getuid === undefined) return true;
  const ownerOk = st.uid === process.getuid() || st.uid === 0;
  return ownerOk && ((st.mode & 0o022) === 0 || (st.mode & 0o1000) !== 0);
}

/**
 * Where private directories are made and looked for, in that order: `$XDG_RUNTIME_DIR` when
 * it is this user's own directory, then the OS temp directory (`$TMPDIR`, `/tmp`).
 */
export function baseDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const bases: string[] = [];
  const runtime = env.XDG_RUNTIME_DIR;
  if (
    process.getuid !== undefined &&
    runtime !== undefined &&
    isAbsolute(runtime) &&
    stat(runtime)?.uid === process.getuid() &&
    isSafeBase(runtime)
  ) {
    bases.push(runtime);
  }
  const temp = tmpdir();
  if (!bases.includes(temp) && isSafeBase(temp)) bases.push(temp);
  return bases;
}

// The monitors' private directories of this user in `base`, with their process ids.
function privateDirs(base: string): { pid: number; dir: string }[] {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return [];
  }
  const pattern = new RegExp(`^${PREFIX}${owner()}-(\\d+)-[^-]+$`);
  const found: { pid: number; dir: string }[] = [];
  for (const name of names) {
    const match = pattern.exec(name);
    const dir = join(base, name);
    if (match !== null && isPrivateDir(dir)) found.push({ pid: Number(match[1]), dir });
  }
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove a private directory: only the files a monitor makes there, then the directory. */
export function removePrivateDir(dir: string): void {
  for (const file of [SOCKET_FILE, TOKEN_FILE]) {
    try {
      unlinkSync(join(dir, file));
    } catch {
      // Not made, or already gone.
    }
  }
  try {
    rmdirSync(dir);
  } catch {
    // Already gone, or holds something a monitor did not put there: left alone.
  }
}

/**
 * Make the private directory of a monitor of this process, after removing those of this
 * user's processes that have died (a killed program leaves its directory behind).
 */
export function makePrivateDir(env: NodeJS.ProcessEnv = process.env): string {
  const bases = baseDirs(env);
  if (bases.length === 0) {
    throw new Error(
      `no safe directory for the console's socket: ${tmpdir()} is writable by other users`,
    );
  }
  let failure: unknown;
  for (const base of bases) {
    for (const stale of privateDirs(base)) {
      if (!isAlive(stale.pid)) removePrivateDir(stale.dir);
    }
    try {
      const dir = mkdtempSync(join(base, `${PREFIX}${owner()}-${process.pid}-`));
      chmodSync(dir, 0o700); // mkdtemp's mode already; said again for the reader
      return dir;
    } catch (err) {
      failure = err;
    }
  }
  throw failure;
}

/** The line a connection gets when its first line is not the token; then it is closed. */
export const REFUSED =
  'curio monitor: refused: wrong or missing token (the user running the program can read it; curio-monitor sends it)\n';
/** How {@link REFUSED} starts: what a client recognises. */
export const REFUSED_START = 'curio monitor: refused';

/** Write the token file (0600) of a TCP or pipe console; returns the new random token. */
export function writeToken(dir: string, where: { host: string; port: number } | { path: string }) {
  const token = randomBytes(32).toString('hex');
  writeFileSync(join(dir, TOKEN_FILE), `${JSON.stringify({ token, ...where })}\n`, {
    mode: 0o600,
    flag: 'wx',
  });
  return token;
}

interface TokenFile {
  token: string;
  host?: string;
  port?: number;
  path?: string;
}

function readTokenFile(dir: string): TokenFile | null {
  const file = join(dir, TOKEN_FILE);
  if (stat(file)?.isFile() !== true) return null;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as TokenFile;
    return typeof data.token === 'string' ? data : null;
  } catch {
    return null;
  }
}

/** The token of the monitor whose private directory is `dir`, or `undefined`. */
export function readToken(dir: string): string | undefined {
  return readTokenFile(dir)?.token;
}

/** Whether `given` is `token`, compared in constant time. */
export function tokenMatches(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

// What a private directory serves, or null when it is not ready (or not a monitor's).
function addressIn(pid: number, dir: string): MonitorAddress | null {
  const data = readTokenFile(dir);
  if (data !== null && typeof data.port === 'number' && typeof data.host === 'string') {
    return { transport: 'tcp', pid, dir, host: data.host, port: data.port };
  }
  if (data !== null && typeof data.path === 'string') {
    return { transport: 'pipe', pid, dir, path: data.path };
  }
  const path = join(dir, SOCKET_FILE);
  if (stat(path)?.isSocket() === true) return { transport: 'unix', pid, dir, path };
  return null;
}

/**
 * The consoles of monitors running as this user, found in their private directories (under
 * `$XDG_RUNTIME_DIR` and the temp directory), in process id order; only those of process
 * `pid` when given. Directories of processes that have died are left out. This is how
 * `curio-monitor` and {@link monitorClient} find a console; other users' monitors are never
 * listed (nor reachable).
 * @example
 * import { findMonitors } from '@curio/monitor';
 * for (const m of findMonitors()) console.log(m.pid, m.transport, m.path ?? `${m.host}:${m.port}`);
 */
export function findMonitors(pid?: number): MonitorAddress[] {
  if (pid !== undefined && (!Number.isInteger(pid) || pid <= 0)) {
    throw new TypeError(`findMonitors(pid): pid must be a positive integer, got ${describe(pid)}`);
  }
  const found: MonitorAddress[] = [];
  for (const base of baseDirs()) {
    for (const entry of privateDirs(base)) {
      if ((pid !== undefined && entry.pid !== pid) || !isAlive(entry.pid)) continue;
      const address = addressIn(entry.pid, entry.dir);
      if (address !== null) found.push(address);
    }
  }
  return found.sort((a, b) => a.pid - b.pid || a.dir.localeCompare(b.dir));
}

/** Where `address` listens, for messages: a path, or `host:port`. */
export function describeAddress(address: MonitorAddress): string {
  if (address.path !== undefined) return address.path;
  const host = address.host?.includes(':') ? `[${address.host}]` : address.host;
  return `${host}:${address.port}`;
}
