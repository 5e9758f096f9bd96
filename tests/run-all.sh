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

echo "== DKMS packaging (host build + guest modprobe)"
tests/host/dkms.sh "$@"

echo "== guest suites"
suites=()
for s in tests/suites/*.sh; do suites+=("$(basename "${s%.sh}")"); done
rc=0
python3 tests/vm/run.py "$@" "${suites[@]}" | tee .cache/suites.log || rc=$?
echo "== all tests done in $(( $(date +%s) - start ))s (rust tests: $([ $rust_pass = 1 ] && echo ran || echo none))"
# the guest suites' summary is the closing line
tail -n 1 .cache/suites.log
exit $rc
