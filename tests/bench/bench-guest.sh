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
#   slow  null_blk, BENCH_DEPTH tags (2, 8 or 32; default 2), one queue, the
#         kernel's default scheduler and nr_requests, timer completion of
#         5 ms x depth per I/O: 200 IOPS at every depth, a bottleneck a TCG
#         guest can always drive (issue #6's 1 ms, 8-tag disk is not: the
#         guest's CPU saturates first, below 2000 IOPS).  Cut in four
#         512 MiB GPT partitions, /dev/bslow1..4: a partition shares the
#         disk's request queue, so whatever sits on it (ioband) sees the
#         disk's depth, which a bio-based dm-linear slice would hide
#   fast  null_blk with its default (immediate) completion: overhead, the
#         scaling of group selection and the cost of nested groups
# Controllers:
#   none     dm-linear over each partition, no control: one dm layer, as
#            ioband has, so that "vs dm-linear" compares control alone
#   ioband   one ioband device per partition with nothing but the disk and
#            the device group in its table (the defaults: policy, token,
#            io_throttle and io_limit as the module chooses), weights by
#            message: what the goals are judged on
#   ioband-d one device per partition, io_limit = the disk's nr_requests
#            (io_throttle one less), policy weight, token 128
#   iosize-d ioband-d with policy weight-iosize (scenarios with mixed sizes)
#   fair-d   ioband-d with policy fair (fair queueing, no epochs)
#   fairsz-d ioband-d with policy fair-iosize (scenarios with mixed sizes)
#   bfq      scheduler bfq on the disk, cgroup v2 io.bfq.weight, jobs on
#            the partitions
#   iocost   io.cost.qos enable=1 on the disk, cgroup v2 io.weight, jobs on
#            the partitions
#   iomax    io.max with limits far above the device (overhead only)
# hierarchy-split runs all its jobs on one device: dm-linear over partition
# 1 for none, the partition itself for BFQ and io.cost, one ioband device
# (type cgroup) over the partition for ioband and fair-d, with the slices
# and services attached by cgroup ID.
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
# hierarchy-lookup: one palindrome per round and depth (on the instruction
# clock one repeats to a tenth of a point)
HL_REPS=${BENCH_HL_REPS:-1}
RAMP=1
OUT=$RESULTS/bench
mkdir -p "$OUT"
MAN=$OUT/runs.tsv
printf 'scenario\tcontroller\tround\tjob\tweight\tprefix\tjson\n' >"$MAN"
CG=/sys/fs/cgroup

# the slow disk's tags; 5 ms per tag and I/O keeps it at 200 IOPS
TAGS=${BENCH_DEPTH:-2}
case $TAGS in
'' | *[!0-9]* | 0) die "BENCH_DEPTH must be a positive number of tags, not '$TAGS'" ;;
esac
SLOW_NSEC=$((TAGS * 5000000))

load_ioband
modprobe bfq 2>/dev/null
# memory-backed: the partition table must read back (nothing else is
# written but the random-write scenarios' few MiB); 2050 MiB holds four
# 512 MiB partitions after GPT's first MiB and before its backup table
slow=$(nullb bslow 2050 memory_backed=1 irqmode=2 completion_nsec=$SLOW_NSEC hw_queue_depth=$TAGS submit_queues=1)
fast=$(nullb bfast 1024 memory_backed=0 submit_queues=1 queue/scheduler=none)
slow_mm=$(devnum "$slow")
fast_mm=$(devnum "$fast")
SLOW_SCHED=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/block/bslow/queue/scheduler)
# what the disk queues: ioband-d keeps at most this many bios in flight
DEPTH=$(cat /sys/block/bslow/queue/nr_requests)
printf 'label: gpt\n,512MiB\n,512MiB\n,512MiB\n,512MiB\n' | sfdisk -q "$slow" >/dev/null ||
	die "sfdisk $slow"
udev_settle
for i in 1 2 3 4; do
	[ -b "/dev/bslow$i" ] || die "no partition /dev/bslow$i"
	linear_slice "lin$i" "/dev/bslow$i" 0 "$(blockdev --getsz "/dev/bslow$i")"
