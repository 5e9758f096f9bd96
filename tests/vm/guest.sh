#!/usr/bin/env bash
# Runs inside the guest kernel (virtme-ng, host root shared read-only).
# Usage: guest.sh RESULTS_DIR SUITE_SCRIPT TIMEOUT
# Leaves in RESULTS_DIR: output (suite stdout+stderr), rc (suite exit status),
# dmesg (the whole guest kernel log), done (last thing written).
res=$1 suite=$2 limit=$3
export RESULTS=$res
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
cd "$REPO" || exit 1

# A short hung-task timeout: a submitter that sleeps this long is a bug.
echo "${IOBAND_HUNG_TASK_SECS:-20}" > /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
echo 1 > /proc/sys/kernel/hung_task_all_cpu_backtrace 2>/dev/null
# No udev in the guest: dm nodes are made by hand (dmsetup mknodes / the CLI).
export DM_DISABLE_UDEV=1
mkdir -p /dev/mapper

timeout --kill-after=10 "$limit" bash "$suite" >"$res/output" 2>&1
echo $? >"$res/rc"
# Give khungtaskd and deferred work a moment to report before the log is read.
sleep "${IOBAND_SETTLE_SECS:-1}"
dmesg >"$res/dmesg"
echo done >"$res/done"
sync
