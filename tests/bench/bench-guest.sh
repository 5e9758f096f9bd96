#!/usr/bin/env bash
# timeout: 6000
# memory: 2G
# The benchmark, inside the guest kernel (scripts/bench.sh boots it).
# Every controller runs every scenario on the same bottleneck disk in this
# one guest, controllers interleaved within each round (in an order rotated
# from round to round), so their numbers are comparable even though
# absolute throughput under TCG varies from run to run.  Nothing is judged
# here: each fio run leaves its JSON and bandwidth logs under
# $RESULTS/bench, listed in runs.tsv, and the host renders them (bench/,
# the ioband-bench crate).
#
# Devices:
#   slow  null_blk, timer completion 10 ms per I/O, 2 tags, one queue, the
#         kernel's default scheduler and nr_requests: 200 IOPS, a bottleneck
#         a TCG guest can always drive (issue #6's 1 ms, 8-tag disk is not:
#         the guest's CPU saturates first, below 2000 IOPS); sliced in four
#         512 MiB parts with dm-linear
#   fast  null_blk with its default (immediate) completion: overhead and
#         the scaling of group selection
# Controllers:
#   none     dm-linear slices, no control
#   ioband   one ioband device per slice, one device group, weights by
#            message, the default io_throttle 4 and io_limit 128
#   ioband-d the same with io_limit = the disk's nr_requests (io_throttle one
#            less): bios wait in ioband, in its order, not beneath it in blk-mq
#   iosize-d ioband-d with policy weight-iosize (scenarios with mixed sizes)
#   fair-d   ioband-d with policy fair (fair queueing, no epochs)
#   fairsz-d ioband-d with policy fair-iosize (scenarios with mixed sizes)
#   bfq      scheduler bfq on the disk, cgroup v2 io.bfq.weight
#   iocost   io.cost.qos enable=1 on the root, cgroup v2 io.weight
#   iomax    io.max with limits far above the device (overhead only)
. "$REPO/tests/lib/guest.sh"

QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	RT=${BENCH_RUNTIME:-5}
	ROUNDS=1
else
	# 10 s at about 150 IOPS: some 1500 I/Os per run, enough to resolve
	# a fraction of a percentage point of share
	RT=${BENCH_RUNTIME:-10}
	# three rounds: the goals are judged on the median round
	ROUNDS=3
fi
ROUNDS=${BENCH_ROUNDS:-$ROUNDS}
# the overhead runs: 5 s each, six per palindrome, OH_REPS palindromes
# per round (see the scenario)
OH_RT=$((RT < 5 ? RT : 5))
OH_REPS=${BENCH_OH_REPS:-$((QUICK == 1 ? 1 : 3))}
RAMP=1
OUT=$RESULTS/bench
mkdir -p "$OUT"
MAN=$OUT/runs.tsv
printf 'scenario\tcontroller\tround\tjob\tweight\tprefix\tjson\n' >"$MAN"
CG=/sys/fs/cgroup

load_ioband
modprobe bfq 2>/dev/null
slow=$(nullb bslow 2048 memory_backed=0 irqmode=2 completion_nsec=10000000 hw_queue_depth=2 submit_queues=1)
fast=$(nullb bfast 1024 memory_backed=0 submit_queues=1 queue/scheduler=none)
slow_mm=$(devnum "$slow")
fast_mm=$(devnum "$fast")
SLOW_SCHED=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/block/bslow/queue/scheduler)
# what the disk queues: ioband-d keeps at most this many bios in flight
DEPTH=$(cat /sys/block/bslow/queue/nr_requests)
for i in 1 2 3 4; do linear_slice "part$i" "$slow" $(((i - 1) * 1048576)) 1048576; done
linear_slice fastlin "$fast" 0 "$(blockdev --getsz "$fast")"
# every set-up waits for udev's probe reads of its new devices, or they
# land in a measured window (see udev_settle)
udev_settle

mountpoint -q $CG || mount -t cgroup2 none $CG
echo "+io" >$CG/cgroup.subtree_control
for g in 1 2 3 4; do mkdir -p "$CG/b$g"; done