done
linear_slice fastlin "$fast" 0 "$(blockdev --getsz "$fast")"
# what the defaults come to on a partition of this disk, for the report:
# the module's settings message where it has one, else the table it shows
# (a device group of its own, and removed only once udev's probe reads of
# it, slow on a deep disk, are done: it must not linger in the measured
# device group)
ioband_create ibprobe /dev/bslow1 9 || die "ioband_create ibprobe"
IOBAND_DEFAULTS=$(dmsetup message ibprobe 0 settings 2>/dev/null | head -n 1)
[ -n "$IOBAND_DEFAULTS" ] || IOBAND_DEFAULTS="(no settings message) table: $(table_of ibprobe)"
udev_settle
dmsetup remove --retry ibprobe || die "remove ibprobe"
# every set-up waits for udev's probe reads of its new devices, or they
# land in a measured window (see udev_settle)
udev_settle

mountpoint -q $CG || mount -t cgroup2 none $CG
echo "+io" >$CG/cgroup.subtree_control
for g in 1 2 3 4; do mkdir -p "$CG/b$g"; done

# hierarchy-split's tree, as systemd lays one out: two slices, three
# services in each, and a service's processes one level further down (its
# payload cgroup).  The io controller is on at every level, so that every
# cgroup has a blkcg of its own (a bio otherwise counts as its nearest
# ancestor's that has one).  HS_GROUPS: each slice and service with its
# weight, as ioband, BFQ and io.cost are given them; HS_JOBS: the services
# whose payloads run a job.
HS_GROUPS=()
HS_JOBS=()
for sl in a.slice:80 b.slice:40; do
	HS_GROUPS+=("$sl")
	mkdir -p "$CG/${sl%:*}"
	echo "+io" >"$CG/${sl%:*}/cgroup.subtree_control"
	for sv in s1.service:100 s2.service:100 s3.service:200; do
		HS_GROUPS+=("${sl%:*}/$sv")
		HS_JOBS+=("${sl%:*}/${sv%:*}")
		mkdir -p "$CG/${sl%:*}/${sv%:*}/payload"
		echo "+io" >"$CG/${sl%:*}/${sv%:*}/cgroup.subtree_control"
	done
done
# each job's share of the disk times 12: slices 2/3 and 1/3, services
# 1/4, 1/4 and 1/2 of their slice.  runs.tsv gives these as the jobs'
# weights, so that weight over their sum is the share the nesting is due
# (the renderer's arithmetic is flat); the controllers get the tree's own
# weights, HS_GROUPS
HS_SHARE=(2 2 4 1 1 2)
# cgroup IDs (inode numbers) as ioband's table wants them; one stat for
# all: forks are slow under TCG
mapfile -t HS_IDS < <(for g in "${HS_GROUPS[@]}"; do echo "$CG/${g%:*}"; done | xargs stat -c %i)

# hierarchy-lookup's cgroups: hl, attached by itself (flat), and
# n1/n2/.../n8, every level attached (nested); io on at every level
mkdir -p "$CG/hl"
HL_DEEP=n1
for i in 2 3 4 5 6 7 8; do
	mkdir -p "$CG/$HL_DEEP"
	echo "+io" >"$CG/$HL_DEEP/cgroup.subtree_control"
	HL_DEEP+=/n$i
done
mkdir -p "$CG/$HL_DEEP"
HL_FLAT=$(stat -c %i "$CG/hl")
mapfile -t HL_NESTED < <(d=$CG; for i in $(seq 1 8); do d+=/n$i; echo "$d"; done | xargs stat -c %i)

{
	echo "kernel=$(uname -r)"
	echo "cpus=$(nproc)"
	echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "runtime=$RT"
	echo "ramp=$RAMP"
	echo "rounds=$ROUNDS"
	echo "quick=$QUICK"
	echo "depth=$TAGS"
	echo "slow=null_blk irqmode=2 completion_nsec=$SLOW_NSEC hw_queue_depth=$TAGS submit_queues=1 scheduler=$SLOW_SCHED nr_requests=$DEPTH, four GPT partitions"
	echo "ioband_defaults=$IOBAND_DEFAULTS"
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
			# ioband: the table names the disk and the device group only
			ioband_create "ib$i" "/dev/bslow$i" 1 "${lim[@]}" || die "ioband_create ib$i"
			dmsetup message "ib$i" 0 weight "$w"
			# an epoch of about 0.6 s at 200 IOPS (the default 2048 is 10 s)
			[ "$ctl" != ioband ] && dmsetup message "ib$i" 0 token "$TOKEN"
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
	none)
		for w in "$@"; do
			DEVS+=("/dev/mapper/lin$i")
			i=$((i + 1))
		done
		;;
	*)
		for w in "$@"; do
			DEVS+=("/dev/bslow$i")
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

