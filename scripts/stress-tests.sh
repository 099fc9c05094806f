#!/usr/bin/env bash
# Stress run: the whole test suite (`test:all`, nothing cached) several times in a row with
# two CPU hogs beside it, the larger test sizes on (CURIO_STRESS=1: 2,000-client echo load,
# 1M spawn+join and 1M timeouts leak checks) and more property-test runs. Every run must pass.
#
#   bash scripts/stress-tests.sh            # 5 runs
#   STRESS_RUNS=2 bash scripts/stress-tests.sh
#
# Run it before merging a change to the kernel's scheduling, timeouts or cancellation, to a
# test that waits on real time, or to anything CI has been seen to flake on.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${STRESS_RUNS:-5}"
export CI=true TURBO_TELEMETRY_DISABLED=1 TURBO_FORCE=true CURIO_STRESS=1
export FAST_CHECK_RUNS="${FAST_CHECK_RUNS:-5000}"
pnpm=(npx -y pnpm@10.34.9)

hogs=()
stop_hogs() {
  for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
}
trap stop_hogs EXIT
for _ in 1 2; do
  node -e 'for (;;) {}' &
  hogs+=("$!")
done

"${pnpm[@]}" install --frozen-lockfile || exit 1
passed=0
start=$SECONDS
for i in $(seq 1 "$runs"); do
  log="$(mktemp)"
  t0=$SECONDS
  if "${pnpm[@]}" run test:all >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "stress run $i/$runs: passed in $((SECONDS - t0)) s"
  else
    echo "stress run $i/$runs: FAILED in $((SECONDS - t0)) s; the failing part of its log:"
    sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E -B2 -A25 'FAIL|×|ERR|failed' | head -120
  fi
  rm -f "$log"
done
echo "stress: $passed/$runs runs passed in $((SECONDS - start)) s (2 CPU hogs, CURIO_STRESS=1, FAST_CHECK_RUNS=$FAST_CHECK_RUNS)"
[ "$passed" -eq "$runs" ]
