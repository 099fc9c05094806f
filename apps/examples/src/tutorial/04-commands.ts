// Tutorial, chapter 4: commands and cancellation. `/who` lists the room, `/quit` leaves it, and
// `/kick NAME` ends another member's session: its task is cancelled where it waits.
//   node apps/examples/dist/tutorial/04-commands.js [port]   (then: nc 127.0.0.1 25000)
import { pathToFileURL } from 'node:url';
import type { Socket, Stream } from '@curio/io';
import {
  type Coro,
  currentTask,
  ignoreAfter,
  run,
  type Task,
  TaskTimeout,
  timeoutAfter,
} from '@curio/kernel';
import { createServer } from '@curio/net';

/** Time limits, in milliseconds. */
export const limits = { nameMs: 30_000, idleMs: 5 * 60_000, slowMs: 1000 };

type Reader = Pick<Stream, 'readline'>;
type Writer = Pick<Stream, 'write'>;

interface Member {
  name: string;
  writer: Writer;
  task: Task; // the member's session
  why: string; // why it left, when another task ended its session
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

  /** End `member`'s session: its task is cancelled where it waits. Returns once it has ended. */
  *remove(member: Member, why: string): Coro<void> {
    member.why = why;
    yield* member.task.cancel();
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

/** Carry out a command; false when the member leaves. */
function* command(room: Room, me: Member, text: string): Coro<boolean> {
  const [verb, arg = ''] = text.split(/\s+/, 2);
  if (verb === '/quit') return false;
  if (verb === '/who') {
    yield* send(me.writer, `In the room: ${[...room.members.keys()].join(', ')}`);
  } else if (verb === '/kick' && room.members.has(arg) && arg !== me.name) {
    yield* room.remove(room.members.get(arg)!, ` (kicked by ${me.name})`);
  } else {
    yield* send(me.writer, 'Commands: /who, /kick NAME (not yourself), /quit');
  }
  return true;
}

/** One client's visit: pick a name in time, then chat until it leaves or is sent away. */
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
  const me: Member = { name, writer, task: yield* currentTask(), why: '' };
  room.members.set(name, me);
  yield* room.broadcast(`* ${name} joined`);
  try {
    for (;;) {
      const text = yield* timeoutAfter(limits.idleMs, readLine(reader)); // a fresh limit per line
      if (text === null) break;
      if (!text.startsWith('/')) yield* room.broadcast(`${name}: ${text}`, me);
      else if (!(yield* command(room, me, text))) break;
    }
  } catch (err) {
    if (!(err instanceof TaskTimeout)) throw err;
    me.why = ' (idle)';
  } finally {
    // However the session ends (cancelled too), the others hear of it. A cancelled task may
    // still wait here: its canceller waits until it is done.
    room.members.delete(name);
    yield* room.broadcast(`* ${name} left${me.why}`);
    yield* ignoreAfter(limits.slowMs, send(writer, `Bye${me.why}.`)); // a slow client gets 1 s
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
