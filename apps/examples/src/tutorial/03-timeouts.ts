// Tutorial, chapter 3: time limits. A client has 30 s to pick a name, and one silent for 5
// minutes is sent away. The file exports its parts so that tests can run them in virtual time.
//   node apps/examples/dist/tutorial/03-timeouts.js [port]   (then: nc 127.0.0.1 25000)
import { pathToFileURL } from 'node:url';
import type { Socket, Stream } from '@curio/io';
import { type Coro, run, TaskTimeout, timeoutAfter } from '@curio/kernel';
import { createServer } from '@curio/net';

/** Time limits, in milliseconds. */
export const limits = { nameMs: 30_000, idleMs: 5 * 60_000 };

type Reader = Pick<Stream, 'readline'>;
type Writer = Pick<Stream, 'write'>;

interface Member {
  name: string;
  writer: Writer;
}

/** Who is in the room. */
export class Room {
  readonly members = new Map<string, Member>();

  /** Send `text` to every member but `except`. */
  *broadcast(text: string, except?: Member): Coro<void> {
    if (except === undefined) console.log(text); // the server's log shows the announcements
    for (const member of [...this.members.values()]) {
      if (member !== except) yield* send(member.writer, text);
    }
  }
}

function* send(writer: Writer, text: string): Coro<void> {
  yield* writer.write(Buffer.from(`${text}\n`));
}

/** The client's next line, without its line end; null once the client has hung up. */
function* readLine(reader: Reader): Coro<string | null> {
  const data = yield* reader.readline();
  return data.length === 0 ? null : data.toString().trim();
}

/** Ask until the client gives a name nobody has; null if it hangs up first. */
function* chooseName(room: Room, reader: Reader, writer: Writer): Coro<string | null> {
  for (;;) {
    yield* send(writer, 'What is your name?');
    const name = yield* readLine(reader);
    if (name === null || (name !== '' && !room.members.has(name))) return name;
    yield* send(writer, `Sorry, "${name}" is taken.`);
  }
}

/** One client's visit: pick a name in time, then chat until it hangs up or falls silent. */
export function* session(room: Room, reader: Reader, writer: Writer): Coro<void> {
  let name: string | null;
  try {
    // One deadline for the whole exchange, however many names the client tries.
    name = yield* timeoutAfter(limits.nameMs, chooseName(room, reader, writer));
  } catch (err) {
    if (!(err instanceof TaskTimeout)) throw err;
    yield* send(writer, 'Too slow, bye.');
    return;
  }
  if (name === null) return;
  const me: Member = { name, writer };
  room.members.set(name, me);
  yield* room.broadcast(`* ${name} joined`);
  let why = '';
  try {
    for (;;) {
      const text = yield* timeoutAfter(limits.idleMs, readLine(reader)); // a fresh limit per line
      if (text === null) break;
      yield* room.broadcast(`${name}: ${text}`, me);
    }
  } catch (err) {
    if (!(err instanceof TaskTimeout)) throw err;
    yield* send(writer, 'You have been quiet for too long, bye.');
    why = ' (idle)';
  } finally {
    // However the session ends, the others hear of it.
    room.members.delete(name);
    yield* room.broadcast(`* ${name} left${why}`);
  }
}

function* main(port: number): Coro<void> {
  const room = new Room();
  const server = createServer('127.0.0.1', port, function* chatClient(client: Socket) {
    const [reader, writer] = client.makeStreams();
    yield* session(room, reader, writer);
  });
  console.log(`chat server listening on ${(server.address as [string, number]).join(':')}`);
  yield* server.serveForever();
}

// Run as a program (not when a test imports the file).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run(main(Number(process.argv[2] ?? 25000)));
}
