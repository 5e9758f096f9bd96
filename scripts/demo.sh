#!/usr/bin/env bash
# The main job end to end: install what is needed, build the module (and
# the CLI when present), boot a real Debian kernel under QEMU, set up the
# seed's Example #1 and print the status and the measured bandwidth split.
#   scripts/demo.sh [--kernel 6.1|6.12]     (default 6.12)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
tests/setup.sh >/dev/null
if [ -f Cargo.toml ]; then cargo build --release --quiet; fi
kernel=6.12
[ "${1:-}" = --kernel ] && kernel=$2
exec python3 tests/vm/run.py --kernel "$kernel" scripts/demo-guest.sh
