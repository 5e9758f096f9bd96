#!/usr/bin/env bash
# Fuzz the CLI's parsers of the target's text (table lines, messages,
# status) with cargo-fuzz for a bounded time: no input may panic, and what
# parses must print back exactly (cli/fuzz/fuzz_targets/parse.rs).
# cargo-fuzz needs the -Z flags of a nightly compiler; the machine has only
# the stable toolchain, so RUSTC_BOOTSTRAP=1 lets stable accept them.
#   tests/host/fuzz.sh [SECONDS]     default 60 ($IOBAND_FUZZ_SECS)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-${IOBAND_FUZZ_SECS:-60}}
tools=$repo/.cache/tools
if [ ! -x "$tools/bin/cargo-fuzz" ]; then
	cargo install --quiet --locked --root "$tools" cargo-fuzz --version 0.13.2
fi
# libFuzzer writes what it finds into the first corpus directory: keep the
# checked-in seeds read-only and collect new inputs in .cache.
corpus=$repo/.cache/fuzz-corpus
mkdir -p "$corpus"
cd "$repo/cli/fuzz"
export RUSTC_BOOTSTRAP=1
log=$repo/.cache/fuzz.log
rc=0
PATH=$tools/bin:$PATH cargo fuzz run parse "$corpus" corpus/parse -- \
	-max_total_time="$secs" -print_final_stats=1 >"$log" 2>&1 || rc=$?
grep -E '^stat::(number_of_executed_units|new_units_added)|panicked|SUMMARY|Failing input|artifact' "$log" || true
# cargo fuzz exits non-zero and leaves an artifact when an input fails
if [ "$rc" -ne 0 ]; then
	tail -n 30 "$log"
	echo "not ok - fuzz parse failed (exit $rc); the input is in cli/fuzz/artifacts/parse/"
	exit 1
fi
echo "ok - fuzz parse ran ${secs}s without a failure"
