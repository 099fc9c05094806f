// The kernel's messages: each error's code and its full text, `{name}` marking what the call site
// fills in (in order of first appearance: `msg(K2, 'sleep', 'ms', describe(ms))`). The default
// build raises the full text. The production build (the `production` export condition) raises
// `curio K2: sleep, ms, "abc" (explain('K2'), docs/errors.md#k2)`, and `explain(code, ...args)`
// gives the full text back. docs/errors.md is generated from this table (`node
// scripts/errors-doc.mjs`; CI fails when it is stale).
//
// Each entry: a doc comment naming the error it is raised as (`logged`: written to the console),
// then `export const K<n> = '...';`, and nothing else here: the production build gives every
// importer but explain.ts this module with each constant's value replaced by its own code (see
// scripts/lib/production-build.mjs). Codes are never reused: a message that goes gets no successor
// under its code.

// ---- arguments (validate.ts, options.ts) ----------------------------------------------
/** TypeError */
export const K1 = '{fn}: options must be an object, got {value}';
/** TypeError, RangeError */
export const K2 = '{fn}({arg}): {arg} must be a finite number >= 0, got {value}';
/** TypeError, RangeError */
export const K3 = '{fn}: timeout must be a number of milliseconds >= 0 or null, got {value}';
/** TypeError */
export const K4 =
  '{fn}({arg}): {arg} must be a coroutine (the generator object returned by calling a function*), got {value}';
/** TypeError */
export const K5 =
  '{fn}({arg}): {arg} must be a coroutine (the generator object returned by calling a function*), got {value} (a function: pass {name}(), the coroutine its call returns, not {name})';
/** TypeError */
export const K6 =
  '{fn}({arg}): {arg} must be a coroutine (the generator object returned by calling a function*), got {value} (curio coroutines are generator functions, function* with yield*, not async functions)';
/** TypeError */
export const K7 = '{call}: {arg} must be {what}, got {value}';
/** TypeError */
export const K8 =
  '{call}: {arg} must be {what}, got {value} (pass the function itself, not its call: {arg}, not {arg}(...))';
/** TypeError */
export const K9 = '{fn}: options.name must be a string, got {value}';
/** TypeError */
export const K10 = '{fn}: options.activations must be an array of Activation objects, got {value}';
/** TypeError */
export const K11 = '{fn}: options.activations[{i}] must be an Activation object, got {value}';
/** TypeError */
export const K12 = '{fn}: options.debug must be a boolean, got {value}';
/** TypeError */
export const K13 =
  '{fn}: options.selector must implement Selector (now, wait, cancelWait), got {value}';

// ---- the kernel (kernel.ts, scheduler.ts, submit.ts, monitor-loader.ts) ---------------
/** CurioError */
export const K14 =
  '{fn}: a task cannot start a nested kernel: yield* the coroutine, or yield* newTask(coro)';
/** CurioError */
export const K15 = '{fn}: this kernel is already running';
/** CurioError */
export const K16 = 'Kernel.addTask: the kernel is running; inside a task use yield* newTask(coro)';
/** CurioError */
export const K17 = 'Kernel.submit: the kernel is not running (start it with run() or runForever())';
/** CurioError */
export const K18 = 'Kernel.shutdown: refused while the kernel is running';
/** TypeError */
export const K19 = 'Kernel.submit: options.signal must be an AbortSignal, got {value}';
/** CancelledError */
export const K20 = 'Kernel.submit: the signal was already aborted; the task was not started';
/** CancelledError */
export const K21 = '{task} cancelled: its submit() signal aborted';
/** CurioError */
export const K22 = 'Kernel.submit: the kernel stopped before {task} ended';
/** CurioError */
export const K23 =
  "withMonitor: true needs the {package} package where the kernel can import it (npm install {package}); or pass it in: new Kernel({ withMonitor: monitor }) with import { monitor } from '{package}'";

