// A stand-in for a chat client, for tests in virtual time. The session reads the lines the
// test types and writes into a shared log, each line stamped with the virtual time. There is
// no socket, so when every task waits, the virtual clock jumps to the next deadline.
import { type Coro, getKernel, sleep } from '@curio/kernel';
import { Queue } from '@curio/queue';

function* now(): Coro<number> {
  return (yield* getKernel()).selector.now();
}

export class FakeClient {
  private readonly typed = new Queue<string>();

  /** What the session reads from, as from a Stream: the next line typed; empty once hung up. */
  readonly reader = { readline: (): Coro<Buffer> => this.nextLine() };
  /** What the session writes to, as to a Stream: each write takes `writeMs` (a slow client). */
  readonly writer = { write: (data: Uint8Array): Coro<number> => this.receive(data) };

  /**
   * `log` gets `"<ms> <name>> <line>"` for each line typed, `"<ms> <name>< <line>"` for each
   * line received; each write takes `writeMs` (set it to make a client slow).
   */
  constructor(
    readonly name: string,
    private readonly log: string[],
    public writeMs = 0,
  ) {}

  /** Type a line, then pause 10 ms, as a person would (the server has handled it by then). */
  *type(text: string): Coro<void> {
    this.log.push(`${yield* now()} ${this.name}> ${text}`);
    yield* this.typed.put(`${text}\n`);
    yield* sleep(10);
  }

  /** Hang up: the session reads end of file. */
  *hangUp(): Coro<void> {
    this.log.push(`${yield* now()} ${this.name} hangs up`);
    yield* this.typed.put('');
  }

  private *nextLine(): Coro<Buffer> {
    return Buffer.from(yield* this.typed.get());
  }

  private *receive(data: Uint8Array): Coro<number> {
    if (this.writeMs > 0) yield* sleep(this.writeMs);
    const at = yield* now();
    for (const line of Buffer.from(data).toString().split('\n')) {
      if (line !== '') this.log.push(`${at} ${this.name}< ${line}`);
    }
    return data.length;
  }
}
