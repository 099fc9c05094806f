// Tutorial, chapter 6: Ctrl-C (SIGINT) shuts the server down cleanly: every member is told,
// each outbox gets up to 1 s to go out, then the server closes and every session ends.
//   node apps/examples/dist/tutorial/06-shutdown.js [port]   (then: nc 127.0.0.1 25000)
import { pathToFileURL } from 'node:url';
import type { Socket, Stream } from '@curio/io';
import {
  asyncWith,
  type Coro,
  currentTask,
  ignoreAfter,
  newTask,
  run,
  type Task,
  TaskGroup,
  TaskTimeout,
  timeoutAfter,
} from '@curio/kernel';
import { createServer } from '@curio/net';
import { Queue } from '@curio/queue';
import { SignalSet } from '@curio/signal';

/** Time limits in milliseconds, and the size of each outbox in lines. */
export const limits = { nameMs: 30_000, idleMs: 5 * 60_000, slowMs: 1000, outbox: 100 };

type Reader = Pick<Stream, 'readline'>;
type Writer = Pick<Stream, 'write'>;

interface Member {
  name: string;
  outbox: Queue<string>; // lines on their way to the client
  task: Task; // the member's session
  why: string; // why it left, when another task ended its session
}

/** Who is in the room. */
export class Room {
  readonly members = new Map<string, Member>();
  closed = false;

  /**
   * `from` says `text` to everyone else. A full outbox makes the sender wait (back-pressure),
   * but only up to `limits.slowMs`: then that member is dropped.
   */
  *say(from: Member, text: string): Coro<void> {
    for (const member of [...this.members.values()]) {
      if (member === from) continue;
      try {
        yield* member.outbox.put(`${from.name}: ${text}`, { timeout: limits.slowMs });
      } catch (err) {
        if (!(err instanceof TaskTimeout)) throw err;
        yield* this.remove(member, ' (too slow)');
      }
    }
  }

  /** Tell every member `text`, without waiting: a member whose outbox is full misses it. */
  *announce(text: string): Coro<void> {
    console.log(text); // the server's log shows the announcements
    if (this.closed) return; // after the goodbye, members are told nothing more
    for (const member of [...this.members.values()]) {
      if (!member.outbox.full()) yield* member.outbox.put(text);
    }
  }

  /** Say goodbye to everyone, and wait (up to `limits.slowMs`) until every outbox is sent. */
  *close(text: string): Coro<void> {
    yield* this.announce(text);
    this.closed = true;
    const outboxes = [...this.members.values()].map((member) => member.outbox);
    yield* ignoreAfter(limits.slowMs, sendAll(outboxes));
  }

  /** End `member`'s session: its task is cancelled where it waits. Returns once it has ended. */
  *remove(member: Member, why: string): Coro<void> {
    member.why = why;
    yield* member.task.cancel();
  }
}

function* sendAll(outboxes: Queue<string>[]): Coro<void> {
  for (const outbox of outboxes) yield* outbox.join();
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

/** The member's writer task: sends its outbox to the client, line by line. */
function* deliver(outbox: Queue<string>, writer: Writer): Coro<void> {
  for (;;) {
    const text = yield* outbox.get();
    yield* send(writer, text);
    yield* outbox.taskDone();
  }
}

/** Carry out a command; false when the member leaves. */
function* command(room: Room, me: Member, text: string): Coro<boolean> {
  const [verb, arg = ''] = text.split(/\s+/, 2);
  if (verb === '/quit') return false;
  if (verb === '/who') {
    yield* me.outbox.put(`In the room: ${[...room.members.keys()].join(', ')}`);
  } else if (verb === '/kick' && room.members.has(arg) && arg !== me.name) {
    yield* room.remove(room.members.get(arg)!, ` (kicked by ${me.name})`);
  } else {
    yield* me.outbox.put('Commands: /who, /kick NAME (not yourself), /quit');
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
  const outbox = new Queue<string>(limits.outbox);
  const me: Member = { name, outbox, task: yield* currentTask(), why: '' };
  room.members.set(name, me);
  yield* room.announce(`* ${name} joined`);
  try {
    // The writer task belongs to a group: however the session ends, it is cancelled too.
    yield* asyncWith(new TaskGroup(), function* (group) {
      yield* group.spawn(deliver(outbox, writer));
      yield* chat(room, me, reader);
      yield* ignoreAfter(limits.slowMs, outbox.join()); // let the last lines go out
      yield* group.cancelRemaining();
    });
  } finally {
    room.members.delete(name);
    yield* room.announce(`* ${name} left${me.why}`);
    yield* ignoreAfter(limits.slowMs, send(writer, `Bye${me.why}.`)); // a slow client gets 1 s
  }
}

/** Read the member's lines until it leaves, falls silent or hangs up. */
function* chat(room: Room, me: Member, reader: Reader): Coro<void> {
  try {
    for (;;) {
      const text = yield* timeoutAfter(limits.idleMs, readLine(reader)); // a fresh limit per line
      if (text === null) return;
      if (!text.startsWith('/')) yield* room.say(me, text);
      else if (!(yield* command(room, me, text))) return;
    }
  } catch (err) {
    if (!(err instanceof TaskTimeout)) throw err;
    me.why = ' (idle)';
  }
}

function* main(port: number): Coro<void> {
  const room = new Room();
  const server = createServer('127.0.0.1', port, function* chatClient(client: Socket) {
    const [reader, writer] = client.makeStreams();
    yield* session(room, reader, writer);
  });
  // From here on Ctrl-C is queued for us instead of ending the process.
  yield* asyncWith(new SignalSet('SIGINT'), function* (signals) {
    const serving = yield* newTask(server.serveForever());
    console.log(`chat server listening on ${(server.address as [string, number]).join(':')}`);
    yield* signals.wait();
    console.log('Ctrl-C: shutting down');
    yield* room.close('* The server is shutting down.');
    yield* server.close(); // stops listening, cancels every session and waits for them
    yield* serving.join();
  });
  console.log('server stopped');
}

// Run as a program (not when a test imports the file).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run(main(Number(process.argv[2] ?? 25000)));
}
