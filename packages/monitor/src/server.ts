// The TCP console: a loopback listener whose every connection runs a console in its own task.
import type { Socket } from '@curio/io';
import { CancelledError, type Coro, currentTask, ignoreAfter, newTask } from '@curio/kernel';
import {
  AF_INET,
  AF_INET6,
  IPPROTO_TCP,
  SO_REUSEADDR,
  SOCK_STREAM,
  SOL_SOCKET,
  socket,
  TCP_NODELAY,
} from '@curio/socket';
import { type ConsoleIO, describeError, errorText, PROMPT, runConsole } from './console.js';
import type { MonitorContext } from './context.js';

/**
 * Listen on `host:port`. On failure (port in use...) the problem is reported and `null`
 * returned: the kernel runs on without the TCP console.
 */
export function* openServer(ctx: MonitorContext, host: string, port: number): Coro<Socket | null> {
  const server = socket(host.includes(':') ? AF_INET6 : AF_INET, SOCK_STREAM);
  try {
    server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    server.bind([host, port]);
    server.listen(5);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use (EADDRINUSE)' : describeError(err);
    ctx.report(
      `cannot serve the console on ${host}:${port}: ${why}; the program runs on without the TCP console`,
    );
    yield* server.close();
    return null;
  }
  const [boundHost, boundPort] = server.getsockname() as [string, number];
  if (ctx.onListening !== undefined) {
    try {
      ctx.onListening({ host: boundHost, port: boundPort });
    } catch (err) {
      ctx.report(`options.onListening failed: ${describeError(err)}`);
    }
  }
  return server;
}

/** Accept connections for ever, each served by its own daemon task. */
export function* serve(ctx: MonitorContext, server: Socket): Coro<void> {
  let count = 0;
  for (;;) {
    let client: Socket;
    try {
      [client] = yield* server.accept();
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      ctx.report(`the TCP console stopped: ${describeError(err)}`);
      return;
    }
    count++;
    yield* newTask(clientSession(ctx, client), { daemon: true, name: `monitor-client-${count}` });
  }
}

// One TCP client's console. Errors end the session, never the monitor or the kernel.
function* clientSession(ctx: MonitorContext, client: Socket): Coro<void> {
  const me = yield* currentTask();
  ctx.own.add(me);
  try {
    // Replies go out as a reply and a prompt: no Nagle delay between them.
    client.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    const [reader, writer] = client.makeStreams();
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
