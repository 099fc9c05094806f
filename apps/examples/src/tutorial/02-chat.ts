// Tutorial, chapter 2: a chat room. Each client picks a name; every line it sends goes to
// everyone else in the room.
//   node apps/examples/dist/tutorial/02-chat.js [port]   (then, in two terminals: nc 127.0.0.1 25000)
import type { Socket, Stream } from '@curio/io';
import { type Coro, run } from '@curio/kernel';
import { createServer } from '@curio/net';

type Reader = Pick<Stream, 'readline'>;
type Writer = Pick<Stream, 'write'>;

interface Member {
  name: string;
  writer: Writer;
}

/** Who is in the room. */
class Room {
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

/** One client's visit: pick a name, then chat until it hangs up. */
function* session(room: Room, reader: Reader, writer: Writer): Coro<void> {
  const name = yield* chooseName(room, reader, writer);
  if (name === null) return;
  const me: Member = { name, writer };
  room.members.set(name, me);
  yield* room.broadcast(`* ${name} joined`);
  try {
    for (;;) {
      const text = yield* readLine(reader);
      if (text === null) break;
      yield* room.broadcast(`${name}: ${text}`, me);
    }
  } finally {
    // However the session ends, the others hear of it.
    room.members.delete(name);
    yield* room.broadcast(`* ${name} left`);
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

await run(main(Number(process.argv[2] ?? 25000)));
