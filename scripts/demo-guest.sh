#!/usr/bin/env bash
# The main job, inside the guest kernel: the seed's Example #1 (two
# partitions of one disk, weights 80 and 40) applied from its profile with
# the ioband command, on a disk that is the bottleneck; then both partitions
# loaded at once and the split measured.
# timeout: 300
. "$REPO/tests/lib/guest.sh"

[ -x "${IOBAND:-}" ] || die "the ioband command is not built (cargo build --release)"
load_ioband
# 10 ms per I/O and 2 tags: a 200-IOPS disk, slower than the guest submits
disk=$(nullb nbdemo 1024 irqmode=2 completion_nsec=10000000 hw_queue_depth=2 submit_queues=1 \
	queue/scheduler=mq-deadline queue/nr_requests=128)
# two real partitions of it: ioband sees the disk's depth through them
partition "$disk" 2 1040384
# the profile, with its partitions (sda1, sda2) made these
sed "s|/dev/mapper/sda1|${disk}1|; s|/dev/mapper/sda2|${disk}2|" \
	"$REPO/profiles/example1-partitions.yaml" >/tmp/example1.yaml
echo "== ioband apply profiles/example1-partitions.yaml (on ${disk}1 and ${disk}2)"
check "apply" "$IOBAND" apply /tmp/example1.yaml
echo "== ioband table"
"$IOBAND" table
out=$RESULTS/fio
mkdir -p "$out"
echo "== fio: 4 KiB random reads at QD 32 on both devices at once, 20 s"
fio_together "$out" 20 ioband1,filename=/dev/mapper/ioband1 ioband2,filename=/dev/mapper/ioband2
echo "== ioband status"
"$IOBAND" status
echo "== dmsetup status --target ioband"
dmsetup status --target ioband
echo "== measured split (fio's bytes per device while both ran, configured 80:40)"
check "split within 10% of the weights" python3 "$REPO/tests/lib/share.py" 0.10 \
	80:"$out/ioband1" 40:"$out/ioband2"
check "remove" "$IOBAND" remove --retry ioband1 ioband2
finish
