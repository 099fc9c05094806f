// The script every pool thread loads: runs one WorkerTask and returns its result.
import type { WorkerTask } from './callable.js';

type Fn = (...args: unknown[]) => unknown;

// Compiled functions by source text; loaded modules by URL. Both live as long as the thread.
const functions = new Map<string, Fn>();
const modules = new Map<string, Promise<Record<string, unknown>>>();

// biome-ignore lint/security/noGlobalEval: a function sent by its source is compiled here.
const indirectEval = eval;

function compile(source: string, label: string): Fn {
  let fn: unknown;
  try {
    fn = indirectEval(`(${source})\n//# sourceURL=curio-executors:${label}`);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    // A method (`name(x) { ... }`) is not an expression on its own: wrap it in an object.
    try {
      fn = Object.values(indirectEval(`({${source}})`) as object)[0];
    } catch {
      throw new SyntaxError(
        `the source of ${label} does not compile as a function expression in the worker thread: ${err.message}`,
      );
    }
  }
  if (typeof fn !== 'function') {
    throw new TypeError(`the source of ${label} is not a function in the worker thread`);
  }
  functions.set(source, fn as Fn);
  return fn as Fn;
}

function notSelfContained(err: ReferenceError, label: string): ReferenceError {
  const original = err.message;
  err.message =
    `${label} is not self-contained: ${original} in the worker thread. A function sent by its ` +
    'source sees only its arguments and globals (use import() inside it for modules), not ' +
    'variables it closed over; pass them as arguments or use { module, name }';
  if (typeof err.stack === 'string') err.stack = err.stack.replace(original, err.message);
  return err;
}

// Exports already loaded, by module URL and name: the common case answers synchronously.
const exported = new Map<string, Fn>();

async function loadExport(url: string, name: string): Promise<Fn> {
  let loading = modules.get(url);
  if (loading === undefined) {
    loading = import(url) as Promise<Record<string, unknown>>;
    modules.set(url, loading);
    loading.catch(() => modules.delete(url));
  }
  let mod: Record<string, unknown>;
  try {
    mod = await loading;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot import module ${url} in the worker thread: ${message}`);
  }
  const fn = mod[name];
  if (typeof fn !== 'function') {
    throw new TypeError(`module ${url} has no exported function ${JSON.stringify(name)}`);
  }
  exported.set(`${name}@${url}`, fn as Fn);
  return fn as Fn;
}

function checkResult(result: unknown, label: string): unknown {
  const kind = typeof result;
  if (kind === 'function' || kind === 'symbol') {
    throw new TypeError(
      `the result of ${label} cannot be copied back from the worker thread (a ${kind})`,
    );
  }
  return result;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

function explain(err: unknown, label: string, sourced: boolean): never {
  if (sourced && err instanceof ReferenceError) throw notSelfContained(err, label);
  throw err;
}

// Calls fn, answering synchronously when it does (no extra promise hops on the hot path).
function call(fn: Fn, args: readonly unknown[], label: string, sourced: boolean): unknown {
  let result: unknown;
  try {
    result = fn(...args);
  } catch (err) {
    explain(err, label, sourced);
  }
  if (isThenable(result)) {
    return Promise.resolve(result).then(
      (value) => checkResult(value, label),
      (err: unknown) => explain(err, label, sourced),
    );
  }
  return checkResult(result, label);
}

/** Runs one task; the pool sends each task here. */
export default function runTask(task: WorkerTask): unknown {
  const { source, label, args } = task;
  if (source !== undefined) {
    return call(functions.get(source) ?? compile(source, label), args, label, true);
  }
  const url = task.module as string;
  const name = task.name as string;
  const fn = exported.get(`${name}@${url}`);
  if (fn !== undefined) return call(fn, args, label, false);
  return loadExport(url, name).then((loaded) => call(loaded, args, label, false));
}
