// The manual's subprocess example: stream `ping`'s output line by line as it arrives, and
// stop cleanly on Ctrl-C (SIGINT) through a SignalSet. Where ping is not installed, a Node
// stand-in prints the same kind of lines; the first line of output says which one runs.
//
//   node dist/ping.js                          # ping -c 3 -i 0.2 127.0.0.1
//   CURIO_PING=/bin/ping node dist/ping.js     # the ping program (a missing one: the stand-in)
//   node dist/ping.js node -e "..."            # any other command, from the arguments
//   CURIO_PING_CMD='["node","-e","..."]' node dist/ping.js   # or from the environment
import { asyncFor, asyncWith, type Coro, newTask, run } from '@curio/kernel';
import { SignalSet } from '@curio/signal';
import { PIPE, Popen } from '@curio/subprocess';
import { pingStandIn } from './ping-stand-in.js';

const HOST = '127.0.0.1';
const COUNT = 3;
const INTERVAL_SECONDS = 0.2;

// A command given in the arguments or in CURIO_PING_CMD, else null (ping itself).
function givenCommand(): string[] | null {
  const fromArgs = process.argv.slice(2);
  if (fromArgs.length > 0 && process.argv[1]?.endsWith('ping.js')) return fromArgs;
  const fromEnv = process.env.CURIO_PING_CMD;
  if (fromEnv !== undefined && fromEnv !== '') {
    return fromEnv.trim().startsWith('[')
      ? (JSON.parse(fromEnv) as string[])
      : fromEnv.split(/\s+/);
  }
  return null;
}

function start(): Popen {
  const given = givenCommand();
  if (given !== null) return new Popen(given, { stdout: PIPE });
  const ping = process.env.CURIO_PING || 'ping';
  try {
    const child = new Popen([ping, '-c', `${COUNT}`, '-i', `${INTERVAL_SECONDS}`, HOST], {
      stdout: PIPE,
    });
    console.log('using system ping');
    return child;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    console.log('ping not found: using a Node stand-in');
    return new Popen(pingStandIn(HOST, COUNT, INTERVAL_SECONDS), { stdout: PIPE });
  }
}

// Print every line of the child's output; if cancelled, stop the child and reap it.
function* stream(child: Popen): Coro<number> {
  try {
    yield* asyncFor(child.stdout!, function* (line) {
      process.stdout.write(`Got: ${line.toString()}`);
    });
    return yield* child.wait();
  } finally {
    if (child.returncode === null) {
      child.terminate();
      yield* child.wait();
    }
  }
}

function* main(): Coro<void> {
  const child = start();
  yield* asyncWith(new SignalSet('SIGINT'), function* (sigset) {
    const streamer = yield* newTask(stream(child));
    const interrupter = yield* newTask(
      (function* () {
        yield* sigset.wait();
        console.log('Ctrl-C: stopping');
        yield* streamer.cancel();
      })(),
    );
    try {
      console.log(`exit status ${yield* streamer.join()}`);
    } catch {
      console.log(`cancelled; ${child.args[0]} ended with status ${child.returncode}`);
    }
    yield* interrupter.cancel();
  });
}

await run(main());
