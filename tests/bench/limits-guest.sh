#!/usr/bin/env bash
# timeout: 2400
# memory: 2G
# Caps, floors and the idle class against the kernel's own controllers, in
# one guest (docs/benchmark.md, "Limits"):
# - caps: a read or write rate capped at 5, 30 and 80 % of the disk, with
#   ioband and with io.max (blk-throttle) on the same disk; achieved over a
#   10 s window at the disk, as a ratio of the cap (goal: ioband within 2 %);
# - a floor: a weight-1 group with a floor of 20 % of the disk against a
#   weight-1000 bully, beside the same pair without a floor, under BFQ
#   weights and under io.cost (no peer has floors; goal: at least 19 %);
# - the idle class: a reader (QD 16, and QD 1 with 2 ms think time) beside
#   an idle-class bully, with ioband and with BFQ's idle class (ionice -c3);
#   the reader's throughput as a share of alone (goal: at least 95 %), and
#   the idle group alone as a share of the disk (goal: at least 90 %);
# - the cost of a cap that never bites (2^50 bytes/s) on a memory-speed
#   null_blk, QD 1 and QD 32, runs in the order none cap cap none (goal: at
#   least 99 % of the IOPS without it).
#   python3 tests/vm/run.py --icount --kernel 6.12 tests/bench/limits-guest.sh
# Prints "goal ..." lines, met or not, and keeps fio output under $RESULTS/limits.
. "$REPO/tests/lib/guest.sh"

WIN=${LIMITS_WIN:-10}
OUT=$RESULTS/limits
CG=/sys/fs/cgroup
mkdir -p "$OUT"
load_ioband
echo "+io" >$CG/cgroup.subtree_control
mkdir -p $CG/l1 $CG/l2
met=0
missed=0
goal() {
	if python3 -c "import sys; sys.exit(not ($2))"; then
		met=$((met + 1)); echo "goal met: $1"
	else
		missed=$((missed + 1)); echo "goal NOT met: $1"
	fi
}
pct() { python3 -c "print(round(100 * $1 / $2, 1))"; }

# fio_bg NAME DEV CGROUP RW SECS [options]: 16 KiB direct I/O, QD 16
fio_bg() {
	local name=$1 dev=$2 cg=$3 rw=$4 secs=$5
	shift 5
	fio --name="$name" --filename="$dev" --rw="$rw" --bs=16k --direct=1 \
		--ioengine=libaio --iodepth=16 --runtime="$secs" --time_based \
		--cgroup="$cg" --cgroup_nodelete=1 \
		--output-format=json --output="$OUT/$name.json" "$@" >/dev/null &
}
# window DISK PART...: bytes/s read+written of each PART ("" the whole
# disk) over WIN s
window() {
	local d=$1 p files=()
	shift
	for p in "$@"; do
		if [ -n "$p" ]; then files+=("/sys/block/$d/$d$p/stat"); else files+=("/sys/block/$d/stat"); fi
	done
	python3 "$REPO/tests/lib/rates.py" "$WIN" "${files[@]}" |
		awk -F' [|] ' '{ for (i = 1; i <= NF; i++) { split($i, r, " "); printf "%s%.0f", (i > 1 ? " " : ""), r[2] + r[4] } print "" }'
}