# hs_on CTL: set up CTL on hierarchy-split's tree (HS_GROUPS); sets HS_DEV,
# the one device all six jobs use
hs_on() {
	local ctl=$1 g i
	HS_DEV=/dev/bslow1
	case $ctl in
	none) HS_DEV=/dev/mapper/lin1 ;;
	ioband | fair-d)
		local ids=() tl="4 128 cgroup weight"
		[ "$ctl" = fair-d ] && tl="$((DEPTH - 1)) $DEPTH cgroup fair"
		for i in "${!HS_GROUPS[@]}"; do ids+=("${HS_IDS[i]}:${HS_GROUPS[i]##*:}"); done
		ioband_create ibhier /dev/bslow1 4 $tl "$TOKEN" :100 "${ids[@]}" || die "ibhier $ctl"
		HS_DEV=/dev/mapper/ibhier
		;;
	bfq)
		echo bfq >/sys/block/bslow/queue/scheduler || die "no bfq"
		for g in "${HS_GROUPS[@]}"; do echo "${g##*:}" >"$CG/${g%:*}/io.bfq.weight"; done
		;;
	iocost)
		echo "$slow_mm enable=1" >$CG/io.cost.qos || die "no io.cost"
		for g in "${HS_GROUPS[@]}"; do echo "default ${g##*:}" >"$CG/${g%:*}/io.weight"; done
		;;
	esac
	udev_settle
}

hs_off() {
	local ctl=$1 g
	case $ctl in
	ioband | fair-d) dmsetup remove --retry ibhier ;;
	bfq)
		for g in "${HS_GROUPS[@]}"; do echo 100 >"$CG/${g%:*}/io.bfq.weight"; done
		echo "$SLOW_SCHED" >/sys/block/bslow/queue/scheduler
		;;
	iocost)
		echo "$slow_mm enable=0" >$CG/io.cost.qos
		for g in "${HS_GROUPS[@]}"; do echo "default 100" >"$CG/${g%:*}/io.weight"; done
		;;
	esac
	return 0
}

