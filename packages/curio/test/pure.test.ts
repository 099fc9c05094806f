import * as executors from '@curio/executors';
import * as kernel from '@curio/kernel';
import * as monitor from '@curio/monitor';
import * as net from '@curio/net';
import * as queue from '@curio/queue';
import * as signal from '@curio/signal';
import * as sync from '@curio/sync';
import { describe, expect, it } from 'vitest';
import * as full from '../src/index.js';
import * as pure from '../src/pure.js';

const fullNames = full as unknown as Record<string, unknown>;
const pureNames = pure as unknown as Record<string, unknown>;
const portable = new Set([...Object.keys(kernel), ...Object.keys(queue), ...Object.keys(sync)]);
const standIns = Object.keys(pureNames).filter((name) => !portable.has(name));

const HERE =
  "this is curio's build for runtimes without Node.js (browsers, workers, the neutral platform), which has @curio/kernel, @curio/sync and @curio/queue only";

function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return `${err instanceof kernel.CurioError ? 'CurioError' : 'other'}: ${(err as Error).message}`;
  }
  return 'no error';
}

describe('the entry for runtimes without Node (the import/require conditions without node)', () => {
  it('exports exactly the names of the full entry', () => {
    expect(Object.keys(pureNames).sort()).toEqual(Object.keys(fullNames).sort());
  });

  it('the names of kernel, sync and queue are the packages’ own', () => {
    const differ = [...portable].filter((name) => pureNames[name] !== fullNames[name]);
    expect(differ).toEqual([]);
  });

  it('constants of the I/O packages keep their values', () => {
    const constants = standIns.filter((name) => typeof fullNames[name] !== 'function');
    const values = constants.filter((name) => typeof fullNames[name] !== 'object');
    expect(values.map((name) => [name, pureNames[name]])).toEqual(
      values.map((name) => [name, fullNames[name]]),
    );
    expect(values.sort()).toEqual(['MONITOR_HOST', 'MONITOR_PORT']);
  });

  it('every function or class of an I/O package throws a CurioError naming its package', () => {
    const owners = { executors, monitor, net, signal };
    const ownerOf = (name: string) =>
      Object.entries(owners).find(([, mod]) => name in mod)?.[0] ?? 'none';
    const functions = standIns.filter((name) => typeof pureNames[name] === 'function');
    const message = (name: string) =>
      `CurioError: ${name}: @curio/${ownerOf(name)} needs Node.js, Bun or Deno; ${HERE}`;
    expect(
      functions.map((name) => {
        const standIn = pureNames[name] as new () => unknown;
        return [thrown(() => (standIn as unknown as () => unknown)()), thrown(() => new standIn())];
      }),
    ).toEqual(functions.map((name) => [message(name), message(name)]));
    // Everything else is a constant (MONITOR_HOST, MONITOR_PORT) or a namespace (io, socket, ssl, subprocess).
    expect(functions.length).toBe(standIns.length - 6);
    expect(new Error('x') instanceof pure.WorkerFailed).toBe(false);
  });

  it('the I/O namespaces throw when a name is read, naming the package', () => {
    expect([
      thrown(() => pure.io.Socket),
      thrown(() => pure.socket.socketpair),
      thrown(() => pure.ssl.createDefaultContext),
      thrown(() => pure.subprocess.run),
    ]).toEqual([
      expect.stringMatching(/^CurioError: io\.Socket: @curio\/io needs Node\.js/),
      expect.stringMatching(/^CurioError: socket\.socketpair: @curio\/socket needs Node\.js/),
      expect.stringMatching(/^CurioError: ssl\.createDefaultContext: @curio\/ssl needs Node\.js/),
      expect.stringMatching(/^CurioError: subprocess\.run: @curio\/subprocess needs Node\.js/),
    ]);
    expect((pure.io as unknown as Record<symbol, unknown>)[Symbol.toStringTag]).toBeUndefined();
  });

  it('a program using only the pure parts runs', async () => {
    function* main() {
      const q = new pure.Queue<string>();
      yield* pure.newTask(q.put('item'));
      yield* pure.sleep(1);
      return yield* q.get();
    }
    expect(await pure.run(main())).toBe('item');
  });
});
