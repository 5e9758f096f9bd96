#!/usr/bin/env bash
# Floors and the idle class on a bottleneck disk: a null_blk of 10 ms per
# bio and 4 tags (400 IOPS, well below what the guest submits) in two
# partitions, an ioband device on each in one device group, the defaults
# (policy fair, io_limit auto).  Rates are counted at the disk (the
# partitions' completed I/O) over 10 s windows while both jobs run.
# - A weight-1 group with a floor of 20 % of the disk against a weight-1000
#   bully keeps at least 19 %.
# - A floor is a minimum beside the weights: at equal weights a floor of
#   20 % changes nothing (the weight gives 50 %); one of 70 % holds.
# - Floors that ask more than the disk gives split it by floor, and
#   "limits" shows the groups behind.
# - An idle-class bully beside a normal reader (QD 16, and QD 1 with think
#   time) leaves the reader at least 95 % of what it does alone (the QD 1
#   reader's alone: before and after, averaged); alone, the
#   idle group gets at least 90 % of the disk.
# estimate: 260
# timeout: 900
# exclusive: yes
. "$REPO/tests/lib/guest.sh"

WIN=10
OUT=$RESULTS/fio
mkdir -p "$OUT"
load_ioband
disk=$(nullb floors 1024 irqmode=2 completion_nsec=10000000 hw_queue_depth=4 submit_queues=1)
partition "$disk" 2 1024000
ioband_create ib1 "${disk}1" 1
ioband_create ib2 "${disk}2" 1
udev_settle

# fio_bg NAME DEV SECS [fio options...]: 16 KiB random direct reads, QD 16
fio_bg() {
	local name=$1 dev=$2 secs=$3
	shift 3
	fio --name="$name" --filename="$dev" --rw=randread --bs=16k --direct=1 \
		--ioengine=libaio --iodepth=16 --runtime="$secs" --time_based \
		--output-format=json --output="$OUT/$name.json" "$@" >/dev/null &
}
# rates: bytes/s read from partitions 1 and 2 over WIN s, jobs running
rates() {
	python3 "$REPO/tests/lib/rates.py" "$WIN" /sys/block/floors/floors1/stat \
		/sys/block/floors/floors2/stat | awk -F' [|] ' '{ split($1, a, " "); split($2, b, " "); print a[2], b[2] }'
}
# both NAME [fio options for ib1]: "bytes/s of ib1, of ib2" with both running
both() {
	local name=$1 r
	shift
	fio_bg "$name-1" /dev/mapper/ib1 $((WIN + 4)) "$@"
	fio_bg "$name-2" /dev/mapper/ib2 $((WIN + 4))
	r=$(rates)
	wait
	echo "$r"
}
# alone DEV N: bytes/s of DEV (partition N) alone
alone() {
	local r
	fio_bg "alone-$1" "/dev/mapper/$1" $((WIN + 4)) "${@:3}"
	r=$(rates)
	wait
	echo "$r" | cut -d' ' -f"$2"
}
pct() { python3 -c "print(round(100 * $1 / $2, 1))"; }
at_least() { python3 -c "import sys; sys.exit(not float(sys.argv[1]) >= float(sys.argv[2]))" "$1" "$2"; }

disk_bps=$(alone ib2 2)
echo "# the disk alone through ib2: $disk_bps B/s"
floor=$(python3 -c "print(int(0.2 * $disk_bps))")

echo "# weight 1 against a weight-1000 bully"
dmsetup message ib1 0 weight 1
dmsetup message ib2 0 weight 1000
read -r r1 r2 <<<"$(both nofloor)"
echo "# without a floor: ib1 $(pct "$r1" "$disk_bps") %, ib2 $(pct "$r2" "$disk_bps") % of the disk"
dmsetup message ib1 0 floor "bps=$floor"
read -r r1 r2 <<<"$(both floor20)"
share=$(pct "$r1" "$((r1 + r2))")
echo "# floor 20 %: ib1 $r1 B/s, ib2 $r2 B/s: ib1 $share % of what the disk did"
check "a floor of 20 % against a weight-1000 bully keeps at least 19 % ($share %)" at_least "$share" 19
check_eq "the table carries the floor" "limit:0 floor:1" \
	"limit:$(table_of ib1 | grep -c ' limit ') floor:$(table_of ib1 | grep -c " floor -1:bps=$floor\$")"

