#!/usr/bin/env bash
# Every test: installs what it needs (Debian packages, every kernel line,
# the pinned virtme-ng), builds the CLI and the module, runs the Rust tests
# and the guest suites on each kernel line as tests/kernels/ci.plan says
# (Linux 6.1, 6.12, 6.12-rt, the newest 7.x and 7.x-rt, and the debug
# kernel).  Run as root on Debian 12.
#   tests/run-all.sh                 the CI plan
#   tests/run-all.sh --full          every suite on every line (longer)
#   tests/run-all.sh --kernel 7.x    the plan's suites for one line (repeatable)
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
start=$(date +%s)

# phase NAME: say when each phase starts; their durations are printed again
# at the end, where CI's log tail shows them
phases=() phase_name="" phase_t=$start
phase() {
	local now
	now=$(date +%s)
	[ -z "$phase_name" ] || phases+=("$(printf '%5ss  %s' $((now - phase_t)) "$phase_name")")
	phase_name=$1 phase_t=$now
	[ -z "$1" ] || echo "== $1 (at $((now - start))s)"
}

plan=tests/kernels/ci.plan
args=()
for a in "$@"; do
	case $a in
	--full) plan=tests/kernels/full.plan ;;
	*) args+=("$a") ;;
	esac
done
set -- "${args[@]+"${args[@]}"}"

phase "setup (packages, kernel lines)"
IOBAND_VIRTIOFSD_LATER=1 tests/setup.sh

# The debug kernel is built once per machine (about 15 minutes on 2 cores)
# and cached outside the clone; tests/kernels/build-debug.sh says how.
phase "debug kernel (lockdep, KASAN, kmemleak): cached or built"
debug_cached=1
tests/kernels/build-debug.sh --if-cached >/dev/null 2>&1 || debug_cached=0
IOBAND_DEBUG_KERNEL=1 tests/kernels/install.sh | grep '^debug '
# Building it took about 17 of CI's 75 minutes: then this run gives the
# debug kernel the core four, passthrough (REQ_NOWAIT, inline encryption:
# only this kernel has blk-crypto-fallback) and the self-tests; every later
# run, with the kernel cached, all of its plan.
if [ "$debug_cached" = 0 ] && [ "$plan" = tests/kernels/ci.plan ]; then
	sed 's/^debug .*/debug     smoke seed-doc integrity faults passthrough selftest-lockdep selftest-leak/' \
		tests/kernels/ci.plan >.cache/ci-debug-built.plan
	plan=.cache/ci-debug-built.plan
	echo "note: the debug kernel was built in this run: it runs $(grep '^debug ' "$plan" | cut -c11-) this time"
fi
# virtiofsd (the guests' root) builds beside the CLI: both builds have
# stretches on one core (build scripts, linking), so together they finish
# sooner than one after the other
tests/host/virtiofsd.sh >.cache/virtiofsd.out 2>&1 &
virtiofsd_pid=$!
# fstests (for the suites fstests and logwrites) from ../shared/vendor,
# built beside them
tests/host/fstests.sh >.cache/fstests.out 2>&1 &
fstests_pid=$!

# One boot per kernel runs all of that kernel's suites, the two kernels side
# by side (each guest gets about one core; more guests only slowed the
# CPU-bound suites on 2 cores).  Suites marked `# exclusive: yes` (they
# measure shares) run afterwards with no CPU-bound suite beside them.
# IOBAND_JOBS=1 IOBAND_BOOTS=0 runs one at a time, one boot per suite.
export IOBAND_JOBS=${IOBAND_JOBS:-2} IOBAND_BOOTS=${IOBAND_BOOTS:-1}

rust_pass=0
if [ -f Cargo.toml ]; then
	phase "cargo fmt / build (the guests need the CLI; virtiofsd beside it)"
	cargo fmt --all -- --check
	cargo build --release --quiet -p ioband
fi

wait "$virtiofsd_pid" || { cat .cache/virtiofsd.out; exit 1; }
wait "$fstests_pid" || { cat .cache/fstests.out; exit 1; }
# CI's fstests: its short list on ext4 (the full plan adds XFS)
[ "$plan" != tests/kernels/full.plan ] && export FSTESTS_FSES=${FSTESTS_FSES:-ext4}

# DKMS installs into the host's /lib/modules, which the guests see: it runs
# (and cleans up) before any other guest boots.
phase "DKMS packaging (host build + guest modprobe)"
tests/host/dkms.sh "$@"

# The shared suites wait on disks and timers for much of their time; the
# host's own checks (clippy, tests, fuzzer) fill the CPU meanwhile.
phase "guest suites (shared), host checks beside them"
python3 tests/vm/run.py --plan "$plan" --part shared "$@" >.cache/suites-shared.log 2>&1 &
guests_pid=$!
host_checks() {
	if [ -f Cargo.toml ]; then
		echo "== cargo clippy / test"
		cargo clippy --release --all-targets --quiet -- -D warnings || return 1
		cargo test --release --quiet 2>&1 | tee .cache/cargo-test.log
		[ "${PIPESTATUS[0]}" -eq 0 ] || return 1
		rust_pass=1
	fi
	echo "== share.py (how the guest suites measure a split)"
	python3 -m unittest discover -s tests/lib -p 'test_*.py' || return 1
	echo "== Prometheus rules and Grafana dashboard (packaging/)"
	tests/host/prometheus-rules.sh || return 1
	echo "== checkpatch --strict (kmod/)"
	tests/host/checkpatch.sh || return 1
	echo "== fuzz (cargo fuzz, parsers of the target's text)"
	tests/host/fuzz.sh
}
host_rc=0
host_checks >.cache/host-checks.log 2>&1 || host_rc=$?
cat .cache/host-checks.log
rc=0
wait "$guests_pid" || rc=$?
cat .cache/suites-shared.log

phase "guest suites (exclusive: share measurements)"
python3 tests/vm/run.py --plan "$plan" --part exclusive "$@" | tee .cache/suites-exclusive.log || rc=1
phase ""
[ "$host_rc" -eq 0 ] || rc=1
total=$(grep -h '^[0-9]* passed, [0-9]* failed$' .cache/suites-shared.log .cache/suites-exclusive.log |
	awk '{p += $1; f += $3} END {printf "%d passed, %d failed", p, f}')
# CI shows the log's head and tail: the suites that failed, and where the
# guest time went (each line's total and its suites), go here
echo "== suites that failed"
grep -h '^FAIL ' .cache/suites-shared.log .cache/suites-exclusive.log | cut -c1-160 || echo "none"
echo "== guest seconds per kernel line, and its suites"
grep -h '^\(ok\|FAIL\) .* on .* in [0-9]*s' .cache/suites-shared.log .cache/suites-exclusive.log |
	sed 's/^[a-zA-Z]* \([^ ]*\) on \([^ ]*\) .* in \([0-9]*\)s.*/\2 \1 \3/' |
	awk '{t[$1] += $3; s[$1] = s[$1] " " $2 ":" $3} END {for (k in t) print t[k] "s " k ":" s[k]}' |
	sort -rn | cut -c1-400 || true
echo "== phases"
printf '%s\n' "${phases[@]}"
echo "== all tests done in $(( $(date +%s) - start ))s (host checks: $([ "$host_rc" = 0 ] && echo passed || echo FAILED), rust tests: $([ $rust_pass = 1 ] && echo ran || echo none))"
# the guest suites' summary is the closing line
echo "$total"
exit $rc
