// @curio/queue's messages: each error's code and its full text, `{name}` marking what the call site
// fills in (in order of first appearance). The default build raises the full text; the production
// build (the `production` export condition) raises the code and what was filled in (`curio Q3:
// Queue, -1 (docs/errors.md#q3)`). docs/errors.md is generated from this table (`node
// scripts/errors-doc.mjs`; CI fails when it is stale).
//
// Each entry: a doc comment naming the error it is raised as (`logged`: written to the console),
// then `export const Q<n> = '...';`, and nothing else here: the production build gives every
// importer this module with each constant's value replaced by its own code
// (scripts/lib/production-build.mjs). Codes are never reused.

/** TypeError */
export const Q1 = '{fn}(options): options must be an object like { timeout }, got {value}';
/** TypeError, RangeError */
export const Q2 =
  '{fn}(options): options.timeout must be a number of milliseconds >= 0 or null, got {value}';
/** TypeError, RangeError */
export const Q3 = '{fn}(maxsize): maxsize must be an integer >= 0 (0: unbounded), got {value}';
/** TypeError */
export const Q4 =
  'PriorityQueue(maxsize, options): options must be an object like { compare }, got {value}';
/** TypeError */
export const Q5 =
  'PriorityQueue(maxsize, options): options.compare must be a function (a, b) => number, got {value}';
/** TypeError */
export const Q6 =
  'PriorityQueue.put(item): without a compare option, items must be numbers, strings, bigints or arrays of them, got {value}';
/** CurioError */
export const Q7 = '{queue}.taskDone: called more times than there were items put';
/** CancelledError */
export const Q8 = 'UniversalQueue.{method}: aborted by its signal';
/** TypeError */
export const Q9 =
  'UniversalQueue.{method}(options): options must be an object like { signal, timeout }, got {value}';
/** TypeError */
export const Q10 =
  'UniversalQueue.{method}(options): options.signal must be an AbortSignal, got {value}';
/** QueueEmpty */
export const Q11 = 'UniversalQueue.getNowait: the queue is empty';
/** QueueFull */
export const Q12 = 'UniversalQueue.putNowait: the queue is full (maxsize {maxsize})';