{
	echo "kernel=$(uname -r)"
	echo "cpus=$(nproc)"
	echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "runtime=$RT"
	echo "ramp=$RAMP"
	echo "rounds=$ROUNDS"
	echo "quick=$QUICK"
	echo "slow=null_blk irqmode=2 completion_nsec=10000000 hw_queue_depth=2 submit_queues=1 scheduler=$SLOW_SCHED nr_requests=$(cat /sys/block/bslow/queue/nr_requests)"
	echo "fast=null_blk irqmode=$(cat /sys/module/null_blk/parameters/irqmode 2>/dev/null) hw_queue_depth=$(cat /sys/kernel/config/nullb/bfast/hw_queue_depth) scheduler=none"
	echo "fio=$(fio --version)"
	echo "clock=${IOBAND_CLOCK:-real}"
	if [ -n "${IOBAND_QEMU_OPTS:-}" ]; then echo "qemu=$IOBAND_QEMU_OPTS"; fi
} >"$OUT/meta.txt"

# ---- controllers --------------------------------------------------------
# ctl_on CTL W1 W2 ...: set up CTL for jobs 1..N with these weights; sets
# DEVS (the device job i uses)
ctl_on() {
	local ctl=$1 i=1 w
	shift
	DEVS=()
	case $ctl in
	ioband | ioband-d | iosize-d | fair-d | fairsz-d)
		local lim=()
		[ "$ctl" != ioband ] && lim=($((DEPTH - 1)) "$DEPTH")
		for w in "$@"; do
			ioband_create "ib$i" "/dev/mapper/part$i" 1 "${lim[@]}" || die "ioband_create ib$i"
			dmsetup message "ib$i" 0 weight "$w"
			# an epoch of about 0.6 s at 200 IOPS (the default 2048 is 10 s)
			dmsetup message "ib$i" 0 token "$TOKEN"
			DEVS+=("/dev/mapper/ib$i")
			i=$((i + 1))
		done
		case $ctl in
		iosize-d)
			dmsetup message ib1 0 policy weight-iosize
			dmsetup message ib1 0 token "$((TOKEN * 32))"
			;;
		fair-d) dmsetup message ib1 0 policy fair ;;
		fairsz-d) dmsetup message ib1 0 policy fair-iosize ;;
		esac
		;;
	*)
		for w in "$@"; do
			DEVS+=("/dev/mapper/part$i")
			i=$((i + 1))
		done
		;;
	esac
	i=1
	case $ctl in
	bfq)
		echo bfq >/sys/block/bslow/queue/scheduler || die "no bfq"
		for w in "$@"; do echo "$w" >"$CG/b$i/io.bfq.weight"; i=$((i + 1)); done
		;;
	iocost)
		echo "$slow_mm enable=1" >$CG/io.cost.qos || die "no io.cost"
		for w in "$@"; do echo "default $w" >"$CG/b$i/io.weight"; i=$((i + 1)); done
		;;
	esac
	udev_settle
}

ctl_off() {
	local ctl=$1 i
	case $ctl in
	ioband | ioband-d | iosize-d | fair-d | fairsz-d)
		for i in 1 2 3 4; do
			[ -e "/dev/mapper/ib$i" ] && dmsetup remove --retry "ib$i"
		done
		;;
	bfq)
		for i in 1 2 3 4; do echo 100 >"$CG/b$i/io.bfq.weight"; done
		echo "$SLOW_SCHED" >/sys/block/bslow/queue/scheduler
		;;
	iocost)
		echo "$slow_mm enable=0" >$CG/io.cost.qos
		for i in 1 2 3 4; do echo "default 100" >"$CG/b$i/io.weight"; done
		;;
	esac
	return 0
}

# ---- jobs ---------------------------------------------------------------
# job SCEN CTL ROUND IDX WEIGHT CGROUP DEV FIO-ARGS...: add a job to the
# next fio run (fio puts it in that cgroup) and list it in runs.tsv
RUN_ARGS=()
job() {
	local scen=$1 ctl=$2 round=$3 idx=$4 w=$5 cg=$6 dev=$7
	shift 7
	RUN_ID=$scen.$ctl.r$round
	local p=$RUN_ID.j$idx
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scen" "$ctl" "$round" "$idx" "$w" "$p" "$RUN_ID.json" >>"$MAN"
	RUN_ARGS+=(--name="j$idx" --new_group --filename="$dev" --cgroup="$cg" --cgroup_nodelete=1
		--write_bw_log="$OUT/$p" "$@")
}

# go: run the jobs added since the last go in one fio process, so that
# they start together (separate fio processes start seconds apart under TCG)
go() {
	fio --direct=1 --ioengine=libaio --time_based --runtime="$RT" --ramp_time="$RAMP" \
		--group_reporting --log_avg_msec=250 --log_unix_epoch=1 \
		--output-format=json --output="$OUT/$RUN_ID.json" "${RUN_ARGS[@]}" >/dev/null 2>"$OUT/$RUN_ID.err"
	RUN_ARGS=()
}

