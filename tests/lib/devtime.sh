# Shared by the device-time suite and benchmark (tests/suites/devtime.sh,
# tests/bench/devtime-guest.sh): two jobs in cgroups d1 and d2, each on a
# partition of a disk model (tests/vm/diskmodel), under one controller.
# Source after guest.sh; set OUT (fio JSON) and RT (seconds a run) first.
CG=/sys/fs/cgroup
echo "+io" >$CG/cgroup.subtree_control
mkdir -p $CG/d1 $CG/d2

# disk MODEL: the model's disk, two 4000 MiB GPT partitions; sets DISK, MM,
# SCHED and the jobs A and B that show the model's point (WHAT says it),
# and IOCOST_MODEL, io.cost's linear model of the disk
disk() {
	insmod "$IOBDISK_KO" model="$1" || die "iobdisk $1"
	DISK=/dev/iobdisk0
	printf 'label: gpt\n,4000M\n,4000M\n' | sfdisk -q "$DISK" >/dev/null || die "sfdisk"
	wait_for "[ -b ${DISK}p2 ]" 10 || die "no partitions: $(ls /dev/iobdisk*)"
	MM=$(cat /sys/block/iobdisk0/dev)
	SCHED=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/block/iobdisk0/queue/scheduler)
	case $1 in
	rot)
		A="--rw=randread,--bs=4k,--iodepth=4"
		B="--rw=read,--bs=64k,--iodepth=1"
		WHAT="random 4 KiB reader (QD 4) vs sequential 64 KiB reader (QD 1)"
		IOCOST_MODEL="rbps=150000000 rseqiops=13000 rrandiops=138 wbps=150000000 wseqiops=13000 wrandiops=138"
		;;
	flash)
		A="--rw=randread,--bs=64k,--iodepth=8"
		B="--rw=randwrite,--bs=64k,--iodepth=8"
		WHAT="64 KiB random reader vs 64 KiB random writer (QD 8 each)"
		IOCOST_MODEL="rbps=200000000 rseqiops=2650 rrandiops=2650 wbps=60000000 wseqiops=800 wrandiops=800"
		;;
	esac
}

disk_off() { rmmod iobdisk || die "rmmod iobdisk"; }

# on CTL [W1 W2]: set CTL up for the two groups (weights 100 and 100); sets
# D1 and D2, the devices the jobs use
on() {
	local ctl=$1 w1=${2:-100} w2=${3:-100}
	D1=${DISK}p1 D2=${DISK}p2
	case $ctl in
	ioband*)
		ioband_create dt1 "${DISK}p1" 1 || die "ioband dt1"
		ioband_create dt2 "${DISK}p2" 1 || die "ioband dt2"
		dmsetup message dt1 0 weight "$w1"
		dmsetup message dt2 0 weight "$w2"
		case $ctl in
		ioband-weight) dmsetup message dt1 0 policy weight ;;
		ioband-time) dmsetup message dt1 0 policy time || die "no policy time" ;;
		esac
		D1=/dev/mapper/dt1 D2=/dev/mapper/dt2
		;;
	bfq)
		echo bfq >/sys/block/iobdisk0/queue/scheduler || die "no bfq"
		echo "$w1" >$CG/d1/io.bfq.weight
		echo "$w2" >$CG/d2/io.bfq.weight
		;;
	iocost)
		echo "$MM ctrl=user model=linear $IOCOST_MODEL" >$CG/io.cost.model || die "io.cost.model"
		echo "$MM enable=1" >$CG/io.cost.qos || die "io.cost.qos"
		echo "default $w1" >$CG/d1/io.weight
		echo "default $w2" >$CG/d2/io.weight
		;;
	esac
	udev_settle
}

off() {
	case $1 in
	ioband*) dmsetup remove --retry dt1 && dmsetup remove --retry dt2 ;;
	bfq)
		echo 100 >$CG/d1/io.bfq.weight
		echo 100 >$CG/d2/io.bfq.weight
		echo "$SCHED" >/sys/block/iobdisk0/queue/scheduler
		;;
	iocost)
		echo "$MM enable=0" >$CG/io.cost.qos
		echo "default 100" >$CG/d1/io.weight
		echo "default 100" >$CG/d2/io.weight
		;;
	esac
	return 0
}

# run NAME JOB...: JOB is "CGROUP:DEV:fio options,comma,separated"; the
# jobs in one fio process, so that they start together
run() {
	local name=$1 spec args=() i=1
	shift
	for spec in "$@"; do
		local cg=${spec%%:*} rest=${spec#*:}
		local dev=${rest%%:*} o
		IFS=, read -ra o <<<"${rest#*:}"
		args+=(--name="j$i" --new_group --filename="$dev" --cgroup="$cg" --cgroup_nodelete=1 "${o[@]}")
		i=$((i + 1))
	done
	fio --direct=1 --ioengine=libaio --time_based --runtime="$RT" --ramp_time=1 \
		--group_reporting --output-format=json --output="$OUT/$name.json" "${args[@]}" >/dev/null ||
		die "fio $name"
}

# result NAME: "IOPS MB/s" of each job, in order, on one line
result() {
	python3 - "$OUT/$1.json" <<-'PY'
	import json, sys
	for j in json.load(open(sys.argv[1]))["jobs"]:
	    d = j["read"] if j["read"]["io_bytes"] else j["write"]
	    print(f'{d["iops"]:.1f} {d["bw_bytes"] / 1e6:.2f}', end=" ")
	print()
	PY
}

# pct X Y: 100 X / Y, one decimal
pct() { python3 -c "print(f'{100 * $1 / $2:.1f}')"; }
