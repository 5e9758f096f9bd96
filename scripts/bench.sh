#!/usr/bin/env bash
# The benchmark (issue #6): build the module and the renderer, boot a real
# Debian kernel under QEMU, run every scenario for every controller on the
# same disks in that one guest (tests/bench/bench-guest.sh), then render
# docs/bench/README.md and its PNG plots from the guest's fio results and
# print the same report.
#   scripts/bench.sh [--kernel 6.1|6.12] [--quick] [--realtime|--icount] [--out DIR] [--no-run]
# --no-run renders the last results of that kernel again without booting.
# BENCH_* variables reach the guest: BENCH_DEPTH=2|8|32 (the bottleneck
# disk's tags), BENCH_SCENARIOS, BENCH_ROUNDS, ... (docs/benchmark.md).
# On 6.12 the guest runs on QEMU's instruction-counting clock (run.py
# --icount, without cmpxchg16b; see there): the host's load then moves
# nothing.  6.1 does not boot on it and runs on the wall clock, as does
# --realtime.  Not part of CI.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
kernel=6.12
script=tests/bench/bench-guest.sh
out=docs/bench
run=1
clock=auto
args=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--quick) script=tests/bench/bench-quick.sh; shift ;;
	--out) out=$2; shift 2 ;;
	--no-run) run=0; shift ;;
	--realtime) clock=; shift ;;
	--icount) clock=--icount; shift ;;
	*) echo "usage: scripts/bench.sh [--kernel 6.1|6.12] [--quick] [--realtime|--icount] [--out DIR] [--no-run]" >&2; exit 2 ;;
	esac
done
if [ "$clock" = auto ]; then
	case $kernel in 6.1) clock= ;; *) clock=--icount ;; esac
fi
[ "$run" = 1 ] && tests/setup.sh >/dev/null
cargo build --release --quiet -p ioband-bench
name=$(basename "$script" .sh)
# a failed guest check (fio error, a kernel warning) is reported but the
# results are still rendered: the report says what ran
rc=0
# the host's load beside the guest, for the report: TCG guests slow down
# when the host is busy
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
[ "$run" = 1 ] && { python3 tests/vm/run.py $clock --kernel "$kernel" "$script" || rc=$?; }
res=$(ls -td .cache/results/"$kernel"[.-]*/"$name" | head -n 1)
if [ "$run" = 1 ] && [ -f "$res/bench/meta.txt" ]; then
	{
		echo "host=$(nproc) cores; load average before the run $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
		# with the BENCH_* settings the guest saw, so that the report's
		# command repeats the run
		echo "command=$(env | grep '^BENCH_' | sort | tr '\n' ' ')scripts/bench.sh${args[*]:+ ${args[*]}}"
	} >>"$res/bench/meta.txt"
fi
target/release/ioband-bench "$res/bench" "$out"
exit "$rc"
