import { networkInterfaces } from 'node:os';
import { run, sleep } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  SOCK_DGRAM,
  socketpair,
  UnsupportedOperation,
} from '../src/index.js';
import { checkNoLeaks } from './helpers.js';

checkNoLeaks();

const hasIpv6Loopback = Object.values(networkInterfaces()).some((list) =>
  (list ?? []).some((i) => i.address === '::1'),
);

describe('socketpair', () => {
  for (const [name, family] of [
    ['AF_UNIX', AF_UNIX],
    ['AF_INET', AF_INET],
  ] as const) {
    it(`connects a pair over ${name}`, async () => {
      function* main() {
        const [a, b] = socketpair(family);
        yield* a.sendall(Buffer.from('ping'));
        const got = (yield* b.recv(10)).toString();
        yield* b.sendall(Buffer.from('pong'));
        const back = (yield* a.recv(10)).toString();
        yield* a.close();
        const eof = (yield* b.recv(10)).length;
        yield* b.close();
        return [got, back, eof];
      }
      expect(await run(main())).toEqual(['ping', 'pong', 0]);
    });
  }

  it.skipIf(!hasIpv6Loopback)('connects a pair over AF_INET6', async () => {
    function* main() {
      const [a, b] = socketpair(AF_INET6);
      yield* a.sendall(Buffer.from('six'));
      const got = (yield* b.recv(10)).toString();
      const families = [a.family, b.family];
      yield* a.close();
      yield* b.close();
      return [got, families];
    }
    expect(await run(main())).toEqual(['six', [AF_INET6, AF_INET6]]);
  });

  it('closing both ends at once, before the connection completes, leaves nothing open', async () => {
    function* main() {
      const [a, b] = socketpair();
      yield* a.close();
      yield* b.close();
      yield* sleep(10);
      return [a.closed, b.closed];
    }
    expect(await run(main())).toEqual([true, true]);
  });

  it('streams made before the pair is connected wait for it', async () => {
    function* main() {
      const [a, b] = socketpair();
      const [reader] = b.makeStreams();
      const [, writer] = a.makeStreams();
      yield* writer.write(Buffer.from('line one\nline two\n'));
      const lines = [(yield* reader.readline()).toString(), (yield* reader.readline()).toString()];
      for (const s of [reader, writer, a, b]) yield* s.close();
      return lines;
    }
    expect(await run(main())).toEqual(['line one\n', 'line two\n']);
  });

  it('refuses datagram pairs', () => {
    expect(() => socketpair(AF_UNIX, SOCK_DGRAM)).toThrow(UnsupportedOperation);
    expect(() => socketpair(AF_UNIX, SOCK_DGRAM)).toThrow(/SOCK_DGRAM/);
    expect(() => socketpair(99)).toThrow(TypeError);
  });
});