# prop SCEN CTL ROUND SPEC...: one job per SPEC "weight:fio-args,comma,sep"
prop() {
	local scen=$1 ctl=$2 round=$3 i=1 s
	shift 3
	local ws=()
	for s in "$@"; do ws+=("${s%%:*}"); done
	ctl_on "$ctl" "${ws[@]}"
	for s in "$@"; do
		local args
		IFS=, read -r -a args <<<"${s#*:}"
		job "$scen" "$ctl" "$round" "$i" "${ws[$((i - 1))]}" "b$i" "${DEVS[$((i - 1))]}" "${args[@]}"
		i=$((i + 1))
	done
	go
	ctl_off "$ctl"
}

RR="--rw=randread,--bs=4k,--iodepth=32"
SR="--rw=read,--bs=64k,--iodepth=32"
RW="--rw=randwrite,--bs=4k,--iodepth=32"
R64="--rw=randread,--bs=64k,--iodepth=32"
# the seed's 2008 test: many processes of 4 KiB random direct reads
SEED="--rw=randread,--bs=4k,--iodepth=8,--numjobs=4"

# the default ioband only in the goal scenarios: a full run must stay short
GOAL_CTLS=(none ioband ioband-d fair-d bfq iocost)
PROP_CTLS=(none ioband-d fair-d bfq iocost)
MIXED_CTLS=(none ioband-d iosize-d fair-d fairsz-d bfq iocost)
TOKEN=128

# rot LIST...: ROT=LIST rotated by one place per round, so that no
# controller always runs first (or right after some other) in a scenario
rot() {
	local k=$(((r - 1) % $#))
	ROT=("${@:k+1}" "${@:1:k}")
}

# scenario NAME: run it for every controller (interleaved) in round $r
scenario() {
	local name=$1 ctl
	case $name in
	seed-40-20-10)
		rot "${GOAL_CTLS[@]}"
		for ctl in "${ROT[@]}"; do
			prop "$name" "$ctl" "$r" "40:$SEED" "20:$SEED" "10:$SEED"
		done
		;;
	two-randread | two-seqread | two-randwrite | four-randread | four-seqread | four-randwrite)
		local a
		case $name in
		*randread) a=$RR ;; *seqread) a=$SR ;; *randwrite) a=$RW ;;
		esac
		local ctls=("${PROP_CTLS[@]}")
		[ "$name" = two-randread ] && ctls=("${GOAL_CTLS[@]}")
		rot "${ctls[@]}"
		for ctl in "${ROT[@]}"; do
			case $name in
			two-*) prop "$name" "$ctl" "$r" "80:$a" "40:$a" ;;
			four-*) prop "$name" "$ctl" "$r" "10:$a" "20:$a" "30:$a" "40:$a" ;;
			esac
		done
		;;
	two-mixedbs)
		rot "${MIXED_CTLS[@]}"
		for ctl in "${ROT[@]}"; do
			prop "$name" "$ctl" "$r" "80:$RR" "40:$R64"
		done
		;;
	four-mixedbs)
		rot "${MIXED_CTLS[@]}"
		for ctl in "${ROT[@]}"; do
			prop "$name" "$ctl" "$r" "10:$RR" "20:$R64" "30:$RR" "40:$R64"
		done
		;;
	idle-one)
		# weights 80/40 configured, only the weight-40 job runs
		rot "${GOAL_CTLS[@]}"
		for ctl in "${ROT[@]}"; do
			ctl_on "$ctl" 80 40
			job "$name" "$ctl" "$r" 2 40 b2 "${DEVS[1]}" --rw=randread --bs=4k --iodepth=32
			go
			ctl_off "$ctl"
		done
		;;
	sixteen-vs-one)
		# equal weights: 16 sequential QD1 readers in b1 against one in b2
		rot alone "${GOAL_CTLS[@]}"
		for ctl in "${ROT[@]}"; do
			if [ "$ctl" = alone ]; then
				job "$name" alone "$r" 2 100 b2 /dev/mapper/part2 --rw=read --bs=64k --iodepth=1
				go
				continue
			fi
			ctl_on "$ctl" 100 100
			job "$name" "$ctl" "$r" 1 100 b1 "${DEVS[0]}" --rw=read --bs=64k --iodepth=1 \
				--numjobs=16 --offset_increment=32m
			job "$name" "$ctl" "$r" 2 100 b2 "${DEVS[1]}" --rw=read --bs=64k --iodepth=1
			go
			ctl_off "$ctl"
		done
		;;
	overhead-qd1 | overhead-qd32)
		# one dm layer each, both on the disk itself, the job pinned to
		# one CPU for all of them.  Throughput under TCG drifts by up to
		# 30 % from one run to the next, so each controller runs twice
		# in a palindrome (none ioband iomax iomax2 ioband2 none2,
		# rotated): a drift linear in time cancels in the sum of a
		# controller's two runs.  OH_REPS palindromes of short runs per
		# round, each reported as a round of its own.
		local qd=${name#overhead-qd} ctl k RT=$OH_RT r0=$r r
		local cpu=$(($(nproc) > 1 ? 1 : 0))
		ioband_create ibfast "$fast" 2 || die "ibfast"
		udev_settle
		for k in $(seq 1 "$OH_REPS"); do
			r=$(((r0 - 1) * OH_REPS + k))
			rot none ioband iomax
			for ctl in "${ROT[@]}" "${ROT[2]}2" "${ROT[1]}2" "${ROT[0]}2"; do
				local dev=/dev/mapper/fastlin
				case $ctl in
				ioband*) dev=/dev/mapper/ibfast ;;
				iomax*) echo "$fast_mm rbps=1000000000000 wbps=1000000000000 riops=100000000 wiops=100000000" >$CG/b1/io.max ;;
				esac
				job "$name" "$ctl" "$r" 1 100 b1 "$dev" --rw=randread --bs=4k \
					--iodepth="$qd" --cpus_allowed="$cpu"
				go
				echo "$fast_mm rbps=max wbps=max riops=max wiops=max" >$CG/b1/io.max
			done
		done
		dmsetup remove --retry ibfast
		;;
	scaling)
		# N groups attached (type cgroup) on one ioband device on the fast
		# disk; 16 jobs of QD 4, each in its own cgroup, spread over them.
		# gN: policy weight, the defaults; fN: policy fair with io_limit
		# 32, half of the 64 bios offered, so that bios wait and the
		# choice between groups is made on every dispatch
		local n pol
		rot g f
		for pol in "${ROT[@]}"; do
			rot 1 16 256 1024
			for n in "${ROT[@]}"; do
				local ids k tl="4 128 cgroup weight"
				[ "$pol" = f ] && tl="31 32 cgroup fair"
				# one stat for all: forks are slow under TCG
				mapfile -t ids < <(stat -c '%i:100' $(printf "$CG/s%d " $(seq 1 "$n")))
				ioband_create ibscale /dev/mapper/fastlin 3 $tl 2048 :100 "${ids[@]}" ||
					die "ibscale $pol$n"
				udev_settle
				for k in $(seq 0 15); do
					local g=$((n >= 16 ? k * n / 16 + 1 : 1))
					job "$name" "$pol$n" "$r" $((k + 1)) 100 "s$g" /dev/mapper/ibscale \
						--rw=randread --bs=4k --iodepth=4 --offset=$((k * 64))m --size=64m
				done
				go
				dmsetup remove --retry ibscale
			done
		done
		;;
	esac
}