echo "# caps: 10 ms per bio, 4 tags"
disk=$(nullb lcap 1024 irqmode=2 completion_nsec=10000000 hw_queue_depth=4 submit_queues=1)
MM=$(devnum "$disk")
ioband_create ibc "$disk" 1
udev_settle
for rw in randread randwrite; do
	fio_bg "alone-$rw" "$disk" l1 "$rw" $((WIN + 4))
	solo=$(window lcap "")
	wait
	key=read_bps
	mkey=rbps
	[ "$rw" = randwrite ] && key=write_bps mkey=wbps
	echo "# $rw alone: $solo B/s"
	printf '# %-10s %5s %12s %12s %8s %8s\n' direction cap% "cap B/s" "" ioband io.max
	for f in 0.05 0.3 0.8; do
		want=$(python3 -c "print(int($f * $solo))")
		dmsetup message ibc 0 limit "$key=$want"
		fio_bg "ioband-$rw-$f" /dev/mapper/ibc l1 "$rw" $((WIN + 4))
		a=$(window lcap "")
		wait
		dmsetup message ibc 0 limit none
		echo "$MM $mkey=$want" >$CG/l1/io.max
		fio_bg "iomax-$rw-$f" "$disk" l1 "$rw" $((WIN + 4))
		b=$(window lcap "")
		wait
		echo "$MM $mkey=max" >$CG/l1/io.max
		printf '%-12s %5s %12s %12s %7s%% %7s%%\n' "$rw" "$(python3 -c "print(round($f * 100))")" \
			"$want" "" "$(pct "$a" "$want")" "$(pct "$b" "$want")"
		goal "ioband $key at $(python3 -c "print(round($f * 100))") % of the disk within 2 % ($(pct "$a" "$want") %; io.max $(pct "$b" "$want") %)" \
			"abs($a / $want - 1) <= 0.02"
	done
done
dmsetup remove ibc
nullb_remove lcap

echo "# floors: 10 ms per bio, 4 tags, two partitions"
disk=$(nullb lfl 1024 irqmode=2 completion_nsec=10000000 hw_queue_depth=4 submit_queues=1)
MM=$(devnum "$disk")
partition "$disk" 2 1024000
ioband_create ibf1 "${disk}1" 1
ioband_create ibf2 "${disk}2" 1
udev_settle
pair() {
	fio_bg "$1-1" "$2" l1 randread $((WIN + 4))
	fio_bg "$1-2" "$3" l2 randread $((WIN + 4))
	window lfl 1 2
	wait
}
fio_bg floor-alone "${disk}2" l2 randread $((WIN + 4))
disk_bps=$(window lfl 2)
wait
echo "# the disk alone: $disk_bps B/s"
# every share below is of this: nothing measured, nothing to judge
[ "${disk_bps:-0}" -gt 0 ] || die "the disk moved nothing alone"
dmsetup message ibf1 0 weight 1
dmsetup message ibf2 0 weight 1000
read -r r1 r2 <<<"$(pair ioband-nofloor /dev/mapper/ibf1 /dev/mapper/ibf2)"
nofloor=$(pct "$r1" "$((r1 + r2))")
dmsetup message ibf1 0 floor "bps=$((disk_bps / 5))"
read -r r1 r2 <<<"$(pair ioband-floor /dev/mapper/ibf1 /dev/mapper/ibf2)"
floor=$(pct "$r1" "$((r1 + r2))")
dmsetup remove ibf1
dmsetup remove ibf2
echo bfq >/sys/block/lfl/queue/scheduler
echo 1 >$CG/l1/io.bfq.weight
echo 1000 >$CG/l2/io.bfq.weight
read -r r1 r2 <<<"$(pair bfq "${disk}1" "${disk}2")"
bfq=$(pct "$r1" "$((r1 + r2))")
echo 100 >$CG/l1/io.bfq.weight
echo 100 >$CG/l2/io.bfq.weight
echo none >/sys/block/lfl/queue/scheduler
if echo "$MM enable=1" >$CG/io.cost.qos 2>/dev/null; then
	echo "$MM 1" >$CG/l1/io.weight
	echo "$MM 1000" >$CG/l2/io.weight
	read -r r1 r2 <<<"$(pair iocost "${disk}1" "${disk}2")"
	iocost=$(pct "$r1" "$((r1 + r2))")
	echo "$MM enable=0" >$CG/io.cost.qos
else
	iocost="n/a"
fi
echo "# weight-1 group's share against a weight-1000 bully: ioband no floor $nofloor %, ioband floor 20 % $floor %, BFQ $bfq %, io.cost $iocost %"
goal "a floor of 20 % against a weight-1000 bully keeps at least 19 % ($floor %)" "$floor >= 19"

