import { hostname } from 'node:os';
import { CancelledError, newTask, run, TaskTimeout, timeoutAfter } from '@curio/kernel';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_PASSIVE,
  getaddrinfo,
  getfqdn,
  gethostbyaddr,
  gethostbyname,
  gethostbynameEx,
  gethostname,
  getnameinfo,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  SOCK_DGRAM,
  SOCK_STREAM,
  UnsupportedOperation,
} from '../src/index.js';
import { caught } from './helpers.js';

describe('getaddrinfo', () => {
  it('resolves localhost and literals into Python-shaped tuples', async () => {
    function* main() {
      return [
        yield* getaddrinfo('localhost', 80, AF_INET, SOCK_STREAM),
        yield* getaddrinfo('127.0.0.1', '8080'),
        yield* getaddrinfo('::1', null, AF_INET6, SOCK_DGRAM),
        yield* getaddrinfo(null, 5, AF_INET, SOCK_STREAM, 0, AI_PASSIVE),
        yield* getaddrinfo(null, 5, AF_INET, SOCK_STREAM),
      ];
    }
    expect(await run(main())).toEqual([
      [[AF_INET, SOCK_STREAM, IPPROTO_TCP, '', ['127.0.0.1', 80]]],
      [
        [AF_INET, SOCK_STREAM, IPPROTO_TCP, '', ['127.0.0.1', 8080]],
        [AF_INET, SOCK_DGRAM, IPPROTO_UDP, '', ['127.0.0.1', 8080]],
      ],
      [[AF_INET6, SOCK_DGRAM, IPPROTO_UDP, '', ['::1', 0, 0, 0]]],
      [[AF_INET, SOCK_STREAM, IPPROTO_TCP, '', ['0.0.0.0', 5]]],
      [[AF_INET, SOCK_STREAM, IPPROTO_TCP, '', ['127.0.0.1', 5]]],
    ]);
  });

  it('raises Node errors for unknown names and numeric-only lookups', async () => {
    function* main() {
      return [
        ((yield* caught(getaddrinfo('no-such-host.invalid', 80))) as { code: string }).code,
        ((yield* caught(getaddrinfo('localhost', 80, 0, 0, 0, AI_NUMERICHOST))) as { code: string })
          .code,
        ((yield* caught(getaddrinfo('127.0.0.1', 80, AF_INET6))) as { code: string }).code,
      ];
    }
    expect(await run(main())).toEqual(['ENOTFOUND', 'EAI_NONAME', 'EAI_ADDRFAMILY']);
  });

  it('refuses bad input and what Node cannot do', async () => {
    function* main() {
      const errors = [
        yield* caught(getaddrinfo(5 as never, 80)),
        yield* caught(getaddrinfo('localhost', 'http')),
        yield* caught(getaddrinfo('localhost', 70000)),
        yield* caught(getaddrinfo('localhost', 80, AF_UNIX)),
        yield* caught(getaddrinfo('localhost', 80, 77)),
        yield* caught(getaddrinfo('localhost', 80, 0, 9)),
        yield* caught(getaddrinfo('localhost', 80, 0, 0, 0, AI_CANONNAME)),
      ];
      return errors.map((e) => `${(e as Error).name}: ${(e as Error).message}`);
    }
    expect(await run(main())).toEqual([
      'TypeError: getaddrinfo(host): host must be a string, got 5',
      'UnsupportedOperation: getaddrinfo(port): service names are not supported by Node.js (use a port number), got "http"',
      'TypeError: getaddrinfo(port): port must be an integer from 0 to 65535 or null, got 70000',
      'UnsupportedOperation: getaddrinfo(family): AF_UNIX has no addresses to resolve',
      'TypeError: getaddrinfo(family): family must be 0, AF_INET or AF_INET6, got 77',
      'TypeError: getaddrinfo(type): type must be 0, SOCK_STREAM or SOCK_DGRAM, got 9',
      'UnsupportedOperation: getaddrinfo(flags): AI_CANONNAME is not supported by Node.js',
    ]);
  });

  it('is abandoned on timeout and on cancellation', async () => {
    function* main() {
      const timedOut = yield* caught(timeoutAfter(0, getaddrinfo('localhost', 80)));
      const task = yield* newTask(gethostbyname('localhost'));
      yield* task.cancel();
      return [timedOut instanceof TaskTimeout, task.excInfo instanceof CancelledError];
    }
    expect(await run(main())).toEqual([true, true]);
  });
});

describe('host name coroutines', () => {
  it('gethostname / gethostbyname / gethostbynameEx / gethostbyaddr / getfqdn', async () => {
    function* main() {
      return [
        yield* gethostname(),
        yield* gethostbyname('localhost'),
        yield* gethostbyname('10.1.2.3'),
        yield* gethostbynameEx('localhost'),
        yield* gethostbyaddr('127.0.0.1'),
        typeof (yield* getfqdn()),
        yield* getfqdn('no-such-host.invalid'),
      ];
    }
    expect(await run(main())).toEqual([
      hostname(),
      '127.0.0.1',
      '10.1.2.3',
      ['localhost', [], ['127.0.0.1']],
      ['localhost', [], ['127.0.0.1']],
      'string',
      'no-such-host.invalid',
    ]);
  });

  it('getnameinfo with and without numeric flags', async () => {
    function* main() {
      return [
        yield* getnameinfo(['127.0.0.1', 80], NI_NUMERICHOST | NI_NUMERICSERV),
        yield* getnameinfo(['127.0.0.1', 80], NI_NUMERICSERV),
        (yield* getnameinfo(['127.0.0.1', 80], 0))[0],
      ];
    }
    expect(await run(main())).toEqual([['127.0.0.1', '80'], ['localhost', '80'], 'localhost']);
  });

  it('bad input raises clear errors', async () => {
    function* main() {
      const errors = [
        yield* caught(gethostbyname(1 as never)),
        yield* caught(gethostbyaddr(null as never)),
        yield* caught(getfqdn(3 as never)),
        yield* caught(getnameinfo('127.0.0.1' as never, 0)),
        yield* caught(getnameinfo(['127.0.0.1', 80], 16)),
      ];
      return errors.map((e) => `${(e as Error).name}: ${(e as Error).message}`);
    }
    expect(await run(main())).toEqual([
      'TypeError: gethostbyname(hostname): hostname must be a string, got 1',
      'TypeError: gethostbyaddr(ipAddress): ipAddress must be a string, got null',
      'TypeError: getfqdn(name): name must be a string, got 3',
      'TypeError: getnameinfo(sockaddr): sockaddr must be [host, port], got "127.0.0.1"',
      'UnsupportedOperation: getnameinfo(flags): flags 16 are not supported by Node.js',
    ]);
    expect(UnsupportedOperation).toBeDefined();
  });
});
