#!/usr/bin/env bash
# Build virtiofsd into .cache/virtiofsd (called by tests/setup.sh).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=$repo/.cache
mkdir -p "$cache"
# virtiofsd (the Rust daemon; bookworm ships only qemu's old C one, which
# virtme-ng will not use) shares the host root with the guests with page
# caching: under TCG, reading binaries and libraries again over uncached
# 9p made each process start 1.5-3x slower (in one guest: dmsetup 239 vs
# 153 ms, ioband 760 vs 247 ms; in run-all the first Ansible run took 189 s
# over 9p, 104 s over virtiofs). Pinned, built from crates.io.
VIRTIOFSD_VERSION=1.14.0
if [ "$("$cache/virtiofsd/bin/virtiofsd" --version 2>/dev/null)" != "virtiofsd $VIRTIOFSD_VERSION" ]; then
	echo "setup: building virtiofsd $VIRTIOFSD_VERSION (about 1.5 minutes)"
	cargo install -q --locked --root "$cache/virtiofsd" "virtiofsd@$VIRTIOFSD_VERSION" >"$cache/virtiofsd-build.log" 2>&1 || {
		tail -n 30 "$cache/virtiofsd-build.log" >&2
		exit 1
	}
fi
