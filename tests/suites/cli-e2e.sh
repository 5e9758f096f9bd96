#!/usr/bin/env bash
# The ioband CLI end to end against the real module: cli/tests/guest/against-target.sh
# (create/message/status/remove through the devicemapper ioctls, ioband and
# dmsetup agree, exit codes of error cases; cgroups by slice and unit name
# through a profile, nested shares in status as the module reports them, a
# unit that is not running fails and changes nothing; the io_limit in force
# in status: auto over a stacked device and over a disk of depth 2, pinned,
# auto again).
# estimate: 100
# timeout: 600
. "$REPO/tests/lib/guest.sh"
[ -x "$IOBAND" ] || die "no ioband binary at $IOBAND (cargo build --release)"
load_ioband
bash "$REPO/cli/tests/guest/against-target.sh" || exit 1
dmsetup remove_all 2>/dev/null
check "unload" unload_ioband
finish
