// Sizing of property tests: by run count, never by wall time (a loaded CI machine is slow,
// not wrong). CI runs the default; set FAST_CHECK_RUNS to run more (scripts/stress-tests.sh
// does). Works in browsers too, where there is no `process`.

/** The minimum number of runs of each property in CI. */
export const DEFAULT_RUNS = 1000;

/**
 * Runs for a property: `FAST_CHECK_RUNS` when set (a positive integer), else `DEFAULT_RUNS`,
 * scaled by `weight` for properties whose single run is heavier or lighter than the norm.
 */
export function propertyRuns(weight = 1): number {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  const raw = env?.FAST_CHECK_RUNS;
  let runs = DEFAULT_RUNS;
  if (raw !== undefined && raw !== '') {
    runs = Number(raw);
    if (!Number.isInteger(runs) || runs < 1) {
      throw new TypeError(`FAST_CHECK_RUNS must be a positive integer, got ${JSON.stringify(raw)}`);
    }
  }
  return Math.max(1, Math.round(runs * weight));
}

/**
 * A test timeout for a property sized by run count: generous enough that a loaded machine
 * never fails it (about 50 ms a run, at least 2 minutes); only a real hang does.
 */
export function propertyTimeout(runs: number): number {
  return Math.max(120_000, runs * 50);
}
