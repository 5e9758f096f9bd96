#!/usr/bin/env bash
# The main job, inside the guest kernel: the seed's Example #1 (two
# partitions of one disk, weights 80 and 40) on a disk that is the
# bottleneck, then both partitions loaded at once and the split measured.
# timeout: 300
. "$REPO/tests/lib/guest.sh"

load_ioband
disk=$(nullb nbdemo 1024 memory_backed=0 irqmode=2 completion_nsec=10000000 hw_queue_depth=2 submit_queues=1 \
	queue/scheduler=mq-deadline queue/nr_requests=128)
linear_slice sda1 "$disk" 0 1048576
linear_slice sda2 "$disk" 1048576 1048576
ioband_create ioband1 /dev/mapper/sda1 1
ioband_create ioband2 /dev/mapper/sda2 1
dmsetup message ioband1 0 weight 80
dmsetup message ioband2 0 weight 40
# 200 IOPS disk: 256 tokens make an epoch about a second long
dmsetup message ioband1 0 token 256
echo "== dmsetup table --target ioband"
dmsetup table --target ioband
out=$RESULTS/fio
mkdir -p "$out"
for d in 1 2; do
	fio --name="ioband$d" --filename="/dev/mapper/ioband$d" --rw=randread --bs=4k \
		--direct=1 --ioengine=libaio --iodepth=16 --runtime=20 --time_based \
		--output-format=json --output="$out/ioband$d.json" >/dev/null &
done
wait
echo "== dmsetup status --target ioband (after 20 s of fio on both)"
dmsetup status --target ioband
if [ -x "${IOBAND:-}" ]; then
	echo "== ioband status"
	"$IOBAND" status || true
fi
echo "== measured split (fio bytes per device, configured 80:40)"
check "split within 10% of the weights" python3 "$REPO/tests/lib/share.py" 0.10 \
	80:"$out/ioband1.json" 40:"$out/ioband2.json"
dmsetup remove --retry ioband1
dmsetup remove --retry ioband2
finish
