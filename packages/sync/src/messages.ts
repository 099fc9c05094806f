// @curio/sync's messages: each error's code and its full text, `{name}` marking what the call site
// fills in (in order of first appearance). The default build raises the full text; the production
// build (the `production` export condition) raises the code and what was filled in (`curio S3:
// Semaphore, value, -1 (docs/errors.md#s3)`). docs/errors.md is generated from this table (`node
// scripts/errors-doc.mjs`; CI fails when it is stale).
//
// Each entry: a doc comment naming the error it is raised as (`logged`: written to the console),
// then `export const S<n> = '...';`, and nothing else here: the production build gives every
// importer this module with each constant's value replaced by its own code
// (scripts/lib/production-build.mjs). Codes are never reused.

/** TypeError */
export const S1 = '{fn}(options): options must be an object like { timeout }, got {value}';
/** TypeError, RangeError */
export const S2 =
  '{fn}(options): options.timeout must be a number of milliseconds >= 0 or null, got {value}';
/** TypeError, RangeError */
export const S3 = '{fn}({arg}): {arg} must be an integer >= 0, got {value}';
/** TypeError */
export const S4 =
  'Condition(lock): lock must be a Lock (with acquire, release and locked), got {value}';
/** CurioError */
export const S5 = '{fn}: the lock is not held (acquire it first)';
/** TypeError */
export const S6 = 'Condition.waitFor(predicate): predicate must be a function, got {value}';
/** CurioError */
export const S7 = 'Lock.release: the lock is not held';
/** CurioError */
export const S8 =
  'BoundedSemaphore.release: released too many times (value would exceed its initial value {bound})';
/** CancelledError */
export const S9 = 'UniversalEvent.waitAsync: aborted by its signal';
/** TypeError */
export const S10 =
  'UniversalEvent.waitAsync(options): options must be an object like { signal, timeout }, got {value}';
/** TypeError */
export const S11 =
  'UniversalEvent.waitAsync(options): options.signal must be an AbortSignal, got {value}';
