#!/usr/bin/env bash
# Every test: installs what it needs (Debian packages, both kernels, the
# pinned virtme-ng), builds the CLI and the module, runs the Rust tests and
# every guest suite on Linux 6.1 and 6.12.  Run as root on Debian 12.
#   tests/run-all.sh                 everything
#   tests/run-all.sh --kernel 6.12   one kernel line
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
start=$(date +%s)

tests/setup.sh

rust_pass=0
if [ -f Cargo.toml ]; then
	echo "== cargo fmt / clippy / test"
	cargo fmt --all -- --check
	cargo clippy --release --all-targets --quiet -- -D warnings
	cargo build --release --quiet
	cargo test --release --quiet 2>&1 | tee .cache/cargo-test.log
	rust_pass=1
fi

# One boot per kernel runs all of that kernel's suites, the two kernels side
# by side (each guest gets about one core; more guests only slowed the
# CPU-bound suites on 2 cores).  Suites marked `# exclusive: yes` (timing
# measurements) run afterwards with no other suite beside them.
# IOBAND_JOBS=1 IOBAND_BOOTS=0 runs one at a time, one boot per suite.
export IOBAND_JOBS=${IOBAND_JOBS:-2} IOBAND_BOOTS=${IOBAND_BOOTS:-1}

# The fuzzer runs on the host beside the DKMS builds and boots.
tests/host/fuzz.sh >.cache/fuzz-run.log 2>&1 &
fuzz_pid=$!

echo "== DKMS packaging (host build + guest modprobe)"
tests/host/dkms.sh "$@"

echo "== fuzz (cargo fuzz, parsers of the target's text)"
fuzz_rc=0
wait "$fuzz_pid" || fuzz_rc=$?
cat .cache/fuzz-run.log

echo "== guest suites"
suites=()
for s in tests/suites/*.sh; do suites+=("$(basename "${s%.sh}")"); done
rc=0
python3 tests/vm/run.py "$@" "${suites[@]}" | tee .cache/suites.log || rc=$?
[ "$fuzz_rc" -eq 0 ] || rc=1
echo "== all tests done in $(( $(date +%s) - start ))s (rust tests: $([ $rust_pass = 1 ] && echo ran || echo none))"
# the guest suites' summary is the closing line
tail -n 1 .cache/suites.log
exit $rc
