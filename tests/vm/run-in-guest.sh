#!/usr/bin/env bash
# Runs inside the guest kernel (virtme-ng, host root shared read-only).
# Usage: run-in-guest.sh RESULTS_DIR SUITE_SCRIPT TIMEOUT [RESULTS_DIR SUITE TIMEOUT]...
# Runs the suites one after another.  Leaves in each RESULTS_DIR: output
# (suite stdout+stderr), rc (exit status), elapsed (seconds), dmesg (the
# kernel log since the previous suite ended, or since boot for the first),
# done (last thing written).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
cd "$REPO" || exit 1
# how the host root reached us (virtiofs or 9p): run.py reports a fallback
awk '$2 == "/" {print $3}' /proc/mounts >"$1/rootfs" 2>/dev/null

# A short hung-task timeout: a submitter that sleeps this long is a bug.
echo "${IOBAND_HUNG_TASK_SECS:-20}" > /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
echo 1 > /proc/sys/kernel/hung_task_all_cpu_backtrace 2>/dev/null
# dm nodes are made by hand (dmsetup mknodes / the CLI), not by udev.
export DM_DISABLE_UDEV=1
mkdir -p /dev/mapper

# udev runs in virtme-ng's guests; a suite may stop it (lifecycle does), and
# then the CLI would wait forever on udev for the next suite's devices.
udev_at_boot=no
udevadm control --ping 2>/dev/null && udev_at_boot=yes
start_udev() {
	local d
	for d in /lib/systemd/systemd-udevd /usr/lib/systemd/systemd-udevd; do
		[ -x "$d" ] && { "$d" --daemon && udevadm settle --timeout=60; return; }
	done
}

# What a suite left behind would change the next one's world: take it down
# and say so in the suite's output (suites are meant to clean up).
reset_guest() {
	local out=$1 m left=""
	if [ "$udev_at_boot" = yes ] && ! udevadm control --ping 2>/dev/null; then
		left+=" udev stopped (restarted)"
		start_udev >/dev/null 2>&1
	fi
	for m in $(awk '$1 ~ "^/dev/(mapper/|dm-|nullb)" {print $2}' /proc/mounts | sort -r); do
		umount -l "$m" && left+=" mount:$m"
	done
	if [ -n "$(dmsetup ls 2>/dev/null | grep -v '^No devices')" ]; then
		left+=" dm:$(dmsetup ls | awk '{print $1}' | tr '\n' ',')"
		vgchange -an >/dev/null 2>&1
		dmsetup remove_all --force >/dev/null 2>&1 || dmsetup remove_all >/dev/null 2>&1
	fi
	grep -q '^dm_ioband ' /proc/modules && { left+=" module:dm_ioband"; rmmod dm_ioband; }
	for m in /sys/kernel/config/nullb/*/; do
		[ -d "$m" ] || continue
		left+=" nullb:$(basename "$m")"
		echo 0 >"$m/power"; rmdir "$m"
	done
	grep -q '^null_blk ' /proc/modules && rmmod null_blk 2>/dev/null
	[ -z "$left" ] || echo "# runner: cleaned up after the suite:$left" >>"$out"
}

# Kernels with kmemleak (the debug line): what boot left unreferenced is
# not ours to judge, so it is forgotten; after each suite two scans (an
# object is reported once it is older than 5 s and unchanged between two
# scans) and the report goes beside the suite's dmesg, where the host fails
# the suite on any leaked object.
KMEMLEAK=/sys/kernel/debug/kmemleak
[ -e /sys/kernel/debug/kmemleak ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
if [ -w "$KMEMLEAK" ]; then
	echo scan >"$KMEMLEAK"
	echo clear >"$KMEMLEAK"
fi
leak_scan() {
	[ -w "$KMEMLEAK" ] || return 0
	sleep 6
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	cat "$KMEMLEAK" >"$1/kmemleak"
	echo clear >"$KMEMLEAK"
}

# watchdog RES SECONDS: a suite stuck in the kernel outlives timeout's
# SIGKILL (bash itself in uninterruptible sleep), or leaves a process
# behind that hangs the cleanup after it; the guest would sit silent until
# the host gives up.  Unless the suite and its cleanup are over in time,
# record what every task and CPU is doing, leave a failing verdict, and
# power off so that the host reads it at once.
watchdog() {
	sleep "$2"
	echo "# runner: the suite and its cleanup are still running $2 s after it started; blocked tasks and CPU backtraces follow in dmesg" >>"$1/output"
	echo w >/proc/sysrq-trigger
	echo l >/proc/sysrq-trigger
	sleep 2
	dmesg >"$1/dmesg"
	echo 124 >"$1/rc"
	echo done >"$1/done"
	sync -f "$1/done"
	echo o >/proc/sysrq-trigger
}

# The boot's own log goes apart, before any suite (or our module) runs:
# the host boots once more when the kernel broke on its own while booting.
dmesg -c >"$1/boot-dmesg"

while [ $# -ge 3 ]; do
	res=$1 suite=$2 limit=$3
	shift 3
	start=$(date +%s)
	watchdog "$res" $((limit + 60)) &
	watchdog_pid=$!
	RESULTS=$res timeout --kill-after=10 "$limit" bash "$suite" >"$res/output" 2>&1
	echo $? >"$res/rc"
	echo $(($(date +%s) - start)) >"$res/elapsed"
	[ $# -eq 0 ] || reset_guest "$res/output"
	leak_scan "$res"
	# Give khungtaskd and deferred work a moment to report before the log is read.
	sleep "${IOBAND_SETTLE_SECS:-1}"
	dmesg -c >"$res/dmesg"
	echo done >"$res/done"
	# this file system only: a device the suite left stuck would hang sync
	sync -f "$res/done"
	kill "$watchdog_pid" 2>/dev/null
done

# Off at once: the results are on the host already, and a process a suite
# left stuck on a device would hang the final sync of the guest's init.
echo o >/proc/sysrq-trigger