// ---- tasks and traps (traps.ts, trap.ts) ----------------------------------------------
/** TypeError */
export const K24 = '{fn}(task): task must be a Task, got {value}';
/** CurioError */
export const K25 = '{fn}: {task} belongs to another kernel';
/** CurioError */
export const K26 = '{fn}: {task} cannot {verb} itself';
/** TypeError */
export const K27 = 'cancelTask: exc must be an error class or an Error, got {value}';
/** TypeError */
export const K28 = '{task} yielded {trap}(...) with a plain yield: write yield* {trap}(...)';
/** TypeError */
export const K29 =
  '{task} yielded a coroutine{kind} with a plain yield: call coroutines with yield*, not yield';
/** TypeError */
export const K30 =
  '{task} yielded {value}, which is not a kernel trap: call coroutines with yield*, not yield';

// ---- reports (reports.ts, debug-mode.ts, activations.ts) ------------------------------
/** CurioError */
export const K31 = 'deadlock: every task is blocked and nothing can wake them: {tasks}';
/** logged */
export const K32 =
  'curio: {trap}(...){at} was never run: a call without yield* does nothing (write yield* {trap}(...))';
/** logged */
export const K33 =
  'curio: activation {activation} raised an error in {hook}() and was removed (the kernel goes on):';

// ---- waits (context.ts, future.ts, io-wait.ts, queue-wait.ts, race.ts, signals.ts, local.ts)
/** TypeError */
export const K34 = 'asyncWith(cm): cm must have enter() and exit() coroutines, got {value}';
/** TypeError */
export const K35 =
  'asyncFor(iterable): iterable must be an AsyncIterable or have a next() coroutine, got {value}';
/** TypeError */
export const K36 =
  'asyncFor(iterable): iterable must be an AsyncIterable or have a next() coroutine, got {value} (a sync iterable: use for...of)';
/** CurioError */
export const K37 =
  'futureWait(factory): this runtime has no AbortController; pass a Promise instead';
/** TypeError */
export const K38 = 'futureWait(factory): the factory must return a Promise, got {value}';
/** TypeError */
export const K39 =
  'futureWait(future): future must be a Promise or a function (signal) => Promise, got {value}';
/** TypeError */
export const K40 = '{method}(wake) must return a function that withdraws the wait';
/** CurioError */
export const K41 = '{fn}: {task} is already waiting on this source';
/** TypeError */
export const K42 =
  '{fn}(source): source must be a Node stream or implement {method}(wake), got {value}';
/** TypeError */
export const K43 = 'TaskLocal.set: called outside a task (plain code has no task values)';
/** TypeError */
export const K44 = '{fn}(kqueue): kqueue must be a KernelQueue, got {value}';
/** TypeError */
export const K45 = 'waitOnQueue(stateName): stateName must be a string, got {value}';
/** RangeError */
export const K46 = 'rescheduleTasks: n must be a number >= 0, got {value}';
/** TypeError */
export const K47 = '{fn}(coros): coros must be an array of coroutines, got {value}';
/** TypeError */
export const K48 =
  '{fn}(coros): coros[{i}] must be a coroutine (the generator object returned by calling a function*), got {value}';
/** TypeError */
export const K49 =
  '{fn}(coros): coros[{i}] must be a coroutine (the generator object returned by calling a function*), got {value} (a function: pass {name}(), the coroutine its call returns, not {name})';
/** TypeError */
export const K50 = 'race(coros): coros must hold at least one coroutine, got []';
/** CurioError */
export const K51 =
  'signals need the host to offer process.on (Node.js, Deno, Bun); this runtime has none';
/** CurioError */
export const K52 = 'sigwait: {task} is already waiting on this signal set';
/** TypeError */
export const K53 =
  "{fn}(sigset): sigset.signals must be an array of signal names like 'SIGUSR1', got {value}";

// ---- debugging (debug.ts) -------------------------------------------------------------
/** TypeError */
export const K54 = '{fn}(options): options.log must be a function (line) => void, got {value}';
/** TypeError */
export const K55 =
  '{fn}(options): options.filter must be a task name, a list of names or a function (task) => boolean, got {value}';
/** TypeError */
export const K56 =
  'longblock(options): options.maxMs must be a finite number of ms >= 0, got {value}';