echo "# idle class: the same disk"
ioband_create ibi1 "${disk}1" 2
ioband_create ibi2 "${disk}2" 2
udev_settle
# idle_run CTL: "reader QD16 B/s, reader QD1 B/s, idle alone B/s" under CTL
idle_run() {
	local d1=/dev/mapper/ibi1 d2=/dev/mapper/ibi2 pre=() q16 q1 alone
	if [ "$1" = bfq ]; then
		d1=${disk}1 d2=${disk}2 pre=(--prioclass=3)
		echo bfq >/sys/block/lfl/queue/scheduler
	else
		dmsetup message ibi1 0 class idle
	fi
	fio_bg "$1-idle-alone" "$d1" l1 randread $((WIN + 4)) "${pre[@]}"
	alone=$(window lfl 1)
	wait
	fio_bg "$1-bully16" "$d1" l1 randread $((WIN + 4)) "${pre[@]}"
	fio_bg "$1-reader16" "$d2" l2 randread $((WIN + 4))
	q16=$(window lfl 2)
	wait
	fio_bg "$1-bully1" "$d1" l1 randread $((WIN + 4)) "${pre[@]}"
	fio_bg "$1-reader1" "$d2" l2 randread $((WIN + 4)) --iodepth=1 --thinktime=2000
	q1=$(window lfl 2)
	wait
	[ "$1" = bfq ] && echo none >/sys/block/lfl/queue/scheduler
	[ "$1" = ioband ] && dmsetup message ibi1 0 class normal
	echo "$q16 $q1 $alone"
}
fio_bg reader-alone16 /dev/mapper/ibi2 l2 randread $((WIN + 4))
solo16=$(window lfl 2)
wait
fio_bg reader-alone1 /dev/mapper/ibi2 l2 randread $((WIN + 4)) --iodepth=1 --thinktime=2000
solo1=$(window lfl 2)
wait
read -r i16 i1 ialone <<<"$(idle_run ioband)"
read -r b16 b1 balone <<<"$(idle_run bfq)"
echo "# reader beside an idle bully, % of alone: QD 16 ioband $(pct "$i16" "$solo16") %, BFQ $(pct "$b16" "$solo16") %; QD 1 ioband $(pct "$i1" "$solo1") %, BFQ $(pct "$b1" "$solo1") %"
echo "# idle group alone, % of the disk: ioband $(pct "$ialone" "$disk_bps") %, BFQ $(pct "$balone" "$disk_bps") %"
goal "QD 16 reader beside an idle-class bully keeps at least 95 % ($(pct "$i16" "$solo16") %)" "$i16 >= 0.95 * $solo16"
goal "QD 1 reader beside an idle-class bully keeps at least 95 % ($(pct "$i1" "$solo1") %)" "$i1 >= 0.95 * $solo1"
goal "the idle group alone gets at least 90 % of the disk ($(pct "$ialone" "$disk_bps") %)" "$ialone >= 0.9 * $disk_bps"
dmsetup remove ibi1
dmsetup remove ibi2
nullb_remove lfl

echo "# a cap that never bites, on a memory-speed null_blk"
disk=$(nullb lfast 1024)
ioband_create ibo "$disk" 3
udev_settle
iops() {
	fio --name="$1" --filename=/dev/mapper/ibo --rw=randread --bs=4k --direct=1 \
		--ioengine=libaio --iodepth="$2" --runtime="$WIN" --time_based \
		--output-format=json --output="$OUT/$1.json" >/dev/null
	python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['jobs'][0]['read']['iops']))" "$OUT/$1.json"
}
for qd in 1 32; do
	n1=$(iops "none-a-$qd" "$qd")
	dmsetup message ibo 0 limit bps=1125899906842624
	c1=$(iops "cap-a-$qd" "$qd")
	c2=$(iops "cap-b-$qd" "$qd")
	dmsetup message ibo 0 limit none
	n2=$(iops "none-b-$qd" "$qd")
	ratio=$(python3 -c "print(round(100 * ($c1 + $c2) / ($n1 + $n2), 1))")
	echo "# QD $qd: no cap $n1 / $n2 IOPS, idle cap $c1 / $c2 IOPS: $ratio %"
	goal "a configured idle cap at QD $qd keeps at least 99 % of the IOPS ($ratio %)" "$ratio >= 99"
done
dmsetup remove ibo
nullb_remove lfast
echo "# limits bench: $met goals met, $missed not met"
