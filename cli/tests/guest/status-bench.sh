#!/usr/bin/env bash
# Time `ioband status` over many ioband devices.
#
# Runs as root INSIDE a Linux guest with dm-ioband.ko loaded and dmsetup
# (no udev needed). Makes N (default 200) dm-linear slices of null_blk, puts
# an ioband device on each (4 device groups; dmsetup for all but one), then prints the wall time of
# `ioband status --json`, `ioband status`, `ioband status --raw` and, for
# comparison, `dmsetup status --target ioband`.
#
#   IOBAND=/path/to/ioband bash cli/tests/guest/status-bench.sh [N] [RUNS]
set -u

IOBAND=${IOBAND:?set IOBAND to the path of the ioband binary}
N=${1:-200}
RUNS=${2:-5}
P=bench

# the guest is the bench's own: take every dm device down in one process
cleanup() { dmsetup remove_all >/dev/null 2>&1 || true; }
trap cleanup EXIT

if [ ! -b /dev/nullb0 ]; then
    modprobe null_blk nr_devices=1 gb=4 || { echo "cannot load null_blk" >&2; exit 1; }
fi
for _ in $(seq 50); do [ -b /dev/nullb0 ] && break; sleep 0.1; done
cleanup

# The guest's udev would probe every one of the 400 new devices, minutes of
# work under TCG that is not what is measured: stop it (the CLI and dmsetup
# then make the /dev/mapper nodes themselves, as in a container).
udevadm control --exit 2>/dev/null || true
# A stopped udevd leaves its control socket behind, and the devicemapper
# crate (like libdevmapper) then waits forever for udev to confirm each
# device: without the socket both know udev is gone.  The guest runner
# restarts udev after the suite.
rm -f /run/udev/control
SECTORS=$(blockdev --getsz /dev/nullb0)
SLICE=$((SECTORS / N))
[ "$SLICE" -ge 8 ] || { echo "null_blk too small for $N slices" >&2; exit 1; }

# One dmsetup process creates all devices of a kind (dmsetup create
# --concise): a process per device costs tens of ms under TCG, and creating
# is not what is measured.
t0=$(date +%s%N)
spec=""
for i in $(seq 0 $((N - 1))); do
    spec+="${spec:+;}$P-lin$i,,,rw,0 $SLICE linear /dev/nullb0 $((i * SLICE))"
done
dmsetup create --concise "$spec" || exit 1
dmsetup mknodes >/dev/null 2>&1 || true
t1=$(date +%s%N)
spec=""
for i in $(seq 1 $((N - 1))); do
    spec+="${spec:+;}$P-io$i,,,rw,0 $SLICE ioband /dev/mapper/$P-lin$i $((i % 4 + 1))"
done
dmsetup create --concise "$spec" || exit 1
t2=$(date +%s%N)
# udev would probe all 400 new devices (minutes under TCG); it was stopped
# above, this only makes sure nothing is left in its queue
udevadm settle --timeout=60 2>/dev/null
t3=$(date +%s%N)
# one device made by the CLI, timed on its own for reference
"$IOBAND" create $P-io0 /dev/mapper/$P-lin0 --group 1 || exit 1
t4=$(date +%s%N)
udevadm settle --timeout=300 2>/dev/null
echo "setup: $N linear slices in $(( (t1 - t0) / 1000000 )) ms, $((N - 1)) ioband devices in $(( (t2 - t1) / 1000000 )) ms (dmsetup --concise), udev queue empty after $(( (t3 - t2) / 1000000 )) ms, one ioband create in $(( (t4 - t3) / 1000000 )) ms"
count=$("$IOBAND" status --raw | grep -c "^$P-io")
echo "ioband devices seen by status --raw: $count"
[ "$count" -eq "$N" ] || { echo "expected $N devices" >&2; exit 1; }

# time_it LABEL CMD...: best and median of RUNS runs, in milliseconds.
time_it() {
    local label=$1; shift
    local times=() i s e
    for i in $(seq "$RUNS"); do
        s=$(date +%s%N)
        "$@" >/dev/null 2>&1 || { echo "$label: command failed" >&2; return 1; }
        e=$(date +%s%N)
        times+=($(( (e - s) / 1000 )))
    done
    local sorted
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    local best median
    best=$(echo "$sorted" | head -1)
    median=$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")
    MEDIAN=$median
    printf '%-40s best %6d.%03d ms  median %6d.%03d ms  (%d runs, %d devices)\n' \
        "$label" $((best / 1000)) $((best % 1000)) $((median / 1000)) $((median % 1000)) "$RUNS" "$N"
}

# the floor: what any process start costs in this guest (fork and exec
# from bash, the dynamic loader, libc), whatever the program does
time_it "/bin/true (any process start)" /bin/true
floor=$MEDIAN
# what starting the ioband process costs (the binary comes over the
# guest's shared root, virtiofs or 9p)
time_it "ioband version (process start only)" "$IOBAND" version
time_it "ioband status --json" "$IOBAND" status --json
time_it "ioband status" "$IOBAND" status
ours=$MEDIAN
time_it "ioband status --raw" "$IOBAND" status --raw
time_it "ioband table --json" "$IOBAND" table --json
time_it "dmsetup status --target ioband" dmsetup status --target ioband
theirs=$MEDIAN
# side by side in one run: absolute times under TCG vary with the host's load
echo "ioband status / dmsetup status (medians): $(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')"

# The guest reads the host's files over 9p: the 2.9 MB ioband binary costs
# more to start from there than dmsetup's few hundred KB.  The same binary
# from the guest's tmpfs, as it would start from a local disk:
local_bin=$(mktemp -d)/ioband
cp "$IOBAND" "$local_bin"
time_it "ioband version, binary in tmpfs" "$local_bin" version
start=$MEDIAN
time_it "ioband status --json, binary in tmpfs" "$local_bin" status --json
time_it "ioband status, binary in tmpfs" "$local_bin" status
ours=$MEDIAN
time_it "ioband status --raw, binary in tmpfs" "$local_bin" status --raw
echo "ioband status (tmpfs) / dmsetup status (medians): $(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')"
echo "ioband status (tmpfs) less its process start: $(( (ours - start) / 1000 )) ms for $N devices"
echo "ioband status (tmpfs) less /bin/true's start: $(( (ours - floor) / 1000 )) ms for $N devices"
rm -rf "$(dirname "$local_bin")"
