#!/usr/bin/env bash
# The test bed's disk models (tests/vm/diskmodel, docs/disk-models.md) do
# what they say: on the rotating model a random 4 KiB read costs a seek
# and half a rotation, a sequential one its transfer; NCQ-style reordering
# shortens seeks; on the flash model a write costs about three reads, and a
# writer that outruns garbage collection slows down.  Every figure is
# checked against what the model's parameters predict.
# estimate: 90
# exclusive: yes
# timeout: 400
. "$REPO/tests/lib/guest.sh"

out=$RESULTS/fio
mkdir -p "$out"
# fio_iops NAME OPTIONS...: one job on /dev/iobdisk0; prints "IOPS MB/s"
fio_iops() {
	local name=$1
	shift
	fio --name="$name" --filename=/dev/iobdisk0 --direct=1 --ioengine=libaio \
		--output-format=json --output="$out/$name.json" "$@" >/dev/null || return 1
	python3 - "$out/$name.json" <<-'EOF'
	import json, sys
	j = json.load(open(sys.argv[1]))["jobs"][0]
	d = j["read"] if j["read"]["io_bytes"] else j["write"]
	print(f'{d["iops"]:.1f} {d["bw_bytes"] / 1e6:.2f}')
	EOF
}
# within VALUE LOW HIGH: LOW <= VALUE <= HIGH
within() { python3 -c "import sys; v, lo, hi = map(float, sys.argv[1:]); sys.exit(not lo <= v <= hi)" "$@"; }
# model NAME: the prediction, from the same formulas as the module
model() { python3 -c "$1"; }
# near VALUE WANT LOW HIGH: LOW * WANT <= VALUE <= HIGH * WANT
near() { within "$1" "$(model "print($2 * $3)")" "$(model "print($2 * $4)")"; }

echo "# rotating: 8 GiB, 1-7 ms seek, 7200 rpm, 150 MB/s, 50 us a command"
check "load the rotating model" insmod "$IOBDISK_KO" model=rot
check_eq "it says it rotates" 1 "$(cat /sys/block/iobdisk0/queue/rotational)"
check_eq "its depth is 32 tags" 32 "$(cat /sys/block/iobdisk0/mq/0/nr_tags)"
# a random read: command, seek over a third of the disk on average, half
# a rotation, 4 KiB at 150 MB/s
want_rand=$(model 'print(f"{1e6 / (50 + 1000 + 6000 / 3 + 30e6 / 7200 + 4096 / 150):.1f}")')
# a sequential 64 KiB read: command and transfer (at QD 4, so that the
# time fio takes to send the next one does not count)
want_seq=$(model 'print(f"{65536 / (50 + 65536 / 150):.1f}")')
read -r rand_iops _ <<<"$(fio_iops rand --rw=randread --bs=4k --iodepth=1 --runtime=8 --time_based)"
read -r seq_iops seq_mbs <<<"$(fio_iops seq --rw=read --bs=64k --iodepth=4 --runtime=5 --time_based)"
echo "# random 4 KiB, QD 1: $rand_iops IOPS (model $want_rand; fio's turnaround adds to it)"
echo "# sequential 64 KiB, QD 4: $seq_mbs MB/s (model $want_seq)"
check "sequential reads within 85-102 % of the model" near "$seq_mbs" "$want_seq" 0.85 1.02
ratio=$(model "print(f'{$seq_iops / $rand_iops:.1f}')")
echo "# a random 4 KiB read costs $ratio sequential 64 KiB reads (model 14.9)"
check "random costs at least 10 sequential 64 KiB reads" within "$ratio" 10 1000
# the head serves one request at a time, in arrival order, whatever the
# depth (and at QD 16 fio's time between two reads does not count)
read -r fifo_iops _ <<<"$(fio_iops fifo --rw=randread --bs=4k --iodepth=16 --runtime=6 --time_based)"
echo "# random 4 KiB, QD 16, in order: $fifo_iops IOPS"
check "random reads within 10 % of the model, QD 1 or 16 alike" near "$fifo_iops" "$want_rand" 0.9 1.1
check "unload" rmmod iobdisk

echo "# rotating, NCQ: the nearest request first"
check "load with ncq=1" insmod "$IOBDISK_KO" model=rot ncq=1
read -r ncq_iops _ <<<"$(fio_iops ncq --rw=randread --bs=4k --iodepth=16 --runtime=6 --time_based)"
echo "# random 4 KiB, QD 16, NCQ: $ncq_iops IOPS (in order: $fifo_iops)"
check "NCQ serves more of a deep random queue" within "$ncq_iops" \
	"$(model "print($fifo_iops * 1.15)")" 100000
check "unload" rmmod iobdisk

echo "# flash: 2 channels, reads 100 us + 100 MB/s, writes 300 us + 30 MB/s, 64 MB clean, GC 10 MB/s"
check "load the flash model" insmod "$IOBDISK_KO" model=flash
check_eq "it does not rotate" 0 "$(cat /sys/block/iobdisk0/queue/rotational)"
want_r=$(model 'print(f"{2 * 65536 / (100 + 65536 / 100):.1f}")')
want_w=$(model 'print(f"{2 * 65536 / (300 + 65536 / 30):.1f}")')
read -r _ r_mbs <<<"$(fio_iops fr --rw=randread --bs=64k --iodepth=8 --runtime=5 --time_based)"
# 32 MB: within the clean pool
read -r _ w_mbs <<<"$(fio_iops fw --rw=randwrite --bs=64k --iodepth=8 --size=32m)"
echo "# 64 KiB, QD 8 (both channels always busy): reads $r_mbs MB/s (model $want_r), writes $w_mbs MB/s (model $want_w)"
check "reads within 85-102 % of the model" near "$r_mbs" "$want_r" 0.85 1.02
check "writes within 85-102 % of the model" near "$w_mbs" "$want_w" 0.85 1.02
wr=$(model "print(f'{$r_mbs / $w_mbs:.2f}')")
echo "# a write costs $wr reads (model 3.29)"
check "a write costs between 2.5 and 4 reads" within "$wr" 2.5 4
# the rest of the pool goes within a second, then GC bounds the writer:
# a tenth of each second's cost at the plain price, the rest at 4 times it
read -r _ gc_mbs <<<"$(fio_iops gc --rw=randwrite --bs=64k --iodepth=8 --runtime=8 --time_based)"
echo "# a sustained writer: $gc_mbs MB/s over 8 s (fresh: $w_mbs)"
check "a sustained writer slows to less than 65 % of a fresh one" within "$gc_mbs" 1 \
	"$(model "print($w_mbs * 0.65)")"
check "unload" rmmod iobdisk
finish
