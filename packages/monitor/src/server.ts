// The served console: a private Unix socket (a named pipe on Windows) or a loopback TCP
// listener; every connection runs a console in its own task, after the token where one is set.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket, Stream } from '@curio/io';
import { CancelledError, type Coro, currentTask, ignoreAfter, newTask } from '@curio/kernel';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_TCP,
  SO_REUSEADDR,
  SOCK_STREAM,
  SOL_SOCKET,
  socket,
  TCP_NODELAY,
} from '@curio/socket';
import { type ConsoleIO, describeError, errorText, PROMPT, runConsole } from './console.js';
import type { MonitorContext } from './context.js';
import {
  type MonitorAddress,
  makePrivateDir,
  pipePath,
  REFUSED,
  removePrivateDir,
  SOCKET_FILE,
  tokenMatches,
  writeToken,
} from './endpoint.js';
import type { ConsolePlan } from './options.js';

// How long a connection may take to send the token, and its longest accepted line.
const TOKEN_WAIT_MS = 10_000;
const MAX_TOKEN_LINE = 256;
// Unix socket paths are limited (sun_path: 108 bytes on Linux, 104 on macOS, with its NUL).
const MAX_SOCKET_PATH = 103;

/** A console being served: its listener, its token (none on a Unix socket), and its undo. */
export interface Served {
  server: Socket;
  token: string | undefined;
  /** Close the listener and remove the private directory. */
  close(): Coro<void>;
}

/**
 * Serve the console as `plan` says, from a new private directory. On failure (port in use...)
 * the problem is reported and `null` returned: the kernel runs on without the served console.
 */
export function* openServer(
  ctx: MonitorContext,
  plan: Exclude<ConsolePlan, { transport: 'off' }>,
): Coro<Served | null> {
  const what = plan.transport === 'tcp' ? 'TCP console' : 'console socket';
  let dir: string;
  try {
    dir = makePrivateDir();
  } catch (err) {
    ctx.report(
      `cannot make the console's private directory: ${describeError(err)}; the program runs on without the ${what}`,
    );
    return null;
  }
  const path = plan.transport === 'unix' ? join(dir, SOCKET_FILE) : pipePath(dir);
  const where = plan.transport === 'tcp' ? `${plan.host}:${plan.port}` : path;
  let server: Socket | null = null;
  let address: MonitorAddress;
  let token: string | undefined;
  try {
    if (plan.transport === 'tcp') {
      server = socket(plan.host.includes(':') ? AF_INET6 : AF_INET, SOCK_STREAM);
      server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
      server.bind([plan.host, plan.port]);
      server.listen(5);
      const [host, port] = server.getsockname() as [string, number];
      address = { transport: 'tcp', pid: process.pid, dir, host, port };
      token = writeToken(dir, { host, port });
    } else {
      if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
        throw new Error(
          `the path is too long for a Unix socket (${Buffer.byteLength(path)} bytes, at most ${MAX_SOCKET_PATH}): set TMPDIR to a shorter directory`,
        );
      }
      server = socket(AF_UNIX, SOCK_STREAM);
      server.bind(path);
      server.listen(5);
      // The 0700 directory already keeps other users out; the socket's own mode says it too.
      if (plan.transport === 'unix') chmodSync(path, 0o600);
      else token = writeToken(dir, { path });
      address = { transport: plan.transport, pid: process.pid, dir, path };
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use (EADDRINUSE)' : describeError(err);
    ctx.report(
      `cannot serve the console on ${where}: ${why}; the program runs on without the ${what}`,
    );
    if (server !== null) yield* server.close();
    removePrivateDir(dir);
    return null;
  }
  // A program that exits without shutting the kernel down still removes its directory.
  const removeDir = () => removePrivateDir(dir);
  process.on('exit', removeDir);
  if (ctx.onListening !== undefined) {
    try {
      ctx.onListening(address);
    } catch (err) {
      ctx.report(`options.onListening failed: ${describeError(err)}`);
    }
  }
  const listener = server;
  return {
    server: listener,
    token,
    *close() {
      try {
        yield* listener.close();
      } finally {
        process.off('exit', removeDir);
        removeDir();
      }
    },
  };
}

/** Accept connections for ever, each served by its own daemon task. */
export function* serve(ctx: MonitorContext, served: Served): Coro<void> {
  let count = 0;
  for (;;) {
    let client: Socket;
    try {
      [client] = yield* served.server.accept();
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      ctx.report(`the served console stopped: ${describeError(err)}`);
      return;
    }
    count++;
    yield* newTask(clientSession(ctx, client, served.token), {
      daemon: true,
      name: `monitor-client-${count}`,
    });
  }
}

// The first line of a connection, read a byte at a time so that nothing after it is taken
// from the console; `null` at end of input or past a token's length.
function* firstLine(reader: Stream): Coro<string | null> {
  let line = '';
  while (line.length <= MAX_TOKEN_LINE) {
    const byte = yield* reader.read(1);
    if (byte.length === 0) return null;
    if (byte[0] === 0x0a) return line.replace(/\r$/, '');
    line += String.fromCharCode(byte[0]);
  }
  return null;
}

// One client's console. Errors end the session, never the monitor or the kernel.
function* clientSession(
  ctx: MonitorContext,
  client: Socket,
  token: string | undefined,
): Coro<void> {
  const me = yield* currentTask();
  ctx.own.add(me);
  try {
    // Replies go out as a reply and a prompt: no Nagle delay between them.
    if (client.family !== AF_UNIX) client.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    const [reader, writer] = client.makeStreams();
    if (token !== undefined) {
      const given = yield* ignoreAfter(TOKEN_WAIT_MS, firstLine(reader), null);
      if (given === null || !tokenMatches(given, token)) {
        yield* ignoreAfter(100, writer.write(Buffer.from(REFUSED, 'utf8')));
        return;
      }
    }
    const io: ConsoleIO = {
      *readLine() {
        const data = yield* reader.readline();
        if (data.length === 0) return null;
        return data.toString('utf8').replace(/\r?\n$/, '');
      },
      *write(text) {
        yield* writer.write(Buffer.from(text, 'utf8'));
      },
      *prompt() {
        yield* writer.write(Buffer.from(PROMPT, 'utf8'));
      },
    };
    try {
      yield* runConsole(io, ctx.commands);
    } catch (err) {
      const text =
        err instanceof CancelledError
          ? '\nThe monitor is stopping: leaving the console\n'
          : `\nThe console failed: ${errorText(err)}`;
      try {
        // The client may be gone or not reading: never wait long for it.
        yield* ignoreAfter(100, io.write(text));
      } catch {
        // The connection is broken: nobody to tell.
      }
    }
  } finally {
    ctx.own.delete(me);
    yield* client.close();
  }
}
