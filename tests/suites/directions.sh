#!/usr/bin/env bash
# Weights per direction on a bottleneck disk (10 ms per bio, 4 tags, two
# partitions, an ioband device on each in one device group): ib1 with
# weight 100 and write_weight 50 (its writes count double) against ib2 at
# weight 100.  Measured at the disk over 10 s: both writing, ib1 gets a
# third; both reading, half; ib1 writing against ib2 reading, a third;
# under fair, fair-iosize and time (every bio takes the disk the same time
# here, so a write's time counts double too).  "write_weight ...:same"
# undoes it, and the table carries it.
# estimate: 200
# timeout: 600
# exclusive: yes
. "$REPO/tests/lib/guest.sh"

WIN=10
OUT=$RESULTS/fio
mkdir -p "$OUT"
load_ioband
disk=$(nullb dirs 1024 irqmode=2 completion_nsec=10000000 hw_queue_depth=4 submit_queues=1)
partition "$disk" 2 1024000
ioband_create ib1 "${disk}1" 1
ioband_create ib2 "${disk}2" 1
udev_settle

# split RW1 RW2: ib1's % of the bytes the disk moved, both jobs running
split() {
	fio --name=j1 --filename=/dev/mapper/ib1 --rw="$1" --bs=16k --direct=1 --ioengine=libaio \
		--iodepth=16 --runtime=$((WIN + 4)) --time_based --output="$OUT/$1-$2-1.txt" >/dev/null &
	fio --name=j2 --filename=/dev/mapper/ib2 --rw="$2" --bs=16k --direct=1 --ioengine=libaio \
		--iodepth=16 --runtime=$((WIN + 4)) --time_based --output="$OUT/$1-$2-2.txt" >/dev/null &
	python3 "$REPO/tests/lib/rates.py" "$WIN" /sys/block/dirs/dirs1/stat /sys/block/dirs/dirs2/stat |
		awk -F' [|] ' '{ split($1, a, " "); split($2, b, " ");
			s1 = a[2] + a[4]; s2 = b[2] + b[4]; printf "%.1f\n", 100 * s1 / (s1 + s2) }'
	wait
}
near() { python3 -c "import sys; sys.exit(not abs($1 - $2) <= $3)"; }

dmsetup message ib1 0 write_weight 50
check "the table carries the write weight" grep -q ' write_weight -1:50$' <<<"$(table_of ib1)"
for p in fair fair-iosize time; do
	dmsetup message ib1 0 policy "$p"
	w=$(split randwrite randwrite)
	check "$p: both writing, ib1 (writes count double) gets a third: $w %" near "$w" 33.3 4
	r=$(split randread randread)
	check "$p: both reading, ib1 gets half: $r %" near "$r" 50 4
	m=$(split randwrite randread)
	check "$p: ib1 writing against ib2 reading gets a third: $m %" near "$m" 33.3 4
done
dmsetup message ib1 0 policy fair
dmsetup message ib1 0 write_weight same
check "write_weight same: the table is plain again" test "$(table_of ib1 | grep -c write_weight)" = 0
w=$(split randwrite randwrite)
check "write weight lifted: both writing split evenly: $w %" near "$w" 50 4
dmsetup remove ib1
dmsetup remove ib2
finish
