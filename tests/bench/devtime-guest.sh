#!/usr/bin/env bash
# timeout: 2400
# memory: 2G
# Device time against counting, inside the guest (docs/benchmark.md, "Device
# time"): on the test bed's rotating disk model (tests/vm/diskmodel), a
# random 4 KiB reader (QD 4) in one group against a sequential 64 KiB
# reader (QD 1) in another, each on a partition of its own; on the flash
# model a 64 KiB random reader against a 64 KiB random writer (QD 8 each);
# at equal weights and at 80/40.  Every controller side by side in one boot, each job's result as a
# share of what it does alone on the same disk.  Prints a table a line per
# controller and keeps the fio JSON under $RESULTS/devtime.
#   python3 tests/vm/run.py --kernel 6.12 tests/bench/devtime-guest.sh
# DEVTIME_RT (seconds a run, default 10), DEVTIME_CTLS (controllers),
# DEVTIME_MODELS (rot, flash) and DEVTIME_WEIGHTS (pairs A:B, default
# 100:100,80:40) narrow it.
. "$REPO/tests/lib/guest.sh"

RT=${DEVTIME_RT:-10}
OUT=$RESULTS/devtime
mkdir -p "$OUT"
IFS=, read -ra CTLS <<<"${DEVTIME_CTLS:-none,bfq,iocost,ioband,ioband-weight,ioband-time}"
IFS=, read -ra MODELS <<<"${DEVTIME_MODELS:-rot,flash}"
# weight pairs A:B
IFS=, read -ra WEIGHTS <<<"${DEVTIME_WEIGHTS:-100:100,80:40}"
. "$REPO/tests/lib/devtime.sh"
load_ioband

for m in "${MODELS[@]}"; do
	disk "$m"
	# alone, on the disk's own scheduler, no control
	run "$m.alone-a" "d1:${DISK}p1:$A"
	run "$m.alone-b" "d2:${DISK}p2:$B"
	read -r a_iops a_mbs _ <<<"$(result "$m.alone-a")"
	read -r b_iops b_mbs _ <<<"$(result "$m.alone-b")"
	echo "# $m: $WHAT"
	echo "# alone: A $a_iops IOPS ($a_mbs MB/s), B $b_iops IOPS ($b_mbs MB/s)"
	printf '# %-22s %8s %8s %9s %9s\n' "controller, weights" "A IOPS" "B MB/s" "A % solo" "B % solo"
	for w in "${WEIGHTS[@]}"; do
		for c in "${CTLS[@]}"; do
			on "$c" "${w%:*}" "${w#*:}"
			run "$m.$c.$w" "d1:$D1:$A" "d2:$D2:$B"
			case $c in ioband*) echo "# $c $w: $(dmsetup message dt1 0 settings)" ;; esac
			off "$c"
			read -r x_iops _ _ y_mbs <<<"$(result "$m.$c.$w")"
			printf '%-24s %8s %8s %8s%% %8s%%\n' "$m:$c $w" "$x_iops" "$y_mbs" \
				"$(pct "$x_iops" "$a_iops")" "$(pct "$y_mbs" "$b_mbs")"
		done
	done
	disk_off
done
unload_ioband