mkdir -p $(printf "$CG/s%d " $(seq 1 1024))

if [ "$QUICK" = 1 ]; then
	SCENARIOS=(seed-40-20-10 two-randread two-mixedbs idle-one sixteen-vs-one
		overhead-qd1 overhead-qd32 scaling)
else
	SCENARIOS=(seed-40-20-10 sixteen-vs-one idle-one overhead-qd1 overhead-qd32 scaling
		two-randread two-seqread two-randwrite two-mixedbs
		four-randread four-seqread four-randwrite four-mixedbs)
fi
# BENCH_SCENARIOS=a,b (comma-separated) runs only those, BENCH_ROUNDS=N rounds
if [ -n "${BENCH_SCENARIOS:-}" ]; then
	IFS=, read -ra SCENARIOS <<<"$BENCH_SCENARIOS"
fi
# every scenario in every round: a single run resolves no difference of
# a few hundredths of a point between two controllers
for r in $(seq 1 "$ROUNDS"); do
	for s in "${SCENARIOS[@]}"; do
		echo "# round $r: $s ($(date -u +%H:%M:%S))"
		scenario "$s"
	done
done
echo "end=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$OUT/meta.txt"

rmdir $(printf "$CG/s%d " $(seq 1 1024))
for i in 1 2 3 4; do dmsetup remove --retry "part$i"; done
dmsetup remove --retry fastlin
n_err=$(cat "$OUT"/*.err | grep -ci err || true)
check "fio reported no errors" test "$n_err" -eq 0
check "unload" unload_ioband
finish