# hl_groups ID...: attach exactly these cgroup IDs to ibhl (hierarchy-lookup)
HL_ATTACHED=()
hl_groups() {
	local id
	[ "$*" = "${HL_ATTACHED[*]}" ] && return 0
	for id in "${HL_ATTACHED[@]}"; do dmsetup message ibhl 0 detach "$id" || die "detach $id"; done
	for id in "$@"; do dmsetup message ibhl 0 attach "$id" || die "attach $id"; done
	HL_ATTACHED=("$@")
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

# the goals are judged on ioband with its defaults; the depth-matched
# weight policy (ioband-d) only in the goal scenarios, so that a full run
# stays short
GOAL_CTLS=(none ioband ioband-d fair-d bfq iocost)
PROP_CTLS=(none ioband fair-d bfq iocost)
MIXED_CTLS=(none ioband iosize-d fair-d fairsz-d bfq iocost)
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
				job "$name" alone "$r" 2 100 b2 /dev/mapper/lin2 --rw=read --bs=64k --iodepth=1
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
	overhead-qd1 | overhead-qd32 | overhead-uring-qd1 | overhead-uring-qd32)
		# one dm layer each, both on the disk itself, the job pinned to
		# one CPU for all of them.  Throughput under TCG drifts by up to
		# 30 % from one run to the next, so each controller runs twice
		# in a palindrome (none ioband iomax iomax2 ioband2 none2,
		# rotated): a drift linear in time cancels in the sum of a
		# controller's two runs.  OH_REPS palindromes of short runs per
		# round, each reported as a round of its own.  overhead-uring-*
		# submit through io_uring, which issues REQ_NOWAIT and hands a
		# bio to a worker thread when the device cannot take it so.
		local qd=${name##*-qd} ctl k RT=$OH_RT r0=$r r eng=libaio
		case $name in *uring*) eng=io_uring ;; esac
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
					--iodepth="$qd" --cpus_allowed="$cpu" --ioengine="$eng"
				go
				echo "$fast_mm rbps=max wbps=max riops=max wiops=max" >$CG/b1/io.max
			done
		done
		# nowait_again: REQ_NOWAIT bios ioband turned back (modules
		# with the settings message)
		dmsetup message ibfast 0 settings >"$OUT/$name.r$r0.settings" 2>/dev/null ||
			rm -f "$OUT/$name.r$r0.settings"
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
	hierarchy-split)
		# six jobs on one device, each in a service's payload cgroup: the
		# controllers split the disk by the tree, slices 80/40, services
		# 1:1:2 (runs.tsv gives each job its share of 12, HS_SHARE)
		rot none ioband fair-d bfq iocost
		for ctl in "${ROT[@]}"; do
			hs_on "$ctl"
			# what ioband makes of the tree: id:parent:millionths
			[ "$HS_DEV" = /dev/mapper/ibhier ] &&
				dmsetup message ibhier 0 shares >"$OUT/$name.$ctl.r$r.shares"
			local k
			for k in "${!HS_JOBS[@]}"; do
				job "$name" "$ctl" "$r" $((k + 1)) "${HS_SHARE[k]}" "${HS_JOBS[k]}/payload" "$HS_DEV" \
					--rw=randread --bs=4k --iodepth=32
			done
			go
			hs_off "$ctl"
		done
		;;
	hierarchy-lookup)
		scenario hierarchy-lookup-qd1
		scenario hierarchy-lookup-qd32
		;;
	hierarchy-lookup-qd1 | hierarchy-lookup-qd32)
		# what nesting costs per bio: one ioband device (type cgroup) on
		# the fast disk, the job in hl with only hl attached (flat: no
		# nesting), or in n1/.../n8 with all eight levels attached
		# (nested), and dm-linear on the same disk.  The same palindrome
		# as the overhead runs (none flat nested nested2 flat2 none2,
		# rotated), HL_REPS of them per round, the job pinned to one CPU.
		local qd=${name##*-qd} ctl k RT=$OH_RT r0=$r r
		local cpu=$(($(nproc) > 1 ? 1 : 0))
		ioband_create ibhl "$fast" 5 4 128 cgroup weight 2048 :100 || die "ibhl"
		HL_ATTACHED=()
		udev_settle
		for k in $(seq 1 "$HL_REPS"); do
			r=$(((r0 - 1) * HL_REPS + k))
			rot none flat nested
			for ctl in "${ROT[@]}" "${ROT[2]}2" "${ROT[1]}2" "${ROT[0]}2"; do
				local dev=/dev/mapper/ibhl cg=hl
				case $ctl in
				none*) dev=/dev/mapper/fastlin ;;
				flat*) hl_groups "$HL_FLAT" ;;
				nested*) hl_groups "${HL_NESTED[@]}"; cg=$HL_DEEP ;;
				esac
				job "$name" "$ctl" "$r" 1 100 "$cg" "$dev" --rw=randread --bs=4k \
					--iodepth="$qd" --cpus_allowed="$cpu"
				go
			done
		done
		dmsetup remove --retry ibhl
		;;
	esac
}

mkdir -p $(printf "$CG/s%d " $(seq 1 1024))

if [ "$QUICK" = 1 ]; then
	SCENARIOS=(seed-40-20-10 two-randread two-mixedbs idle-one sixteen-vs-one
		overhead-qd1 overhead-qd32 overhead-uring-qd1 overhead-uring-qd32
		scaling hierarchy-split hierarchy-lookup)
else
	SCENARIOS=(seed-40-20-10 sixteen-vs-one idle-one overhead-qd1 overhead-qd32
		overhead-uring-qd1 overhead-uring-qd32 scaling hierarchy-split hierarchy-lookup
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
for j in "${HS_JOBS[@]}"; do rmdir "$CG/$j/payload" "$CG/$j"; done
rmdir "$CG/a.slice" "$CG/b.slice" "$CG/hl"
d=$HL_DEEP
while [ "$d" != . ]; do rmdir "$CG/$d"; d=$(dirname "$d"); done
for i in 1 2 3 4; do dmsetup remove --retry "lin$i"; done
dmsetup remove --retry fastlin
n_err=$(cat "$OUT"/*.err | grep -ci err || true)
check "fio reported no errors" test "$n_err" -eq 0
check "unload" unload_ioband
finish
