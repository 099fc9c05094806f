import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * A reference to an exported function of a module, for work that is not self-contained.
 * `module` is an absolute path, a `file:` URL (string or `URL`), a `node:` built-in, or a
 * bare package name (resolved from `@curio/executors`' own location). `name` is the export
 * (default `'default'`).
 * @example
 * import { type ModuleFunction, runCpuBound } from '@curio/executors';
 *
 * // hash.js, beside this module: export function sha256(text) { ... }
 * const hash: ModuleFunction = { module: new URL('./hash.js', import.meta.url), name: 'sha256' };
 *
 * function* digest(text: string) {
 *   return yield* runCpuBound<string>(hash, [text]);
 * }
 */
export interface ModuleFunction {
  readonly module: string | URL;
  readonly name?: string;
}

/** A function sent by its source text (it must be self-contained). */
export type SourceFunction = (...args: never[]) => unknown;

/** What executors run: a self-contained function or a {@link ModuleFunction}. */
export type Callable = SourceFunction | ModuleFunction;

/**
 * What a worker thread receives for one call: `source` of a self-contained function, or a
 * module URL and export name. @internal
 */
export interface WorkerTask {
  source?: string;
  module?: string;
  name?: string;
  label: string;
  args: readonly unknown[];
}

/** Readable rendering of a bad argument. @internal */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (value === null || typeof value !== 'object') return String(value);
  if (typeof (value as PromiseLike<unknown>).then === 'function') return 'a Promise';
  const ctor = (value as object).constructor;
  return ctor && ctor !== Object ? `a ${ctor.name}` : 'an object';
}

const sourceCache = new WeakMap<Function, string>();

/** Checks `callable` and turns it, with `args`, into what a worker thread runs. @internal */
export function toWorkerTask(fn: string, callable: unknown, args: readonly unknown[]): WorkerTask {
  if (typeof callable === 'function') {
    let source = sourceCache.get(callable);
    if (source === undefined) {
      source = Function.prototype.toString.call(callable);
      if (/\{\s*\[native code\]\s*\}$/.test(source)) {
        throw new TypeError(
          `${fn}(callable): ${describe(callable)} is native or bound and has no source to send to a worker thread; pass a self-contained function or { module, name }`,
        );
      }
      if (/^class\b/.test(source)) {
        throw new TypeError(`${fn}(callable): callable must be a function, got a class`);
      }
      sourceCache.set(callable, source);
    }
    return { source, label: callable.name || '(anonymous)', args };
  }
  if (callable !== null && typeof callable === 'object' && 'module' in callable) {
    const { module, name = 'default' } = callable as ModuleFunction;
    if (typeof name !== 'string' || name === '') {
      throw new TypeError(
        `${fn}(callable): callable.name must be the name of an exported function, got ${describe(name)}`,
      );
    }
    const url = toModuleUrl(fn, module);
    return { module: url, name, label: `${name} of ${url}`, args };
  }
  throw new TypeError(
    `${fn}(callable): callable must be a self-contained function or { module, name }, got ${describe(callable)}`,
  );
}

function toModuleUrl(fn: string, module: unknown): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module === '') {
    throw new TypeError(
      `${fn}(callable): callable.module must be a path, a URL or a package name, got ${describe(module)}`,
    );
  }
  if (isAbsolute(module)) return pathToFileURL(module).href;
  if (module.startsWith('./') || module.startsWith('../')) {
    throw new TypeError(
      `${fn}(callable): callable.module ${JSON.stringify(module)} is relative; a worker thread cannot tell relative to what. Use new URL(${JSON.stringify(module)}, import.meta.url)`,
    );
  }
  return module;
}
