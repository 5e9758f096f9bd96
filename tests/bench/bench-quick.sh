#!/usr/bin/env bash
# The benchmark's short form (scripts/bench.sh --quick): fewer scenarios,
# shorter fio runs, one round.
# timeout: 3600
# memory: 2G
export BENCH_QUICK=1
. "$REPO/tests/bench/bench-guest.sh"
