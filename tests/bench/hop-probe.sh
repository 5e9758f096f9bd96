#!/usr/bin/env bash
# timeout: 900
# memory: 2G
# What holding bios in ioband costs (README, policy fair): one 4 KiB random
# read job at QD 32 on the 200 IOPS test disk (2 tags), 5 s per run, three
# rounds in rotated order, against dm-linear: ioband with its defaults, with
# io_limit = the disk's depth (policy weight and fair), and fair with
# io_limit one, two and four above it.  Prints IOPS per run.
#   python3 tests/vm/run.py --kernel 6.1 tests/bench/hop-probe.sh
# then .cache/results/<kernel>/hop-probe/output.
. "$REPO/tests/lib/guest.sh"
load_ioband
slow=$(nullb bslow 2048 memory_backed=0 irqmode=2 completion_nsec=10000000 hw_queue_depth=2 submit_queues=1)
DEPTH=$(cat /sys/block/bslow/queue/nr_requests)
echo "depth=$DEPTH sched=$(cat /sys/block/bslow/queue/scheduler)"
linear_slice part1 "$slow" 0 1048576
udev_settle
# lin: dm-linear; ib: ioband's defaults; wD / fD: policy weight / fair with
# io_limit = DEPTH + D (io_throttle one less)
cfgs=(lin ib w0 f0 f1 f2 f4)
setup() {
	DEV=/dev/mapper/ib1
	case $1 in
	lin) DEV=/dev/mapper/part1; return ;;
	ib) ioband_create ib1 /dev/mapper/part1 1 || die "create ib1" ;;
	*)
		local lim=$((DEPTH + ${1#?}))
		ioband_create ib1 /dev/mapper/part1 1 $((lim - 1)) "$lim" || die "create ib1"
		[ "${1:0:1}" = f ] && dmsetup message ib1 0 policy fair
		;;
	esac
	udev_settle
}
for round in 1 2 3; do
	n=${#cfgs[@]}
	for k in $(seq 0 $((n - 1))); do
		c=${cfgs[$(((k + round) % n))]}
		setup "$c"
		iops=$(fio --name=j --filename="$DEV" --rw=randread --bs=4k --direct=1 --ioengine=libaio \
			--iodepth=32 --runtime=5 --ramp_time=1 --time_based --output-format=json |
			python3 -c 'import json,sys; print(round(json.load(sys.stdin)["jobs"][0]["read"]["iops"],1))')
		echo "round=$round cfg=$c iops=$iops" | tee -a "$RESULTS/runs"
		if [ "$c" != lin ]; then dmsetup remove ib1 || die "remove ib1"; fi
	done
done
# the mean of each configuration's rounds against dm-linear's
awk '{split($2,c,"="); split($3,v,"="); s[c[2]] += v[2]; n[c[2]]++}
	END {for (k in s) printf "%s %.1f IOPS, %.1f %% of dm-linear\n", k, s[k] / n[k], 100 * s[k] / n[k] / (s["lin"] / n["lin"])}' "$RESULTS/runs" | sort
ok "every run finished"
finish
