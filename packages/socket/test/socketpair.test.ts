import { run } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import { AF_INET, AF_UNIX, SOCK_DGRAM, socketpair, UnsupportedOperation } from '../src/index.js';
import { checkNoLeaks } from './helpers.js';

checkNoLeaks();

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

  it('refuses datagram pairs', () => {
    expect(() => socketpair(AF_UNIX, SOCK_DGRAM)).toThrow(UnsupportedOperation);
    expect(() => socketpair(AF_UNIX, SOCK_DGRAM)).toThrow(/SOCK_DGRAM/);
    expect(() => socketpair(99)).toThrow(TypeError);
  });
});
