// The manual's subprocess example: stream `ping`'s output line by line as it arrives, and
// stop cleanly on Ctrl-C (SIGINT) through a SignalSet.
//
//   node dist/ping.js                          # ping -c 3 -i 0.2 127.0.0.1
//   node dist/ping.js node -e "..."            # any other command, from the arguments
//   CURIO_PING_CMD='["node","-e","..."]' node dist/ping.js   # or from the environment
import { asyncFor, asyncWith, type Coro, newTask, run } from '@curio/kernel';
import { SignalSet } from '@curio/signal';
import { PIPE, Popen } from '@curio/subprocess';

const DEFAULT_COMMAND = ['ping', '-c', '3', '-i', '0.2', '127.0.0.1'];

function command(): string[] {
  const fromArgs = process.argv.slice(2);
  if (fromArgs.length > 0 && process.argv[1]?.endsWith('ping.js')) return fromArgs;
  const fromEnv = process.env.CURIO_PING_CMD;
  if (fromEnv !== undefined && fromEnv !== '') {
    return fromEnv.trim().startsWith('[')
      ? (JSON.parse(fromEnv) as string[])
      : fromEnv.split(/\s+/);
  }
  return DEFAULT_COMMAND;
}

function start(args: string[]): Popen | null {
  try {
    return new Popen(args, { stdout: PIPE });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || args[0] !== 'ping') throw err;
    console.log(
      'ping is not installed: install the iputils-ping package (Debian/Ubuntu: apt-get install iputils-ping)',
    );
    return null;
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
  const child = start(command());
  if (child === null) return;
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