echo "# equal weights: a floor below the weight's share changes nothing, one above it holds"
dmsetup message ib2 0 weight 1
read -r r1 r2 <<<"$(both floor-equal)"
share=$(pct "$r1" "$((r1 + r2))")
echo "# floor 20 %: ib1 $share % of what the disk did"
check "a floor of 20 % at equal weights: ib1 45 to 55 % ($share %)" \
	python3 -c "import sys; sys.exit(not 45 <= $share <= 55)"
dmsetup message ib1 0 floor "bps=$((floor * 7 / 2))"
read -r r1 r2 <<<"$(both floor-equal70)"
share=$(pct "$r1" "$((r1 + r2))")
echo "# floor 70 %: ib1 $share % of what the disk did"
check "a floor of 70 % at equal weights holds: ib1 68 to 80 % ($share %)" \
	python3 -c "import sys; sys.exit(not 68 <= $share <= 80)"

echo "# floors of 70 % each: more than the disk gives"
dmsetup message ib1 0 floor "bps=$((floor * 7 / 2))"
dmsetup message ib2 0 floor "bps=$((floor * 7 / 2))"
fio_bg over-1 /dev/mapper/ib1 $((WIN + 4))
fio_bg over-2 /dev/mapper/ib2 $((WIN + 4))
sleep 5
lim1=$(dmsetup message ib1 0 limits)
lim2=$(dmsetup message ib2 0 limits)
read -r r1 r2 <<<"$(rates)"
wait
share=$(pct "$r1" "$((r1 + r2))")
echo "# limits: ib1 $lim1, ib2 $lim2; ib1 $share %"
check "floors beyond the disk split it by floor: ib1 40 to 60 % ($share %)" \
	python3 -c "import sys; sys.exit(not 40 <= $share <= 60)"
behind=$(echo "$lim1 $lim2" | tr ' ' '\n' | grep '^-1:' | cut -d: -f7 | sort -n | tail -n 1)
check "limits shows a group behind its floor (${behind:-?} us)" at_least "${behind:-0}" 20000
dmsetup message ib1 0 floor none
dmsetup message ib2 0 floor none
dmsetup message ib1 0 weight 100
dmsetup message ib2 0 weight 100

echo "# the idle class"
dmsetup message ib1 0 class idle
check "the table carries the class" grep -q ' class -1:idle$' <<<"$(table_of ib1)"
idle_alone=$(alone ib1 1)
check "the idle group alone gets at least 90 % of the disk ($(pct "$idle_alone" "$disk_bps") %)" \
	at_least "$idle_alone" "$(python3 -c "print(0.9 * $disk_bps)")"
read -r r1 r2 <<<"$(both idle-qd16)"
echo "# idle bully and a QD 16 reader: idle $(pct "$r1" "$disk_bps") %, reader $(pct "$r2" "$disk_bps") % of the disk"
check "a QD 16 reader keeps at least 95 % of alone beside an idle-class bully" \
	at_least "$r2" "$(python3 -c "print(0.95 * $disk_bps)")"
# a reader that waits for each bio and thinks 2 ms between them: bound by
# the guest's CPU as much as by the disk, so alone is measured before and
# after, and the mean is what it keeps a share of
solo1a=$(alone ib2 2 --iodepth=1 --thinktime=2000)
fio_bg idle-bully /dev/mapper/ib1 $((WIN + 4))
fio --name=qd1 --filename=/dev/mapper/ib2 --rw=randread --bs=16k --direct=1 \
	--ioengine=libaio --iodepth=1 --thinktime=2000 --runtime=$((WIN + 4)) --time_based \
	--output-format=json --output="$OUT/qd1.json" >/dev/null &
read -r r1 r2 <<<"$(rates)"
wait
solo1b=$(alone ib2 2 --iodepth=1 --thinktime=2000)
solo1=$(python3 -c "print(($solo1a + $solo1b) / 2)")
echo "# QD 1 reader: alone $solo1a and $solo1b B/s, beside the idle bully $r2 B/s (idle group $r1 B/s)"
check "a QD 1 reader with think time keeps at least 95 % of alone beside an idle-class bully" \
	at_least "$r2" "$(python3 -c "print(0.95 * $solo1)")"
dmsetup message ib1 0 class normal
check "class normal again: the table is plain" test "$(table_of ib1 | grep -c class)" = 0

dmsetup remove ib1
dmsetup remove ib2
finish
