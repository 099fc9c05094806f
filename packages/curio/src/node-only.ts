import { CurioError } from '@curio/kernel';

const HERE =
  "this is curio's build for runtimes without Node.js (browsers, workers, the neutral platform), which has @curio/kernel, @curio/sync and @curio/queue only";

function needsNode(name: string, pkg: string): CurioError {
  return new CurioError(`${name}: ${pkg} needs Node.js, Bun or Deno; ${HERE}`);
}

/**
 * A stand-in for a function or class of an I/O package: calling or constructing it throws a
 * CurioError naming the package; `instanceof` it is false.
 */
export function nodeOnly(name: string, pkg: string): never {
  return function nodeOnly() {
    throw needsNode(name, pkg);
  } as never;
}

/** A stand-in for an I/O package's namespace (`io`, `socket`, ...): reading a name throws. */
export function nodeOnlyNamespace(name: string, pkg: string): never {
  return new Proxy(
    {},
    {
      get(_target, key) {
        if (typeof key === 'symbol') return undefined;
        throw needsNode(`${name}.${key}`, pkg);
      },
    },
  ) as never;
}
