#!/usr/bin/env bash
# Guest benchmark (not part of run-all): time of `ioband status` over 200
# ioband devices.  Run:  python3 tests/vm/run.py --kernel 6.12 tests/bench/status-200.sh
# timeout: 900
. "$REPO/tests/lib/guest.sh"
load_ioband
bash "$REPO/cli/tests/guest/status-bench.sh" 200 5
